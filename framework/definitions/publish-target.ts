/**
 * The part of a DuckDB connection a publisher may use to read the partition's Parquet file. It is
 * structural so that definitions need not import io; the executor passes the step's connection.
 */
export interface PublishReader {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly (string | number | boolean | bigint | null)[]): Promise<Row[]>;
  /** Yields a query's rows in order, a chunk at a time, each row as an array of values; for loads too large to hold. */
  stream(sql: string): AsyncIterable<unknown[][]>;
}

/** One partition to publish: its stored Parquet file and what identifies its content. */
export interface PublishRequest {
  readonly asset: string;
  /** The partition key, e.g. `2026-11-20|PF001`; `''` for an unpartitioned asset. */
  readonly partition: string;
  /** The key's dimension values by dimension name, e.g. `{ date: '2026-11-20', portfolio: 'PF001' }`. */
  readonly partitionColumns: Readonly<Record<string, string>>;
  /** The hash of the file: a target that already holds this version does nothing. */
  readonly dataVersion: string;
  /** The local Parquet file, already checked and in place in partition storage. */
  readonly file: string;
  readonly rowCount: number;
  readonly runId: string;
  readonly reader: PublishReader;
}

/** What a publish did. */
export interface PublishResult {
  /** Where the rows are, without credentials, e.g. `postgres://db.internal:5432/risk#public.positions`. */
  readonly uri: string;
  /** `false` when the target already held this data version and nothing was written. */
  readonly published: boolean;
}

/**
 * Where a step publishes a partition once its blocking checks pass. Implementations (warehouse, S3,
 * Redshift, PostgreSQL) live in framework/io/publishers; users pass instances in an asset's `publish`.
 * A publish must be idempotent per data version, and must replace the partition's rows atomically.
 *
 * @example
 * defineAsset({ key: 'northbridge/positions', publish: [warehouse()], ... });
 */
export interface PublishTarget {
  /** A short name shown in status output, e.g. `warehouse` or `s3://bucket/prefix`. */
  readonly name: string;
  /** Replaces the partition's rows with the file's, unless this data version is already there. */
  publish(request: PublishRequest): Promise<PublishResult>;
  /**
   * Where this target puts an asset's rows, for a target that maps asset keys to table names, which
   * is not one-to-one (`a/b-c` and `a/b_c` both become `a__b_c`): a URI such as
   * `postgres://db:5432/risk#public.a__b_c`. `defineDefinitions()` rejects two assets that would
   * share one, so that neither replaces the other's rows.
   */
  destinationOf?(asset: string): string;
}
