// The store state the planner reads, as typed arrays. It lives below both: the store produces it
// (framework/store/planner-state.ts) and the planner consumes it, and neither may import the other.

/**
 * What the store knows about one asset's partitions, as arrays indexed by partition index. Arrays
 * may be shorter than the definition (dynamic keys added later): missing entries mean "nothing recorded".
 */
export interface AssetState {
  /** Store sequence of the latest materialization (for a source, the latest observation); 0 = none. */
  readonly materializedSeq: Float64Array;
  /**
   * Store sequence at which the partition's current data version was first recorded; 0 = none.
   * A downstream partition materialized before this sequence consumed an older version.
   */
  readonly versionSeq: Float64Array;
  /** Code version of the latest materialization, as an index into `codeVersions`; 0 = unknown. */
  readonly codeVersion: Uint16Array;
  /** Interned code versions; entry 0 is the empty placeholder. */
  readonly codeVersions: readonly string[];
  /** 1 where the latest attempt failed after the latest materialization (or a blocking check failed). */
  readonly failed: Uint8Array;
}

/** The store state the planner reads. It never reads a clock or does I/O of its own. */
export interface PlannerState {
  /** The state of one asset, or undefined when nothing was ever recorded for it. */
  asset(key: string): AssetState | undefined;
  /** For explaining steps: the current data version of a partition. */
  dataVersion?(asset: string, index: number): string | undefined;
  /** For explaining steps: the version of an upstream partition that a partition's latest materialization consumed. */
  consumedVersion?(asset: string, index: number, upstream: string, upstreamKey: string): string | undefined;
  /** For explaining steps: the error of the latest failed attempt. */
  failure?(asset: string, index: number): string | undefined;
}
