import type { PartitionsDefinition } from '../partitions/definition.ts';
import { PartitionSubset } from '../partitions/subset.ts';
import { parseDay, tryParseDay } from '../util/dates.ts';
import { PlanError } from '../util/errors.ts';
import { zonedToUtc } from '../util/time-zone.ts';

/**
 * Which partitions a plan covers: one key (`--partition`), a date range (`--from`/`--to`, both
 * inclusive), and dimension filters (`--where broker=GSCO`). Dates restrict time dimensions to the
 * windows that overlap them; a definition without a time dimension is taken whole.
 */
export interface PartitionRequest {
  partition?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  where?: Readonly<Record<string, string>> | undefined;
  /** Keep only time windows that have ended by this instant (epoch ms): the partitions that exist "now". */
  endedBy?: number | undefined;
  /**
   * Exact partitions per asset key, e.g. what automation conditions chose. When given, the other
   * fields are ignored: each selected asset gets exactly its listed keys, and nothing if unlisted.
   */
  keys?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** The partitions listed for one asset by `request.keys`; a key that is not one of the asset's is a PlanError. */
export function listedSubset(asset: string, definition: PartitionsDefinition, keys: readonly string[]): PartitionSubset {
  const indexes = keys.map((key) => {
    const index = definition.tryIndexOf(key);
    if (index < 0) {
      throw new PlanError('invalid-partition-key', `partition "${key}" of ${asset} is not a key of ${definition.description} (expected ${definition.keyFormat})`, {
        asset,
        partition: key,
        field: 'keys',
      });
    }
    return index;
  });
  return PartitionSubset.indexes(definition.size(), indexes);
}

/** Whether a definition has every dimension named in `where`. */
export function hasDimensions(definition: PartitionsDefinition, where: Readonly<Record<string, string>>): boolean {
  const names = new Set(definition.dimensions?.map((d) => d.name) ?? []);
  return Object.keys(where).every((name) => names.has(name));
}

/** The partitions of a definition that a request covers, ignoring `where` filters on dimensions it lacks. */
export function requestedSubset(definition: PartitionsDefinition, request: PartitionRequest): PartitionSubset {
  const size = definition.size();
  const where = request.where ?? {};
  if (request.partition !== undefined && request.partition !== '') {
    const exact = definition.tryIndexOf(request.partition);
    if (exact >= 0) return PartitionSubset.range(size, exact, exact + 1).intersect(requestedSubset(definition, { where }));
    if (tryParseDay(request.partition) === undefined) {
      throw new PlanError(
        'invalid-partition-key',
        `partition "${request.partition}" is not a key of ${definition.description} (expected ${definition.keyFormat}) and not a date`,
        { partition: request.partition, field: 'partition' },
      );
    }
    return requestedSubset(definition, { from: request.partition, to: request.partition, where, endedBy: request.endedBy });
  }
  const dimensions = definition.dimensions ?? [{ name: '', definition }];
  const bounds = dimensions.map(({ name, definition: dimension }): [number, number] => {
    const value = where[name];
    if (value !== undefined) {
      const index = dimension.tryIndexOf(value);
      if (index < 0) {
        throw new PlanError('invalid-partition-key', `--where ${name}=${value}: "${value}" is not a key of ${dimension.description} (expected ${dimension.keyFormat})`, {
          partition: value,
          field: name,
        });
      }
      return [index, index + 1];
    }
    return timeBounds(dimension, request);
  });
  return productSubset(dimensions.map((d) => d.definition.size()), bounds, size);
}

/** Index range of a time dimension's windows that overlap `[from, to]`, or the whole dimension. */
function timeBounds(definition: PartitionsDefinition, request: PartitionRequest): [number, number] {
  const size = definition.size();
  const axis = definition.time;
  if (!axis) return [0, size];
  const ended = request.endedBy === undefined ? size : definition.countEndedBy(request.endedBy);
  if (request.from === undefined && request.to === undefined) return [0, ended];
  const start = request.from === undefined ? -Infinity : zonedToUtc(axis.timeZone, parseDay(request.from, '--from'), 0);
  const end = request.to === undefined ? Infinity : zonedToUtc(axis.timeZone, parseDay(request.to, '--to') + 1, 0);
  if (end <= start) throw new PlanError('invalid-plan-request', `--from ${request.from} is after --to ${request.to}`, { field: 'from' });
  return [firstIndex(size, (i) => axis.windowEnd(i) > start), Math.min(ended, firstIndex(size, (i) => axis.windowStart(i) >= end))];
}

/** Smallest index in [0, size] for which a monotonic predicate holds. */
function firstIndex(size: number, test: (index: number) => boolean): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The mixed-radix indexes whose digit in each dimension lies in that dimension's bounds. */
function productSubset(radixes: readonly number[], bounds: readonly [number, number][], size: number): PartitionSubset {
  // Trailing dimensions taken whole make each run contiguous; enumerate only the leading ones.
  let whole = radixes.length;
  while (whole > 0 && bounds[whole - 1]![0] === 0 && bounds[whole - 1]![1] === radixes[whole - 1]) whole--;
  if (bounds.some(([lo, hi]) => hi <= lo)) return PartitionSubset.empty(size);
  const stride = radixes.slice(whole).reduce((a, b) => a * b, 1);
  if (whole === 0) return PartitionSubset.full(size);
  const ranges: [number, number][] = [];
  const last = whole - 1;
  const visit = (dim: number, base: number): void => {
    const [lo, hi] = bounds[dim]!;
    if (dim === last) {
      ranges.push([(base * radixes[dim]! + lo) * stride, (base * radixes[dim]! + hi) * stride]);
      return;
    }
    for (let digit = lo; digit < hi; digit++) visit(dim + 1, base * radixes[dim]! + digit);
  };
  visit(0, 0);
  return PartitionSubset.ranges(size, ranges);
}
