import type { PartitionsDefinition } from '../definition.ts';
import { alignedShift } from './aligned-shift.ts';
import { invalidMapping } from './guards.ts';

/**
 * The shift between two definitions that an ordered mapping (offset, window) can walk along, or a
 * PartitionError saying why there is none. `mapping` names the mapping in the message.
 */
export function orderedShift(mapping: string, downstream: PartitionsDefinition, upstream: PartitionsDefinition): number {
  for (const [side, definition] of [['downstream', downstream], ['upstream', upstream]] as const) {
    if (definition.dimensions !== undefined) {
      throw invalidMapping(
        mapping,
        downstream,
        upstream,
        `the ${side} is multi-partitioned; apply ${mapping} to one dimension with dimensions({ ${definition.dimensions[0]?.name ?? 'date'}: ${mapping} })`,
      );
    }
    if (definition.spec.kind === 'unpartitioned') {
      throw invalidMapping(mapping, downstream, upstream, `the ${side} is unpartitioned, so there is nothing to step along; use allPartitions()`);
    }
  }
  const shift = alignedShift(downstream, upstream);
  if (shift === undefined) {
    throw invalidMapping(
      mapping,
      downstream,
      upstream,
      'they are not one ordered key space (the same key space, or sessions of one calendar, or time windows of one cadence and zone)',
    );
  }
  return shift;
}
