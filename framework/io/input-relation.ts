/**
 * A named relation that SQL sees, e.g. `executions`: upstream partitions' Parquet files, or one
 * source file made readable by `readSource()`. It remembers where its rows come from, so that an
 * error while reading them can name the asset, partition and file.
 */
export interface InputRelation {
  /** The SQL name. */
  readonly name: string;
  /** The asset the rows belong to. */
  readonly asset: string;
  /** The partition keys read, in the order of `files`. */
  readonly partitions: readonly string[];
  /** The files read. */
  readonly files: readonly string[];
  /**
   * `parquet`: files that `runSqlCompute()` registers as a view. `view`: already registered on the
   * connection (by `readSource()`); temporary views belong to one connection.
   */
  readonly kind: 'parquet' | 'view';
}
