import type { PartitionsDefinition } from './definition.ts';

/** A partition's time window in epoch milliseconds, end exclusive. */
export interface PartitionWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The time window of a partition key: its own for sessions and time windows, its time dimension's
 * for a multi-partition (`2026-11-20|PF001` → the session of 2026-11-20). `undefined` when the
 * definition has no time axis or does not have the key.
 *
 * @example
 * partitionWindow(sessions(xnys(), { start: '2026-01-02' }), '2026-11-20'); // { start: …09:30 NY, end: …16:00 NY }
 */
export function partitionWindow(partitions: PartitionsDefinition, key: string): PartitionWindow | undefined {
  let definition = partitions;
  let value = key;
  if (partitions.dimensions) {
    const at = partitions.dimensions.findIndex((dimension) => dimension.definition.time !== undefined);
    if (at < 0) return undefined;
    definition = partitions.dimensions[at]!.definition;
    value = key.split('|')[at] ?? '';
  }
  const time = definition.time;
  if (!time) return undefined;
  const index = definition.tryIndexOf(value);
  return index < 0 ? undefined : { start: time.windowStart(index), end: time.windowEnd(index) };
}
