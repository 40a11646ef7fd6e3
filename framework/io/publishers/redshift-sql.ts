import type { PublishRequest } from '../../definitions/publish-target.ts';
import { PARTITION_COLUMN, PUBLISHES_TABLE } from './target-table.ts';

/** One statement of a publish batch, with what it is for: error messages name it. */
export interface BatchStatement {
  readonly sql: string;
  /** E.g. `delete partition rows`. */
  readonly purpose: string;
}

/**
 * The Redshift Data API's limits that shape a publish: a statement's SQL text may not exceed 100 KB
 * ("Cannot process query string larger than 100kB"), and a BatchExecuteStatement holds at most 40
 * statements. Rows sent without S3 staging must fit in the statements the batch has left.
 */
export const DATA_API_LIMITS = { statementBytes: 100_000, batchStatements: 40 } as const;

/** A column of the published table: its name, Redshift type, and the DuckDB type its values are cast to first. */
export interface RedshiftColumn {
  readonly name: string;
  readonly redshiftType: string;
  readonly duckdbType: string;
}

/** The temporary table a batch stages the rows in before it replaces the partition's. */
const STAGE = '"_daybook_stage"';
const TEXT = ['varchar(65535)', 'VARCHAR'] as const;

// DuckDB type → [Redshift type, DuckDB type of the staged values]. Unsigned and wide integers
// widen to a type Redshift has; types Redshift lacks (UUID, BLOB, LIST, STRUCT, MAP, INTERVAL…)
// are stored as DuckDB's text form of the value.
const TYPES: Record<string, readonly [string, string]> = {
  BOOLEAN: ['boolean', 'BOOLEAN'],
  TINYINT: ['smallint', 'SMALLINT'],
  UTINYINT: ['smallint', 'SMALLINT'],
  SMALLINT: ['smallint', 'SMALLINT'],
  USMALLINT: ['integer', 'INTEGER'],
  INTEGER: ['integer', 'INTEGER'],
  UINTEGER: ['bigint', 'BIGINT'],
  BIGINT: ['bigint', 'BIGINT'],
  UBIGINT: ['decimal(20, 0)', 'DECIMAL(20, 0)'],
  HUGEINT: ['decimal(38, 0)', 'DECIMAL(38, 0)'],
  UHUGEINT: ['decimal(38, 0)', 'DECIMAL(38, 0)'],
  FLOAT: ['real', 'FLOAT'],
  DOUBLE: ['double precision', 'DOUBLE'],
  DATE: ['date', 'DATE'],
  TIME: ['time', 'TIME'],
  'TIME WITH TIME ZONE': ['timetz', 'TIME WITH TIME ZONE'],
  TIMESTAMP: ['timestamp', 'TIMESTAMP'],
  TIMESTAMP_S: ['timestamp', 'TIMESTAMP'],
  TIMESTAMP_MS: ['timestamp', 'TIMESTAMP'],
  TIMESTAMP_NS: ['timestamp', 'TIMESTAMP'],
  'TIMESTAMP WITH TIME ZONE': ['timestamptz', 'TIMESTAMP WITH TIME ZONE'],
  VARCHAR: TEXT,
};

/**
 * The Redshift column for a DuckDB column: `DECIMAL(18,4)` → `decimal(18, 4)`, `VARCHAR` →
 * `varchar(65535)` (Redshift's `text` would be `varchar(256)`), `UBIGINT` → `decimal(20, 0)`.
 */
export function redshiftColumn(name: string, duckdbType: string): RedshiftColumn {
  const type = duckdbType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  const [redshiftType, staged] = decimal ? [`decimal(${decimal[1]}, ${decimal[2]})`, type] : (TYPES[type] ?? TEXT);
  return { name, redshiftType, duckdbType: staged };
}

/** A Redshift identifier, quoted: `a"b` → `"a""b"`. */
export function redshiftIdentifier(name: string): string {
  return `"${withoutNul(name, 'name').replaceAll('"', '""')}"`;
}

/**
 * A Redshift string literal. Redshift reads a backslash in a literal as an escape (its QUOTE_LITERAL
 * doubles both quotes and backslashes), so both are doubled: `it's \o/` → `'it''s \\o/'`.
 */
export function redshiftLiteral(value: string): string {
  return `'${withoutNul(value, 'value').replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

function withoutNul(text: string, what: string): string {
  // Redshift strings cannot hold NUL, and cutting one short would change the statement.
  if (text.includes('\0')) throw new Error(`a ${what} contains NUL, which Redshift cannot store: ${JSON.stringify(text.slice(0, 80))}`);
  return text;
}

export interface PublishBatchOptions {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly RedshiftColumn[];
  readonly request: Pick<PublishRequest, 'partition' | 'dataVersion' | 'runId' | 'rowCount'>;
  /** When the publish is recorded, ISO 8601. */
  readonly publishedAt: string;
  /** Statements that fill the staging table: one COPY, or INSERT … VALUES batches. */
  readonly stage: readonly BatchStatement[];
}

/**
 * The statements of one publish, run as one transaction by BatchExecuteStatement: create what is
 * missing, lock `_daybook_publishes` (publishers to a schema take turns, which also spares them
 * Redshift's serializable isolation errors), stage the rows, replace the partition's rows, record the
 * publish. Every write after staging is guarded by "this data version is not recorded yet", so a
 * batch that lost a race to the same version changes nothing: its last statement then inserts no row.
 */
export function publishBatch({ schema, table, columns, request, publishedAt, stage }: PublishBatchOptions): BatchStatement[] {
  const target = `${redshiftIdentifier(schema)}.${redshiftIdentifier(table)}`;
  const publishes = `${redshiftIdentifier(schema)}.${redshiftIdentifier(PUBLISHES_TABLE)}`;
  const names = columns.map((column) => redshiftIdentifier(column.name)).join(', ');
  const partition = redshiftLiteral(request.partition);
  const thisPartition = `table_name = ${redshiftLiteral(table)} and partition_key = ${partition}`;
  const version = redshiftLiteral(request.dataVersion);
  const unrecorded = `not exists (select 1 from ${publishes} where ${thisPartition} and data_version = ${version})`;
  return [
    { purpose: 'create schema', sql: `create schema if not exists ${redshiftIdentifier(schema)}` },
    {
      purpose: 'create publishes table',
      sql: `create table if not exists ${publishes} (table_name varchar(256) not null, partition_key varchar(65535) not null,
        data_version varchar(256) not null, run_id varchar(256) not null, row_count bigint not null, published_at timestamptz not null)`,
    },
    { purpose: 'lock publishes table', sql: `lock ${publishes}` },
    {
      purpose: 'create table',
      sql: `create table if not exists ${target} (${columns.map((column) => `${redshiftIdentifier(column.name)} ${column.redshiftType}`).join(', ')})`,
    },
    { purpose: 'create staging table', sql: `create temp table ${STAGE} (like ${target})` },
    ...stage,
    { purpose: 'delete partition rows', sql: `delete from ${target} where ${redshiftIdentifier(PARTITION_COLUMN)} = ${partition} and ${unrecorded}` },
    { purpose: 'insert new rows', sql: `insert into ${target} (${names}) select ${names} from ${STAGE} where ${unrecorded}` },
    { purpose: 'drop previous publish record', sql: `delete from ${publishes} where ${thisPartition} and data_version <> ${version}` },
    {
      purpose: 'record publish',
      sql: `insert into ${publishes} (table_name, partition_key, data_version, run_id, row_count, published_at)
        select ${redshiftLiteral(table)}, ${partition}, ${version}, ${redshiftLiteral(request.runId)}, ${request.rowCount}, ${redshiftLiteral(publishedAt)}::timestamptz
        where not exists (select 1 from ${publishes} where ${thisPartition})`,
    },
  ];
}

/** How many statements of a batch are not staging: the room left for INSERT … VALUES. */
export const FIXED_STATEMENTS = publishBatch({
  schema: 's',
  table: 't',
  columns: [],
  request: { partition: '', dataVersion: '', runId: '', rowCount: 0 },
  publishedAt: '',
  stage: [],
}).length;

/** The one staging statement when the rows are in S3: COPY reads a key prefix, and this key is unique. */
export function copyStatement(columns: readonly RedshiftColumn[], uri: string, iamRole: string): BatchStatement {
  const names = columns.map((column) => redshiftIdentifier(column.name)).join(', ');
  return {
    purpose: `copy ${uri}`,
    sql: `copy ${STAGE} (${names}) from ${redshiftLiteral(uri)} iam_role ${redshiftLiteral(iamRole)} format as parquet`,
  };
}

/**
 * INSERT … VALUES statements holding the rows (values as text, `null` for NULL), each within the
 * Data API's statement size. Throws when a row alone is too large or the rows need more than
 * `maxStatements`.
 */
export function valuesStatements(columns: readonly RedshiftColumn[], rows: readonly (readonly (string | null)[])[], maxStatements: number): BatchStatement[] {
  const head = `insert into ${STAGE} (${columns.map((column) => redshiftIdentifier(column.name)).join(', ')}) values `;
  const statements: BatchStatement[] = [];
  let tuples: string[] = [];
  let bytes = Buffer.byteLength(head);
  let first = 1;
  const flush = (last: number) => {
    if (tuples.length === 0) return;
    if (statements.length === maxStatements) {
      throw new Error(`the rows need more than the ${maxStatements} statements of ${DATA_API_LIMITS.statementBytes} bytes a batch has room for`);
    }
    statements.push({ purpose: `stage rows ${first}-${last}`, sql: head + tuples.join(', ') });
    tuples = [];
    bytes = Buffer.byteLength(head);
    first = last + 1;
  };
  rows.forEach((row, k) => {
    const tuple = `(${row.map((value) => (value === null ? 'null' : redshiftLiteral(value))).join(', ')})`;
    const size = Buffer.byteLength(tuple) + 2;
    if (Buffer.byteLength(head) + size > DATA_API_LIMITS.statementBytes) {
      throw new Error(`row ${k + 1} needs ${size} bytes of SQL, more than a Data API statement holds (${DATA_API_LIMITS.statementBytes})`);
    }
    if (bytes + size > DATA_API_LIMITS.statementBytes) flush(k);
    tuples.push(tuple);
    bytes += size;
  });
  flush(rows.length);
  return statements;
}

/** The data version `_daybook_publishes` records for the partition, as one value (no row when none). */
export function heldVersionQuery(schema: string, table: string, partition: string): string {
  return `select data_version from ${redshiftIdentifier(schema)}.${redshiftIdentifier(PUBLISHES_TABLE)}
    where table_name = ${redshiftLiteral(table)} and partition_key = ${redshiftLiteral(partition)}`;
}
