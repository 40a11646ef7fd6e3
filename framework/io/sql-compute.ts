import type { AssetDefinition } from '../definitions/asset.ts';
import { MaterializationError } from '../util/errors.ts';
import type { Column, DuckDBConnection, SqlParams } from './duckdb.ts';
import type { InputRelation } from './input-relation.ts';
import type { PartitionStorage, StoredPartition } from './partition-storage.ts';
import { readError } from './read-error.ts';
import { quoteLiteral } from './sql-text.ts';

export interface SqlComputeOptions {
  /** The step's own connection: the inputs' views are created on it and dropped afterwards. */
  connection: DuckDBConnection;
  storage: PartitionStorage;
  asset: Pick<AssetDefinition, 'key' | 'partitions'>;
  partition: string;
  /** One SELECT (a trailing `;` is allowed). It reads the inputs by their names. */
  sql: string;
  /** The relations the SQL reads. */
  inputs?: readonly InputRelation[];
  /** Values for `$name` or `?` parameters in the SQL, e.g. `{ partition: '2026-11-20' }`. */
  params?: SqlParams;
  /**
   * The output's columns when the caller already knows them (the same SQL ran for another partition
   * of the asset): reading them back from the file costs as much as a small step's COPY.
   */
  knownSchema?: readonly Column[];
  /**
   * Inspects the written file before it is stored, e.g. the quality checks. Resolving to false
   * discards it: the partition's previous file (or none) stays in place, and the result says `rejected`.
   */
  verify?: (file: string, schema: readonly Column[]) => Promise<boolean>;
}

/** What a SQL compute stored. */
export interface SqlComputeResult extends StoredPartition {
  readonly rowCount: number;
  /** The output's columns, as DuckDB reads them back from the Parquet file. */
  readonly schema: readonly Column[];
}

/** A compute whose output `verify` refused: nothing was stored. */
export interface RejectedCompute {
  readonly rejected: true;
  readonly rowCount: number;
  readonly schema: readonly Column[];
}

/** Thrown inside `storage.write()` to make it discard the temporary file; never escapes. */
const REJECTED = new Error('rejected by verify');

/**
 * Runs an asset's SQL for one partition and stores the result as its Parquet file:
 * `COPY (<sql>) TO '<temporary file>' (FORMAT parquet)` inside `storage.write()`, so the file
 * appears whole or not at all and its data version is the hash of its bytes.
 *
 * @example
 * const result = await runSqlCompute({
 *   connection, storage, asset: pnl, partition: '2026-11-20',
 *   sql: 'select p.portfolio, sum(p.qty * x.close) as value from positions p join prices x using (security) group by all',
 *   inputs: [{ name: 'positions', asset: 'northbridge/positions', partitions: ['2026-11-20'], files: [positionsFile], kind: 'parquet' }, pricesRelation],
 * });
 */
export async function runSqlCompute(options: SqlComputeOptions & { verify: NonNullable<SqlComputeOptions['verify']> }): Promise<SqlComputeResult | RejectedCompute>;
export async function runSqlCompute(options: SqlComputeOptions): Promise<SqlComputeResult>;
export async function runSqlCompute({
  connection,
  storage,
  asset,
  partition,
  sql,
  inputs = [],
  params,
  knownSchema,
  verify,
}: SqlComputeOptions): Promise<SqlComputeResult | RejectedCompute> {
  const context = { asset: asset.key, partition, relations: inputs };
  const names = new Set<string>();
  for (const input of inputs) {
    if (names.has(input.name)) {
      throw new MaterializationError('sql-failed', `asset "${asset.key}" partition ${JSON.stringify(partition)}: two inputs are named ${input.name}`, {
        asset: asset.key,
        partition,
        field: input.name,
      });
    }
    names.add(input.name);
  }
  const body = sql.trim().replace(/;\s*$/, '');
  const registered: string[] = [];
  let rowCount = 0;
  let schema: readonly Column[] = knownSchema ?? [];
  try {
    for (const input of inputs) {
      if (input.kind !== 'parquet') continue;
      if (input.files.length === 0) {
        throw new MaterializationError(
          'sql-failed',
          `asset "${asset.key}" partition ${JSON.stringify(partition)}: input ${input.name} (asset "${input.asset}") has no partition files to read`,
          { asset: asset.key, partition, field: input.name },
        );
      }
      await connection.registerParquet(input.name, input.files);
      registered.push(input.name);
    }
    const stored = await storage.write({ asset, partition }, async (temp) => {
      rowCount = await connection.run(`COPY (${body}) TO ${quoteLiteral(temp)} (FORMAT parquet)`, params);
      if (!knownSchema) schema = await connection.describe(`SELECT * FROM read_parquet(${quoteLiteral(temp)}, hive_partitioning = false)`);
      if (verify && !(await verify(temp, schema))) throw REJECTED;
    });
    return { ...stored, rowCount, schema };
  } catch (error) {
    if (error === REJECTED) return { rejected: true, rowCount, schema };
    throw await readError(error, context);
  } finally {
    for (const name of registered) await connection.dropRelation(name).catch(() => undefined);
  }
}
