import type { PartitionsDefinition } from '../definition.ts';
import type { PartitionMapping } from '../mapping.ts';
import { alignedShift } from './aligned-shift.ts';
import { invalidMapping } from './guards.ts';
import { KeyLookup } from './key-lookup.ts';
import { ShiftedRange } from './shifted-range.ts';

/**
 * Each downstream partition reads the upstream partition with the same key.
 *
 * Binds when both sides are the same kind of key space. They need not be equal: positions that
 * start later than P&L, or a static list that is a subset of another, bind too, and the downstream
 * keys with no upstream partition are reported as `missing`.
 *
 * @example
 * deps: [{ asset: 'northbridge/executions', mapping: identity() }]
 */
export function identity(): PartitionMapping {
  return {
    spec: { kind: 'identity' },
    bind(downstream, upstream) {
      const shift = alignedShift(downstream, upstream);
      if (shift !== undefined) {
        return new ShiftedRange({ downstream, upstream, shift, from: 0, to: 0, strictlyEarlier: false });
      }
      const problem = kindMismatch(downstream, upstream);
      if (problem) throw invalidMapping('identity()', downstream, upstream, problem);
      return new KeyLookup(downstream, upstream);
    },
  };
}

/** Why keys of the two definitions cannot be the same keys, or undefined when they can. */
function kindMismatch(downstream: PartitionsDefinition, upstream: PartitionsDefinition): string | undefined {
  const a = downstream.spec;
  const b = upstream.spec;
  if (a.kind !== b.kind) {
    const hint = downstream.time && upstream.time ? 'use timeGranularity()' : 'use allPartitions() or mapWith()';
    return `their keys are of different kinds (${a.kind} and ${b.kind}); ${hint}`;
  }
  if (a.kind === 'time-window' && b.kind === 'time-window' && a.cadence !== b.cadence) {
    return `their cadences differ (${a.cadence} and ${b.cadence}); use timeGranularity()`;
  }
  if (a.kind === 'multi' && b.kind === 'multi') {
    const names = (spec: typeof a) => spec.dimensions.map((dimension) => dimension.name).join(', ');
    if (names(a) !== names(b)) return `their dimensions differ ([${names(a)}] and [${names(b)}]); use dimensions()`;
  }
  return undefined;
}
