import pg from 'pg';
import type { PublishRequest, PublishResult, PublishTarget } from '../../definitions/publish-target.ts';
import { PublishError } from '../../util/errors.ts';
import { PARTITION_COLUMN, parquetSource, partitionSelect, PUBLISHES_TABLE, publishFailure, tableNameOf } from './target-table.ts';

export interface PostgresTableOptions {
  /** A PostgreSQL connection string; its credentials never appear in URIs or messages. */
  url: string;
  /** The schema of the table (created when missing); default `public`. */
  schema?: string;
  /** The table; default the asset key as a plain identifier (`northbridge__risk_positions_file`). */
  table?: string;
  /** Rows sent per INSERT: each batch travels as one JSON parameter. */
  batchRows?: number;
}

/** PostgreSQL's type for a column of DuckDB's type; text for anything without a faithful match. */
function postgresType(duckdbType: string): string {
  const type = duckdbType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `numeric(${decimal[1]}, ${decimal[2]})`;
  const types: Record<string, string> = {
    BOOLEAN: 'boolean', TINYINT: 'smallint', SMALLINT: 'smallint', INTEGER: 'integer', BIGINT: 'bigint',
    UTINYINT: 'smallint', USMALLINT: 'integer', UINTEGER: 'bigint', UBIGINT: 'numeric(20, 0)', HUGEINT: 'numeric(39, 0)',
    FLOAT: 'real', DOUBLE: 'double precision', DATE: 'date', TIME: 'time', TIMESTAMP: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz', UUID: 'uuid', VARCHAR: 'text', BLOB: 'bytea',
  };
  return types[type] ?? 'text';
}

const ident = (name: string): string => pg.escapeIdentifier(name);

/**
 * A PostgreSQL table per asset: each publish deletes the partition's rows and inserts the file's in
 * one transaction, and records the data version in `_daybook_publishes`, so that a rerun of the same
 * data writes nothing. The rows are read through DuckDB in batches, as text, and PostgreSQL parses
 * them into the column types.
 *
 * @example
 * defineAsset({ key: 'northbridge/finance-pnl-file', publish: [postgresTable({ url: process.env.FINANCE_DB! })], ... });
 */
export function postgresTable({ url, schema = 'public', table, batchRows = 5_000 }: PostgresTableOptions): PublishTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new PublishError('publish-invalid-target', 'postgresTable: url is not a PostgreSQL connection string', { field: 'url', cause });
  }
  const where = `postgres://${parsed.host}${parsed.pathname}`;
  return {
    name: `${where}#${schema}${table === undefined ? '' : `.${table}`}`,
    publish: (request) => publishTo({ url, where, schema, table: table ?? tableNameOf(request.asset), batchRows }, request),
  };
}

interface Target {
  url: string;
  where: string;
  schema: string;
  table: string;
  batchRows: number;
}

async function publishTo({ url, where, schema, table, batchRows }: Target, request: PublishRequest): Promise<PublishResult> {
  const uri = `${where}#${schema}.${table}`;
  const target = `${ident(schema)}.${ident(table)}`;
  const publishes = `${ident(schema)}.${ident(PUBLISHES_TABLE)}`;
  let step = 'reading the file';
  const client = new pg.Client({ connectionString: url });
  let connected = false;
  try {
    const source = parquetSource(request.file);
    const described = await request.reader.query<{ column_name: string; column_type: string }>(`describe select * from ${source}`);
    const select = partitionSelect(request, described.map((column) => column.column_name), source);
    const columns = await request.reader.query<{ column_name: string; column_type: string }>(`describe ${select}`);
    step = 'connecting';
    await client.connect();
    connected = true;
    step = 'preparing the table';
    await client.query('begin');
    // One publisher at a time per table: concurrent first publishes must not race to create it.
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`daybook:${schema}.${table}`]);
    await client.query(`create schema if not exists ${ident(schema)}`);
    await client.query(`create table if not exists ${publishes} (
      table_name text not null, partition_key text not null, data_version text not null, run_id text not null,
      row_count bigint not null, published_at timestamptz not null, primary key (table_name, partition_key))`);
    const definition = columns.map((column) => `${ident(column.column_name)} ${postgresType(column.column_type)}`).join(', ');
    await client.query(`create table if not exists ${target} (${definition})`);
    await client.query(`create index if not exists ${ident(`${table}${PARTITION_COLUMN}`)} on ${target} (${ident(PARTITION_COLUMN)})`);
    const held = await client.query<{ data_version: string }>(
      `select data_version from ${publishes} where table_name = $1 and partition_key = $2`,
      [table, request.partition],
    );
    if (held.rows[0]?.data_version === request.dataVersion) {
      await client.query('rollback');
      return { uri, published: false };
    }
    step = 'replacing the partition rows';
    await client.query(`delete from ${target} where ${ident(PARTITION_COLUMN)} = $1`, [request.partition]);
    const names = columns.map((column) => ident(column.column_name)).join(', ');
    for (let offset = 0; ; offset += batchRows) {
      const rows = await request.reader.query(`select columns(*)::varchar from (${select}) limit ${batchRows} offset ${offset}`);
      if (rows.length === 0) break;
      await client.query(`insert into ${target} (${names}) select ${names} from json_populate_recordset(null::${target}, $1::json)`, [
        JSON.stringify(rows),
      ]);
      if (rows.length < batchRows) break;
    }
    await client.query(
      `insert into ${publishes} (table_name, partition_key, data_version, run_id, row_count, published_at) values ($1, $2, $3, $4, $5, now())
        on conflict (table_name, partition_key) do update set data_version = excluded.data_version, run_id = excluded.run_id,
          row_count = excluded.row_count, published_at = excluded.published_at`,
      [table, request.partition, request.dataVersion, request.runId, request.rowCount],
    );
    await client.query('commit');
    return { uri, published: true };
  } catch (cause) {
    if (connected) await client.query('rollback').catch(() => undefined);
    throw publishFailure(uri, request, step, cause);
  } finally {
    if (connected) await client.end().catch(() => undefined);
  }
}
