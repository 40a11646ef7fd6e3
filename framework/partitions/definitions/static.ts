import type { PartitionsDefinition } from '../definition.ts';
import { badDefinition, badKey, inRange, indexOutOfRange, showKey, userKeyProblem } from './keys.ts';

/** How many keys a description or key format lists before eliding the rest. */
const LISTED = 8;

/**
 * A fixed, ordered list of keys (portfolios, brokers, regions); a key's index is its position.
 * Keys become file paths, S3 keys and SQL values, so each must be letters, digits, `.`, `_` and `-`
 * (starting with a letter or digit, at most 128 characters), and they must be unique.
 *
 * @example
 * const portfolios = staticKeys(['PF001', 'PF002', 'PF003']);
 * portfolios.indexOf('PF002'); // 1
 */
export function staticKeys(keys: readonly string[]): PartitionsDefinition {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw badDefinition('static keys', 'keys', 'must be a non-empty array of strings');
  }
  const list: readonly string[] = Object.freeze([...keys]);
  const indexes = new Map<string, number>();
  list.forEach((key, index) => {
    const problem = userKeyProblem(key);
    if (problem !== undefined) throw badDefinition('static keys', `keys[${index}]`, `${showKey(key)} is invalid: ${problem}`);
    if (indexes.has(key)) throw badDefinition('static keys', `keys[${index}]`, `${showKey(key)} repeats keys[${indexes.get(key)}]`);
    indexes.set(key, index);
  });
  const shown = list.length > LISTED ? `${list.slice(0, LISTED).join(', ')}, … (${list.length} keys)` : list.join(', ');

  const definition: PartitionsDefinition = Object.freeze({
    spec: Object.freeze({ kind: 'static' as const, keys: list }),
    description: `static keys ${shown}`,
    keyFormat: `one of ${shown}`,
    size: () => list.length,
    countEndedBy: () => list.length,
    indexOf(key: string): number {
      const index = indexes.get(key);
      if (index === undefined) throw badKey(definition, key, 'not one of the static keys');
      return index;
    },
    tryIndexOf: (key: string) => indexes.get(key) ?? -1,
    keyAt(index: number): string {
      if (!inRange(index, list.length)) throw indexOutOfRange(definition, index);
      return list[index]!;
    },
    time: undefined,
    dimensions: undefined,
  });
  return definition;
}
