import type { PartitionMapping } from '../mapping.ts';
import { sameKeySpace } from '../definition.ts';
import { PartitionError } from '../../util/errors.ts';
import { orderedShift } from './ordered-shift.ts';
import { ShiftedRange } from './shifted-range.ts';

/**
 * Each downstream partition reads the upstream partition `by` places away on the same ordered key
 * space (`by = -1`: the one before). On sessions, places are sessions, so holidays are skipped.
 *
 * Binds on one ordered axis: the same key space, or sessions of one calendar or time windows of one
 * cadence with different bounds. For multi-partitions, apply it to one dimension with `dimensions()`.
 *
 * @example
 * deps: [{ asset: 'northbridge/positions', mapping: offset(-1) }] // P&L at D reads positions at the session before D
 */
export function offset(by: number): PartitionMapping {
  if (!Number.isSafeInteger(by)) {
    throw new PartitionError('invalid-mapping', `offset(${String(by)}): by must be an integer number of partitions`, { field: 'by' });
  }
  const name = `offset(${by})`;
  return {
    spec: { kind: 'offset', by },
    bind(downstream, upstream) {
      const shift = orderedShift(name, downstream, upstream);
      return new ShiftedRange({
        downstream,
        upstream,
        shift,
        from: by,
        to: by,
        strictlyEarlier: by < 0 && sameKeySpace(downstream, upstream),
      });
    },
  };
}

/**
 * The previous partition: `offset(-1)`. On sessions it is the previous trading session, skipping
 * weekends and holidays (P&L at 2026-11-27 reads positions at 2026-11-25).
 *
 * @example
 * deps: [{ asset: 'northbridge/positions', mapping: previousSession() }]
 */
export function previousSession(): PartitionMapping {
  return offset(-1);
}
