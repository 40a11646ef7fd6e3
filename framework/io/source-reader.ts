import { MaterializationError } from '../util/errors.ts';
import { readCsvHeader } from './csv-header.ts';
import type { Column, DuckDBConnection } from './duckdb.ts';
import type { InputRelation } from './input-relation.ts';
import { readError } from './read-error.ts';
import type { PresentSource, SourceFormat } from './source-observer.ts';
import { quoteIdentifier, quoteLiteral } from './sql-text.ts';

export interface ReadSourceOptions {
  connection: DuckDBConnection;
  /** The observed file. */
  source: PresentSource;
  /** The relation name SQL uses, e.g. `executions`. */
  name: string;
  /**
   * Columns the file must have, with their DuckDB types (`{ qty: 'BIGINT', price: 'DECIMAL(18,6)' }`).
   * Other columns keep the type DuckDB detects. Without it, every type is detected.
   */
  columns?: Readonly<Record<string, string>>;
  /** The CSV field delimiter. */
  delimiter?: string;
}

/** A source file readable as a relation, with the columns it has. */
export interface SourceRelation extends InputRelation {
  readonly kind: 'view';
  readonly format: SourceFormat;
  readonly columns: readonly Column[];
}

/** Type names like `BIGINT`, `DECIMAL(18,4)`, `TIMESTAMP WITH TIME ZONE`, `VARCHAR[]`: declared types reach SQL text. */
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/;

// Every reader passes hive_partitioning = false: a landing path such as `broker=GSCO/…` must not
// grow the relation a column.

/**
 * Makes one observed source file readable as a temporary view on the connection: CSV (with a
 * header, RFC 4180 quoting), JSON lines, or Parquet. Columns the caller declares are checked to be
 * present and given their declared type. Rows are read when SQL reads the view, so a bad row further
 * down surfaces then, and `readError()` (which `runSqlCompute()` applies) names this file and line.
 *
 * @example
 * const relation = await readSource({ connection, source: observation, name: 'executions', columns: { qty: 'BIGINT' } });
 * await connection.query('select count(*) as n from executions');
 */
export async function readSource({ connection, source, name, columns: declared = {}, delimiter = ',' }: ReadSourceOptions): Promise<SourceRelation> {
  const { asset, partition, path, format } = source;
  const relation: SourceRelation = { name, asset, partitions: [partition], files: [path], kind: 'view', format, columns: [] };
  const fail = (code: 'malformed-input' | 'missing-column', problem: string, field: string = path): never => {
    throw new MaterializationError(code, `asset "${asset}" partition ${JSON.stringify(partition)}: file ${path}: ${problem}`, {
      asset,
      partition,
      field,
    });
  };
  for (const [column, type] of Object.entries(declared)) {
    if (!TYPE_NAME.test(type)) fail('malformed-input', `declared column "${column}" has type ${JSON.stringify(type)}, which is not a DuckDB type name`, column);
  }
  if (delimiter.length !== 1 || /["\r\n\0]/.test(delimiter)) fail('malformed-input', `delimiter ${JSON.stringify(delimiter)} must be one character other than a quote or newline`);

  try {
    let select: string;
    if (source.bytes === 0) {
      if (Object.keys(declared).length === 0) fail('malformed-input', 'the file is empty, and no declared columns give it a schema');
      select = `SELECT ${Object.entries(declared)
        .map(([column, type]) => `CAST(NULL AS ${type}) AS ${quoteIdentifier(column)}`)
        .join(', ')} WHERE false`;
    } else if (format === 'csv') {
      select = await csvSelect({ connection, path, declared, delimiter, fail });
    } else if (format === 'jsonl') {
      select = await jsonSelect({ connection, path, declared, fail });
    } else {
      select = await parquetSelect({ connection, path, declared, fail });
    }
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(name)} AS ${select}`);
    return { ...relation, columns: await connection.describe(quoteIdentifier(name)) };
  } catch (error) {
    throw await readError(error, { asset, partition, relations: [relation] });
  }
}

interface SelectOptions {
  readonly connection: DuckDBConnection;
  readonly path: string;
  readonly declared: Readonly<Record<string, string>>;
  readonly fail: (code: 'malformed-input' | 'missing-column', problem: string, field?: string) => never;
}

/** Demands the declared columns among the file's, naming the first one missing and what the file has. */
function requireColumns(present: readonly string[], { declared, fail }: SelectOptions): void {
  const missing = Object.keys(declared).find((column) => !present.includes(column));
  if (missing !== undefined) fail('missing-column', `no column "${missing}" (the file has ${present.map((c) => `"${c}"`).join(', ')})`, missing);
}

function columnsArgument(columns: readonly Column[]): string {
  return `{${columns.map(({ name, type }) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`).join(', ')}}`;
}

/**
 * The CSV reader with the sniffer off: sniffing happens once here, and the view reads in strict
 * mode with fixed columns, so a bad row fails with its line number instead of a failed guess.
 */
async function csvSelect(options: SelectOptions & { delimiter: string }): Promise<string> {
  const { connection, path, declared, delimiter, fail } = options;
  const header = await readCsvHeader(path, delimiter);
  if (typeof header === 'string') return fail('malformed-input', header);
  header.forEach((column, k) => {
    if (column === '') fail('malformed-input', `header column ${k + 1} has no name`);
    if (header.indexOf(column) !== k) fail('malformed-input', `header names column "${column}" twice`, column);
  });
  requireColumns(header, options);

  const dialect = `delim = ${quoteLiteral(delimiter)}, quote = '"', escape = '"'`;
  const scan = (columns: readonly Column[], formats = ''): string =>
    `read_csv(${quoteLiteral(path)}, header = true, auto_detect = false, strict_mode = true, hive_partitioning = false, ${dialect}, columns = ${columnsArgument(columns)}${formats})`;

  const detected = header.some((column) => declared[column] === undefined) ? await sniff(connection, path, dialect, header.length) : undefined;
  const columns = header.map((column, k) => ({ name: column, type: declared[column] ?? detected?.types[k] ?? 'VARCHAR' }));
  if (detected === undefined && columns.some(({ name }) => declared[name] === undefined)) {
    // The sniffer gave up, which it does when its sample holds a malformed row. Reading every row as
    // text finds that row and reports its line; a file that reads cleanly keeps text columns.
    await connection.run(`SELECT count(*) FROM ${scan(columns)}`);
  }
  const formats = [
    detected?.dateFormat ? `, dateformat = ${quoteLiteral(detected.dateFormat)}` : '',
    detected?.timestampFormat ? `, timestampformat = ${quoteLiteral(detected.timestampFormat)}` : '',
  ].join('');
  return `SELECT * FROM ${scan(columns, formats)}`;
}

interface Sniffed {
  readonly types: readonly string[];
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
}

async function sniff(connection: DuckDBConnection, path: string, dialect: string, width: number): Promise<Sniffed | undefined> {
  try {
    const [row] = await connection.query<{ Columns: { name: string; type: string }[]; DateFormat: string | null; TimestampFormat: string | null }>(
      `SELECT Columns, DateFormat, TimestampFormat FROM sniff_csv(${quoteLiteral(path)}, header = true, strict_mode = false, ${dialect})`,
    );
    if (row === undefined || row.Columns.length !== width) return undefined;
    return { types: row.Columns.map((column) => column.type), dateFormat: row.DateFormat, timestampFormat: row.TimestampFormat };
  } catch {
    return undefined;
  }
}

async function jsonSelect(options: SelectOptions): Promise<string> {
  const { connection, path, declared, fail } = options;
  const scan = (columns = ''): string => `read_json(${quoteLiteral(path)}, format = 'newline_delimited', records = true, hive_partitioning = false${columns})`;
  const detected = await connection.describe(`SELECT * FROM ${scan()}`).catch((error: unknown) => {
    // A sample of arrays or scalars; the message does not name the file, so say it here.
    if (/expected records/i.test(String(error))) fail('malformed-input', 'expected one JSON object per line');
    throw error;
  });
  requireColumns(
    detected.map((column) => column.name),
    options,
  );
  if (Object.keys(declared).length === 0) return `SELECT * FROM ${scan()}`;
  const columns = detected.map(({ name, type }) => ({ name, type: declared[name] ?? type }));
  return `SELECT * FROM ${scan(`, columns = ${columnsArgument(columns)}`)}`;
}

async function parquetSelect(options: SelectOptions): Promise<string> {
  const { connection, path, declared } = options;
  const scan = `read_parquet(${quoteLiteral(path)}, hive_partitioning = false)`;
  const detected = await connection.describe(`SELECT * FROM ${scan}`);
  requireColumns(
    detected.map((column) => column.name),
    options,
  );
  const casts = detected
    .filter(({ name, type }) => declared[name] !== undefined && normalType(declared[name]) !== normalType(type))
    .map(({ name }) => `CAST(${quoteIdentifier(name)} AS ${declared[name]}) AS ${quoteIdentifier(name)}`);
  return casts.length === 0 ? `SELECT * FROM ${scan}` : `SELECT * REPLACE (${casts.join(', ')}) FROM ${scan}`;
}

function normalType(type: string): string {
  return type.replace(/\s+/g, '').toUpperCase();
}
