import type { PartitionMapping } from '../mapping.ts';
import { sameKeySpace } from '../definition.ts';
import { PartitionError } from '../../util/errors.ts';
import { orderedShift } from './ordered-shift.ts';
import { ShiftedRange } from './shifted-range.ts';

export interface WindowOptions {
  /** How many consecutive upstream partitions each downstream partition reads, at least 1. */
  size: number;
  /** Offset of the last one read: 0 reads up to the same partition, -1 stops at the one before. */
  end?: number;
}

/**
 * Each downstream partition `d` reads the `size` upstream partitions ending at `d + end`, i.e.
 * `[d + end - size + 1, d + end]` (the last N sessions, say). Binds like `offset`.
 *
 * @example
 * deps: [{ asset: 'northbridge/pnl', mapping: window({ size: 20 }) }] // a 20-session rolling risk figure
 */
export function window({ size, end = 0 }: WindowOptions): PartitionMapping {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new PartitionError('invalid-mapping', `window({ size: ${String(size)} }): size must be a whole number of partitions, at least 1`, {
      field: 'size',
    });
  }
  if (!Number.isSafeInteger(end)) {
    throw new PartitionError('invalid-mapping', `window({ end: ${String(end)} }): end must be an integer number of partitions`, {
      field: 'end',
    });
  }
  const name = `window({ size: ${size}, end: ${end} })`;
  return {
    spec: { kind: 'window', size, end },
    bind(downstream, upstream) {
      const shift = orderedShift(name, downstream, upstream);
      return new ShiftedRange({
        downstream,
        upstream,
        shift,
        from: end - size + 1,
        to: end,
        strictlyEarlier: end < 0 && sameKeySpace(downstream, upstream),
      });
    },
  };
}
