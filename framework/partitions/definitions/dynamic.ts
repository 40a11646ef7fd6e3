import type { PartitionsDefinition } from '../definition.ts';
import { PartitionError } from '../../util/errors.ts';
import { USER_KEY_RULE, badDefinition, badKey, inRange, indexOutOfRange, showKey, userKeyProblem } from './keys.ts';

/** A definition whose keys are added at run time; indexes are given in order of addition. */
export interface DynamicPartitionsDefinition extends PartitionsDefinition {
  readonly spec: { kind: 'dynamic'; name: string };
  /** Adds keys, ignoring those already present; returns the new ones in order. All are validated before any is added. */
  add(keys: readonly string[]): string[];
  has(key: string): boolean;
}

/** Slash-separated segments, each a safe key, so a name can follow an asset key without allowing `..`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/**
 * A key space that grows at run time, e.g. one key per file a sensor discovers. Keys follow the
 * static key rule and are only ever appended, so an existing key's index never moves.
 *
 * This is the one mutable part of partitions definitions: the keys are data found while running,
 * not code, so they cannot be known when the definition is declared. The object holds the current
 * list; the store persists it and restores it with `add` before planning. A subset built before an
 * `add` belongs to the smaller key space, and must be rebuilt for the larger one.
 *
 * @example
 * const files = dynamicKeys('pixelforge/files');
 * files.add(['f-001.png', 'f-002.png']); // ['f-001.png', 'f-002.png']
 * files.add(['f-002.png', 'f-003.png']); // ['f-003.png']; 'f-002.png' keeps index 1
 */
export function dynamicKeys(name: string): DynamicPartitionsDefinition {
  if (typeof name !== 'string' || name.length > 200 || !NAME.test(name)) {
    throw badDefinition(
      'dynamic keys',
      'name',
      `${showKey(name)} is invalid: use segments of ${USER_KEY_RULE}, separated by "/"`,
    );
  }
  const keys: string[] = [];
  const indexes = new Map<string, number>();
  const description = `dynamic keys "${name}"`;

  const definition: DynamicPartitionsDefinition = Object.freeze({
    spec: Object.freeze({ kind: 'dynamic' as const, name }),
    description,
    keyFormat: `a key added to ${description} (${USER_KEY_RULE})`,
    size: () => keys.length,
    countEndedBy: () => keys.length,
    indexOf(key: string): number {
      const index = indexes.get(key);
      if (index === undefined) {
        throw badKey(definition, key, userKeyProblem(key) ?? `not added yet; ${keys.length} key${keys.length === 1 ? ' has' : 's have'} been added`);
      }
      return index;
    },
    tryIndexOf: (key: string) => indexes.get(key) ?? -1,
    keyAt(index: number): string {
      if (!inRange(index, keys.length)) throw indexOutOfRange(definition, index);
      return keys[index]!;
    },
    time: undefined,
    dimensions: undefined,
    add(added: readonly string[]): string[] {
      if (!Array.isArray(added)) throw new PartitionError('invalid-partition-key', `${description}: add() takes an array of keys`);
      added.forEach((key, position) => {
        const problem = userKeyProblem(key);
        if (problem !== undefined) {
          throw new PartitionError('invalid-partition-key', `${description}: cannot add ${showKey(key)} (keys[${position}]): ${problem}`, {
            partition: typeof key === 'string' ? key : undefined,
          });
        }
      });
      const fresh: string[] = [];
      for (const key of added) {
        if (indexes.has(key)) continue;
        indexes.set(key, keys.length);
        keys.push(key);
        fresh.push(key);
      }
      return fresh;
    },
    has: (key: string) => indexes.has(key),
  });
  return definition;
}
