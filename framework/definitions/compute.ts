/** What a TypeScript compute function receives. The executor provides it. */
export interface ComputeContext {
  readonly asset: string;
  /** The partition key; `''` for an unpartitioned asset. */
  readonly partitionKey: string;
}

/** A TypeScript compute: given the context, it produces the partition. */
export type ComputeFunction = (context: ComputeContext) => unknown;

/**
 * How an asset is computed: DuckDB SQL (upstream partitions are visible as named relations) or a
 * TypeScript function.
 */
export type Compute = string | ComputeFunction;
