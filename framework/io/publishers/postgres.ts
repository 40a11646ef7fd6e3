import pg from 'pg';
import type { PublishRequest, PublishResult, PublishTarget } from '../../definitions/publish-target.ts';
import { PublishError } from '../../util/errors.ts';
import { quoteIdentifier } from '../sql-text.ts';
import { copyIn } from './postgres-copy.ts';
import { PARTITION_COLUMN, parquetSource, partitionSelect, PUBLISHES_TABLE, publishFailure, tableNameOf } from './target-table.ts';

export interface PostgresTableOptions {
  /** A PostgreSQL connection string; its credentials never appear in URIs or messages. */
  url: string;
  /** The schema of the table (created when missing); default `public`. */
  schema?: string;
  /** The table; default the asset key as a plain identifier (`northbridge__risk_positions_file`). */
  table?: string;
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

/** DuckDB types whose text never holds a tab, newline or backslash, so COPY needs no escaping. */
const PLAIN_TEXT = /^(BOOLEAN|U?(TINYINT|SMALLINT|INTEGER|BIGINT)|HUGEINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|DATE|TIME|TIMESTAMP.*|UUID)$/;

/**
 * A column as COPY's text format spells it: `\N` for NULL, and backslash, tab, newline and carriage
 * return escaped; a BLOB in bytea's hex form. DuckDB builds the text, so JS only joins lines.
 */
function copyText({ column_name: name, column_type: type }: { column_name: string; column_type: string }): string {
  const column = quoteIdentifier(name);
  const upper = type.toUpperCase();
  if (PLAIN_TEXT.test(upper)) return String.raw`coalesce(cast(${column} as varchar), '\N')`;
  const text = upper === 'BLOB' ? String.raw`'\x' || hex(${column})` : `cast(${column} as varchar)`;
  return String.raw`coalesce(replace(replace(replace(replace(${text}, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r'), '\N')`;
}

/** The rows of a streamed one-column result as COPY text, one buffer per chunk. */
async function* copyLines(chunks: AsyncIterable<unknown[][]>): AsyncIterable<Buffer> {
  for await (const rows of chunks) yield Buffer.from(`${rows.map((row) => row[0] as string).join('\n')}\n`);
}

/**
 * A PostgreSQL table per asset: each publish deletes the partition's rows and loads the file's in
 * one transaction, and records the data version in `_daybook_publishes`, so that a rerun of the same
 * data writes nothing. DuckDB reads the file once, in order, and turns each row into COPY's text
 * format; the lines stream into `COPY … FROM STDIN` as they come, and PostgreSQL parses them into
 * the column types.
 *
 * @example
 * defineAsset({ key: 'northbridge/finance-pnl-file', publish: [postgresTable({ url: process.env.FINANCE_DB! })], ... });
 */
export function postgresTable({ url, schema = 'public', table }: PostgresTableOptions): PublishTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new PublishError('publish-invalid-target', 'postgresTable: url is not a PostgreSQL connection string', { field: 'url', cause });
  }
  const where = `postgres://${parsed.host}${parsed.pathname}`;
  return {
    name: `${where}#${schema}${table === undefined ? '' : `.${table}`}`,
    publish: (request) => publishTo({ url, where, schema, table: table ?? tableNameOf(request.asset) }, request),
    destinationOf: (asset) => `${where}#${schema}.${table ?? tableNameOf(asset)}`,
  };
}

interface Target {
  url: string;
  where: string;
  schema: string;
  table: string;
}

async function publishTo({ url, where, schema, table }: Target, request: PublishRequest): Promise<PublishResult> {
  const uri = `${where}#${schema}.${table}`;
  const target = `${ident(schema)}.${ident(table)}`;
  const publishes = `${ident(schema)}.${ident(PUBLISHES_TABLE)}`;
  let step = 'reading the file';
  const client = new pg.Client({ connectionString: url, application_name: 'daybook publish' });
  // A connection that drops (a restart, pg_terminate_backend) fails the query in flight; without a
  // listener, the client's own 'error' event would end the process.
  client.on('error', () => undefined);
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
    // Created only when missing: CREATE INDEX, even IF NOT EXISTS, locks out every other writer of the table.
    const [found] = (await client.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [target])).rows;
    if (!found!.exists) {
      const definition = columns.map((column) => `${ident(column.column_name)} ${postgresType(column.column_type)}`).join(', ');
      await client.query(`create table ${target} (${definition})`);
      await client.query(`create index ${ident(`${table}${PARTITION_COLUMN}`)} on ${target} (${ident(PARTITION_COLUMN)})`);
    }
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
    const lines = request.reader.stream(`select ${columns.map(copyText).join(' || chr(9) || ')} from (${select})`);
    const copy = copyIn(`copy ${target} (${names}) from stdin`, copyLines(lines));
    void client.query(copy);
    const copied = await copy.done;
    if (copied !== request.rowCount) throw new Error(`copied ${copied} rows, but the partition has ${request.rowCount}`);
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
