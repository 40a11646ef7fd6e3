import type { PublishRequest } from '../../definitions/publish-target.ts';
import { PublishError } from '../../util/errors.ts';
import { quoteIdentifier, quoteLiteral } from '../sql-text.ts';

/** The column holding each row's partition key: the rows a republish deletes are exactly these. */
export const PARTITION_COLUMN = '_daybook_partition';
/** The table, in each target, recording which data version of each partition it holds. */
export const PUBLISHES_TABLE = '_daybook_publishes';

/**
 * The table an asset publishes to: its key made a plain lower-case identifier, `/` becoming `__`
 * (`northbridge/risk-positions-file` → `northbridge__risk_positions_file`), so that analysts can
 * write it without quotes. It is still quoted wherever it reaches SQL.
 */
export function tableNameOf(asset: string): string {
  return asset.toLowerCase().split('/').map((part) => part.replace(/[^a-z0-9_]/g, '_')).join('__');
}

/** A publish failure that names the asset, partition and target. */
export function publishFailure(target: string, request: Pick<PublishRequest, 'asset' | 'partition'>, what: string, cause: unknown): PublishError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PublishError('publish-failed', `asset "${request.asset}" partition "${request.partition}": publishing to ${target} failed: ${what}: ${reason}`, {
    asset: request.asset,
    partition: request.partition,
    field: target,
    cause,
  });
}

/**
 * The file's rows with their partition key, plus each dimension's value of a multi-dimension key
 * when the file has no column of that name (a single dimension's value is the key itself).
 */
export function partitionSelect(request: PublishRequest, fileColumns: readonly string[], source: string): string {
  const extra = [`${quoteLiteral(request.partition)} as ${quoteIdentifier(PARTITION_COLUMN)}`];
  const dimensions = Object.entries(request.partitionColumns);
  if (dimensions.length > 1) {
    for (const [dimension, value] of dimensions) {
      if (!fileColumns.includes(dimension)) extra.push(`${quoteLiteral(value)} as ${quoteIdentifier(dimension)}`);
    }
  }
  return `select *, ${extra.join(', ')} from ${source}`;
}

/** The partition file as a DuckDB relation; its `partition=…` directories are storage layout, not columns. */
export function parquetSource(file: string): string {
  return `read_parquet(${quoteLiteral(file)}, hive_partitioning = false)`;
}
