import type { PartitionsDefinition } from './definition.ts';
import type { PartitionSubset } from './subset.ts';

/** JSON-safe description of a mapping, e.g. `{ kind: 'offset', by: -1 }`. */
export interface PartitionMappingSpec {
  readonly kind: string;
  readonly [param: string]: unknown;
}

/** The upstream partitions a set of downstream partitions needs. */
export interface UpstreamPartitions {
  /** The upstream partitions that exist. */
  readonly subset: PartitionSubset;
  /** Keys that would be needed but are not in the upstream definition (e.g. the session before its start). */
  readonly missing: readonly string[];
}

/**
 * The relation between a downstream asset's partitions and an upstream asset's partitions, declared
 * on a dependency edge. `bind` checks that it applies to the two definitions.
 *
 * @example
 * deps: { 'northbridge/positions': previousSession() }
 */
export interface PartitionMapping {
  readonly spec: PartitionMappingSpec;
  /** Checks the mapping applies to the two definitions and prepares it; throws a PartitionError (`invalid-mapping`) saying why not. */
  bind(downstream: PartitionsDefinition, upstream: PartitionsDefinition): BoundPartitionMapping;
}

/** A mapping bound to a downstream and an upstream definition, answering in both directions. */
export interface BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  /** Upstream partitions needed by the given downstream partitions, and the needed keys that do not exist. */
  upstreamOf(downstream: PartitionSubset): UpstreamPartitions;
  /** Downstream partitions affected by the given upstream partitions. */
  downstreamOf(upstream: PartitionSubset): PartitionSubset;
  /** Calls `visit` with each existing upstream index that one downstream partition needs. */
  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void;
  /**
   * The planner's vector operation: for every downstream index d,
   * `out[d] = max(out[d], max of values[u] over the upstream partitions u that d needs)`.
   * `values` is indexed by upstream partition and `out` by downstream partition.
   */
  pullMax(values: Float64Array, out: Float64Array): void;
  /**
   * True when every upstream index is strictly below its downstream index (both sides being the same
   * key space). An asset may depend on itself only through such a mapping (e.g. the previous session).
   */
  readonly strictlyEarlier: boolean;
}
