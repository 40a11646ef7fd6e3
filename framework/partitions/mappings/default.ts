import type { PartitionsDefinition } from '../definition.ts';
import type { PartitionMapping } from '../mapping.ts';
import { PartitionError } from '../../util/errors.ts';
import { alignedShift } from './aligned-shift.ts';
import { allPartitions } from './all.ts';
import { dimensions } from './dimensions.ts';
import { identity } from './identity.ts';
import { timeGranularity } from './time-granularity.ts';

/**
 * The mapping of a dependency that declares none, by the first rule that applies:
 * 1. one key space (or sessions or windows of one cadence that only start or end apart): `identity()`;
 * 2. either side unpartitioned: `allPartitions()`;
 * 3. two time-based definitions of different granularity: `timeGranularity()`;
 * 4. multi-partitions sharing dimensions (same name, same key space), or a definition that is one
 *    dimension of the other: `dimensions()` with `identity()` on each shared dimension;
 * 5. otherwise a PartitionError (`invalid-mapping`) asking for an explicit mapping.
 *
 * @example
 * defaultMapping(positions.partitions, executions.partitions).spec; // { kind: 'dimensions', dimensions: { date: { kind: 'identity' } } }
 */
export function defaultMapping(downstream: PartitionsDefinition, upstream: PartitionsDefinition): PartitionMapping {
  if (alignedShift(downstream, upstream) !== undefined) return identity();
  if (downstream.spec.kind === 'unpartitioned' || upstream.spec.kind === 'unpartitioned') return allPartitions();
  if (downstream.time && upstream.time) return timeGranularity();
  if (downstream.dimensions || upstream.dimensions) {
    const shared = sharedDimensions(downstream, upstream);
    if (shared.length > 0) return dimensions(Object.fromEntries(shared.map((name) => [name, identity()])));
  }
  throw new PartitionError(
    'invalid-mapping',
    `no default partition mapping from ${downstream.description} (downstream) to ${upstream.description} (upstream): ` +
      `they share no key space, time axis or dimension; declare one on the dependency, e.g. allPartitions(), dimensions({ … }) or mapWith({ upstreamKeys })`,
  );
}

/** Names of the dimensions both sides share; a definition that is not multi-partitioned matches a dimension of the other by key space. */
function sharedDimensions(downstream: PartitionsDefinition, upstream: PartitionsDefinition): string[] {
  const matches = (a: PartitionsDefinition, b: PartitionsDefinition) => alignedShift(a, b) !== undefined;
  if (downstream.dimensions && upstream.dimensions) {
    return downstream.dimensions
      .filter((down) => upstream.dimensions!.some((up) => up.name === down.name && matches(down.definition, up.definition)))
      .map((down) => down.name);
  }
  const multiSide = (downstream.dimensions ?? upstream.dimensions)!;
  const single = downstream.dimensions ? upstream : downstream;
  const candidates = multiSide.filter((dim) =>
    downstream.dimensions ? matches(dim.definition, single) : matches(single, dim.definition),
  );
  // Two dimensions over the same key space (a from-date and a to-date) leave the choice to the user.
  return candidates.length === 1 ? [candidates[0]!.name] : [];
}
