/**
 * Where a step publishes a partition once its blocking checks pass. Implementations (warehouse, S3,
 * Redshift, PostgreSQL) live in framework/io/publishers; users pass instances in an asset's `publish`.
 */
export interface PublishTarget {
  /** A short name shown in status output, e.g. `warehouse` or `s3://bucket/prefix`. */
  readonly name: string;
}
