import type { PartitionDimension, PartitionsDefinition, PartitionsSpec } from '../definition.ts';
import { PartitionSubset, SubsetBuilder } from '../subset.ts';
import { PartitionError } from '../../util/errors.ts';
import { badDefinition, badKey, inRange, indexOutOfRange, showKey } from './keys.ts';

/** Subsets index with int32-sized bitsets. */
const MAX_SIZE = 2 ** 31 - 1;
const DIMENSION_NAME = /^[a-z][a-z0-9_]*$/;
const SEPARATOR = '|';

/**
 * The product of two or more definitions, e.g. trading date × portfolio × broker. A key joins the
 * dimension keys with `|` in dimension order (`2026-11-20|PF001|GS`). Indexes are mixed-radix with
 * the FIRST dimension most significant, so the partitions of one date are contiguous.
 *
 * Sizes are read at each call, because a dynamic dimension grows: when it is not the first
 * dimension, adding keys to it moves the indexes of existing keys (as any growth invalidates
 * subsets of the old size).
 *
 * There is no time axis: mappings reach a time dimension through `dimensions`. A key counts as ended
 * when the windows of all its time dimensions have ended; when the first dimension is the only time
 * dimension, those keys are exactly the indexes below `countEndedBy`.
 *
 * @example
 * const grid = multi({ date: sessions(xnys(), { start: '2026-01-02' }), portfolio: staticKeys(['PF001', 'PF002']) });
 * grid.keyAt(grid.indexOf('2026-11-20|PF002') - 1); // '2026-11-20|PF001'
 */
export function multi(dimensions: Record<string, PartitionsDefinition>): PartitionsDefinition {
  const entries = typeof dimensions === 'object' && dimensions !== null ? Object.entries(dimensions) : [];
  if (entries.length < 2) throw badDefinition('multi-partitions', 'dimensions', 'must name at least two dimensions');
  const subject = `partitions by ${entries.map(([name]) => name).join(' × ')}`;
  for (const [name, definition] of entries) {
    if (!DIMENSION_NAME.test(name)) {
      throw badDefinition(subject, `dimension ${showKey(name)}`, 'must be lower case letters, digits and "_", starting with a letter');
    }
    if (typeof definition?.keyAt !== 'function') throw badDefinition(subject, `dimension ${name}`, 'is not a partitions definition');
    if (definition.dimensions !== undefined) throw badDefinition(subject, `dimension ${name}`, 'cannot itself be a multi-partitions definition');
    if (definition.spec.kind === 'unpartitioned') throw badDefinition(subject, `dimension ${name}`, 'cannot be unpartitioned');
  }
  const dims: readonly PartitionDimension[] = Object.freeze(entries.map(([name, definition]) => Object.freeze({ name, definition })));
  const count = dims.length;

  /** The size of each dimension now, and the product, refusing products bitsets cannot index. */
  const radices = (): { sizes: number[]; total: number } => {
    const sizes = dims.map((dim) => dim.definition.size());
    const total = sizes.reduce((product, size) => product * size, 1);
    if (total > MAX_SIZE) {
      throw new PartitionError(
        'invalid-partitions-definition',
        `${subject}: ${sizes.join(' × ')} = ${total} partitions, more than the ${MAX_SIZE} a subset can index`,
      );
    }
    return { sizes, total };
  };
  radices();

  const locate = (key: string): number | string => {
    if (typeof key !== 'string') return 'not a string';
    const parts = key.split(SEPARATOR);
    if (parts.length !== count) return `it has ${parts.length} part${parts.length === 1 ? '' : 's'} where ${count} are joined with "|"`;
    const { sizes } = radices();
    let index = 0;
    for (let k = 0; k < count; k++) {
      const { name, definition } = dims[k]!;
      const part = definition.tryIndexOf(parts[k]!);
      if (part < 0) return `dimension ${name} expects ${definition.keyFormat}, got ${showKey(parts[k])}`;
      index = index * sizes[k]! + part;
    }
    return index;
  };

  const spec: PartitionsSpec = Object.freeze({
    kind: 'multi' as const,
    dimensions: Object.freeze(dims.map(({ name, definition }) => Object.freeze({ name, spec: definition.spec }))),
  });
  const definition: PartitionsDefinition = Object.freeze({
    spec,
    description: subject,
    keyFormat: `${dims.map(({ name }) => name).join('|')}, where ${dims.map(({ name, definition }) => `${name} is ${definition.keyFormat}`).join('; ')}`,
    size: () => radices().total,
    countEndedBy: (epochMs: number) => dims.reduce((product, { definition }) => product * definition.countEndedBy(epochMs), 1),
    indexOf(key: string): number {
      const found = locate(key);
      if (typeof found === 'string') throw badKey(definition, key, found);
      return found;
    },
    tryIndexOf(key: string): number {
      const found = locate(key);
      return typeof found === 'number' ? found : -1;
    },
    keyAt(index: number): string {
      const { sizes, total } = radices();
      if (!inRange(index, total)) throw indexOutOfRange(definition, index);
      const parts = new Array<string>(count);
      let rest = index;
      for (let k = count - 1; k >= 0; k--) {
        parts[k] = dims[k]!.definition.keyAt(rest % sizes[k]!);
        rest = Math.floor(rest / sizes[k]!);
      }
      return parts.join(SEPARATOR);
    },
    time: undefined,
    dimensions: dims,
  });
  return definition;
}

/**
 * The partitions of a multi-partitions definition whose named dimensions have the given keys, as
 * for `--where portfolio=PF001`. Built from the index arithmetic as ranges (or a bitset when they
 * fragment), never by listing keys.
 *
 * @example
 * subsetWhere(grid, { portfolio: 'PF002' }).count(); // one partition per session
 */
export function subsetWhere(definition: PartitionsDefinition, where: Record<string, string>): PartitionSubset {
  const dims = definition.dimensions;
  if (dims === undefined) {
    throw new PartitionError('invalid-partitions-definition', `${definition.description}: --where needs a multi-partitions definition`, {
      field: 'where',
    });
  }
  const sizes = dims.map((dim) => dim.definition.size());
  const universe = definition.size();
  /** The fixed index of each dimension, or -1 where it is free. */
  const fixed = dims.map(() => -1);
  for (const [name, value] of Object.entries(where)) {
    const k = dims.findIndex((dim) => dim.name === name);
    if (k < 0) {
      throw new PartitionError(
        'invalid-partition-key',
        `${definition.description}: unknown dimension ${showKey(name)} in --where; the dimensions are ${dims.map((dim) => dim.name).join(', ')}`,
        { field: name },
      );
    }
    const index = dims[k]!.definition.tryIndexOf(value);
    if (index < 0) {
      throw new PartitionError(
        'invalid-partition-key',
        `${definition.description}: --where ${name}=${showKey(value)} is not a key of dimension ${name}; expected ${dims[k]!.definition.keyFormat}`,
        { field: name, partition: typeof value === 'string' ? value : undefined },
      );
    }
    fixed[k] = index;
  }
  if (universe === 0) return PartitionSubset.empty(0);

  // Below the last fixed dimension, every combination is selected: that block is one contiguous run.
  const lastFixed = fixed.findLastIndex((index) => index >= 0);
  if (lastFixed < 0) return PartitionSubset.full(universe);
  const strides = new Array<number>(dims.length);
  let stride = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= sizes[k]!;
  }
  const runLength = strides[lastFixed]!;
  const runCount = universe / runLength / sizes.filter((_, k) => fixed[k]! >= 0).reduce((a, b) => a * b, 1);
  const runStarts = function* (): Generator<number> {
    // An odometer over the free dimensions above lastFixed, most significant first, so starts ascend.
    const digits = fixed.slice(0, lastFixed + 1).map((index) => Math.max(index, 0));
    for (;;) {
      yield digits.reduce((sum, digit, k) => sum + digit * strides[k]!, 0);
      let k = lastFixed;
      while (k >= 0 && (fixed[k]! >= 0 || ++digits[k]! === sizes[k]!)) {
        if (fixed[k]! < 0) digits[k] = 0;
        k--;
      }
      if (k < 0) return;
    }
  };
  // Many single-partition runs are cheaper to set as bits than to collect as ranges first.
  if (runLength === 1 && runCount > universe / 64) return PartitionSubset.indexes(universe, runStarts());
  const builder = new SubsetBuilder(universe);
  for (const start of runStarts()) builder.addRange(start, start + runLength);
  return builder.build();
}
