import type { PartitionsDefinition } from '../definition.ts';
import type { BoundPartitionMapping } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { PartitionError } from '../../util/errors.ts';

// A subset or an array sized for another key space (a dynamic definition that has grown since,
// or the wrong side of the edge) would silently map to wrong partitions, so it is refused.

/** Throws unless `subset` belongs to `definition` as it is now. */
export function checkSubset(subset: PartitionSubset, definition: PartitionsDefinition, side: 'downstream' | 'upstream'): void {
  const size = definition.size();
  if (subset.universe !== size) {
    throw new PartitionError(
      'invalid-mapping',
      `a ${side} subset of ${subset.universe} partitions was given for ${definition.description}, which has ${size}; rebuild the subset for the current key space`,
    );
  }
}

/** Throws unless `values` is sized for the upstream and `out` for the downstream. */
export function checkPull(bound: BoundPartitionMapping, values: Float64Array, out: Float64Array): void {
  const upstream = bound.upstream.size();
  const downstream = bound.downstream.size();
  if (values.length !== upstream || out.length !== downstream) {
    throw new PartitionError(
      'invalid-mapping',
      `pullMax needs ${upstream} upstream values (${bound.upstream.description}) and ${downstream} downstream slots (${bound.downstream.description}); got ${values.length} and ${out.length}`,
    );
  }
}

/** The error for a mapping that does not apply to an edge; `mapping` names it, `reason` says why. */
export function invalidMapping(
  mapping: string,
  downstream: PartitionsDefinition,
  upstream: PartitionsDefinition,
  reason: string,
): PartitionError {
  return new PartitionError(
    'invalid-mapping',
    `${mapping} cannot map ${downstream.description} (downstream) to ${upstream.description} (upstream): ${reason}`,
  );
}
