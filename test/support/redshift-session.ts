// One database session of the test Redshift Data API endpoint: a PostgreSQL connection set up to read
// SQL as Redshift does, the Data API's `:name` parameters, and results in the Data API's typed shape.
import type { S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { DuckDB } from '../../framework/io/duckdb.ts';
import { parseCopy, runCopy, SqlStateError } from './redshift-copy.ts';

/** A Data API `Field`: one typed value of a result row. */
export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string }
  | { blobValue: string };

/** A Data API `ColumnMetadata`. */
export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  precision: number;
  scale: number;
  length: number;
  nullable: number;
  isSigned: boolean;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  schemaName: string;
  tableName: string;
}

/** What one statement did. */
export interface StatementOutcome {
  /** Rows returned, or rows changed (INSERT, DELETE, COPY). */
  readonly rows: number;
  readonly result: { readonly columns: ColumnMetadata[]; readonly records: Field[][] } | undefined;
}

/** A Data API request parameter. */
export interface SqlParameter {
  readonly name: string;
  readonly value: string;
}

export interface SessionOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  /** Shown in pg_stat_activity, so that tests can find (and terminate) the endpoint's connections. */
  readonly applicationName: string;
  /** PostgreSQL type names by OID, for column metadata. */
  readonly typeNames: ReadonlyMap<number, string>;
  readonly s3: S3Client | undefined;
  readonly duckdb: () => Promise<DuckDB>;
}

/** An open session: run statements on it, then close it. */
export interface Session {
  readonly pid: number;
  run(sql: string, parameters?: readonly SqlParameter[]): Promise<StatementOutcome>;
  query(sql: string): Promise<void>;
  close(): Promise<void>;
}

const raw = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;
const SIGNED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const TEXT = new Set(['text', 'varchar', 'bpchar', 'name']);

/**
 * Opens a session: its own connection, as each Data API statement without a session gets. It uses
 * the endpoint's schema, UTC, and Redshift's string literals, where a backslash escapes (Redshift
 * behaves as PostgreSQL with standard_conforming_strings off).
 */
export async function openSession(options: SessionOptions): Promise<Session> {
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: options.applicationName });
  // A terminated backend reports through the running query; the event must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(
      `set search_path to ${pg.escapeIdentifier(options.schema)}; set timezone to 'UTC'; set standard_conforming_strings to off; set escape_string_warning to off`,
    );
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return {
      pid: rows[0]!.pid,
      query: async (sql) => {
        await client.query(sql);
      },
      run: (sql, parameters = []) => run(client, options, sql, parameters),
      close: () => client.end().catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function run(client: pg.Client, options: SessionOptions, sql: string, parameters: readonly SqlParameter[]): Promise<StatementOutcome> {
  const copy = parseCopy(sql);
  if (copy !== undefined) {
    if (parameters.length > 0) throw new SqlStateError('COPY takes no parameters', '0A000');
    if (options.s3 === undefined) throw new SqlStateError('this test endpoint was started without an S3 server, so it cannot COPY', '0A000');
    return { rows: await runCopy(copy, { client, s3: options.s3, duckdb: await options.duckdb() }), result: undefined };
  }
  const { text, values } = bindParameters(sql, parameters);
  // The extended protocol runs exactly one statement, as ExecuteStatement does.
  const config = { text, values, rowMode: 'array', types: raw, queryMode: 'extended' } as pg.QueryArrayConfig;
  const result = await client.query(config);
  if (result.fields.length === 0) return { rows: result.rowCount ?? 0, result: undefined };
  const columns = result.fields.map((field) => columnMetadata(field, options.typeNames));
  const records = result.rows.map((row: unknown[]) => row.map((value, k) => fieldOf(value as string | null, columns[k]!.typeName)));
  return { rows: result.rows.length, result: { columns, records } };
}

const TOKENS = /'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|::|:([A-Za-z0-9_]+)/g;

/** The Data API parameters (`:name`) a statement uses, outside literals, quoted names, comments and `::` casts. */
export function parameterNames(sql: string): string[] {
  const names = new Set<string>();
  for (const [, name] of sql.matchAll(TOKENS)) if (name !== undefined) names.add(name);
  return [...names];
}

/** Replaces the Data API's `:name` parameters with PostgreSQL's `$n`; a parameter without a value fails the statement. */
export function bindParameters(sql: string, parameters: readonly SqlParameter[]): { text: string; values: string[] } {
  const given = new Map(parameters.map((parameter) => [parameter.name, parameter.value]));
  const order = parameterNames(sql);
  for (const name of order) if (!given.has(name)) throw new SqlStateError(`no value was given for parameter :${name}`, '42P02');
  const text = sql.replace(TOKENS, (token, name: string | undefined) => (name === undefined ? token : `$${order.indexOf(name) + 1}`));
  return { text, values: order.map((name) => given.get(name)!) };
}

function columnMetadata(field: pg.FieldDef, typeNames: ReadonlyMap<number, string>): ColumnMetadata {
  const typeName = typeNames.get(field.dataTypeID) ?? `oid:${field.dataTypeID}`;
  const modifier = field.dataTypeModifier;
  const numeric = typeName === 'numeric' && modifier >= 4;
  const sized = (typeName === 'varchar' || typeName === 'bpchar') && modifier >= 4;
  return {
    name: field.name,
    label: field.name,
    typeName,
    precision: numeric ? ((modifier - 4) >> 16) & 0xffff : sized ? modifier - 4 : 0,
    scale: numeric ? (modifier - 4) & 0xffff : 0,
    length: sized ? modifier - 4 : field.dataTypeSize,
    nullable: 1,
    isSigned: SIGNED.has(typeName),
    isCaseSensitive: TEXT.has(typeName),
    isCurrency: false,
    schemaName: '',
    tableName: '',
  };
}

/** A value as the Data API types it: numbers of integer and float types, base64 bytes, text for the rest (numeric included). */
function fieldOf(value: string | null, typeName: string): Field {
  if (value === null) return { isNull: true };
  switch (typeName) {
    case 'bool':
      return { booleanValue: value === 't' };
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      return { longValue: Number(value) };
    case 'float4':
    case 'float8': {
      const number = Number(value);
      return Number.isFinite(number) ? { doubleValue: number } : { stringValue: value };
    }
    case 'bytea':
      return { blobValue: Buffer.from(value.slice(2), 'hex').toString('base64') };
    default:
      return { stringValue: value };
  }
}

/** A failure as the Data API's `Error` text: `ERROR: relation "x" does not exist (SQLSTATE 42P01)`. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const { severity, code } = error as Error & { severity?: string; code?: string };
    const state = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
    return `${severity ?? 'ERROR'}: ${error.message}${state}`;
  }
  return `ERROR: ${String(error)}`;
}
