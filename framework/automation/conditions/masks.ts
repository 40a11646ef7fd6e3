// Conditions work on one byte per partition (1 = true): a million partitions are a megabyte, and
// and/or/not are single loops. These helpers convert to and from subsets and stored key ranges.
import type { PartitionsDefinition } from '../../partitions/definition.ts';
import { requestedSubset } from '../../planner/partition-request.ts';
import type { PartitionSubset } from '../../partitions/subset.ts';

/** Inclusive first and last key of a run of partitions, as a cursor stores it. */
export type KeyRange = readonly [first: string, last: string];

/** Number of partitions set in a mask. */
export function countMask(mask: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return count;
}

/** A mask with the subset's partitions set. */
export function maskOfSubset(subset: PartitionSubset): Uint8Array {
  const mask = new Uint8Array(subset.universe);
  for (const [start, end] of subset.ranges()) mask.fill(1, start, end);
  return mask;
}

/** Half-open index runs `[start, end)` of a mask, ascending. */
export function* maskRuns(mask: Uint8Array): Generator<readonly [number, number]> {
  let i = 0;
  while (i < mask.length) {
    if (mask[i] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < mask.length && mask[i] === 1) i++;
    yield [start, i];
  }
}

/** The keys of a mask's partitions, ascending. */
export function keysOfMask(definition: PartitionsDefinition, mask: Uint8Array): string[] {
  const keys: string[] = [];
  for (const [start, end] of maskRuns(mask)) for (let i = start; i < end; i++) keys.push(definition.keyAt(i));
  return keys;
}

/** A mask as key ranges, to store in a cursor: robust to keys being added to a dynamic definition. */
export function keyRangesOfMask(definition: PartitionsDefinition, mask: Uint8Array): KeyRange[] {
  return [...maskRuns(mask)].map(([start, end]) => [definition.keyAt(start), definition.keyAt(end - 1)] as const);
}

/** A mask from stored key ranges; a range whose keys the definition no longer has is dropped. */
export function maskOfKeyRanges(definition: PartitionsDefinition, ranges: readonly KeyRange[]): Uint8Array {
  const mask = new Uint8Array(definition.size());
  for (const [first, last] of ranges) {
    const start = definition.tryIndexOf(first);
    const end = definition.tryIndexOf(last);
    if (start >= 0 && end >= start) mask.fill(1, start, end + 1);
  }
  return mask;
}

/** The partitions of a definition that exist at `now`: those whose time windows have all ended. */
export function existingPartitions(definition: PartitionsDefinition, now: number): Uint8Array {
  return maskOfSubset(requestedSubset(definition, { endedBy: now }));
}

/** A copy of `values` at least `size` long, zero-filled, or `values` itself when long enough. */
export function sized(values: Float64Array | undefined, size: number): Float64Array {
  if (values && values.length >= size) return values;
  const out = new Float64Array(size);
  if (values) out.set(values);
  return out;
}
