import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDuckDB, postgresTable, quoteIdentifier, type PostgresTableOptions, type PublishTarget } from '../../framework/index.ts';
import { testDatabaseUrl } from './test-stores.ts';

/** One row as JSON of its values as text, keyed by column: comparable across DuckDB and PostgreSQL. */
type TextRow = Record<string, string | null>;

/** The rows a table holds, as sorted JSON lines of their values as text, without `_daybook_partition` unless asked. */
function sortedLines(rows: readonly TextRow[], keepPartition: boolean): string[] {
  return rows.map(({ _daybook_partition: partition, ...row }) => JSON.stringify(keepPartition ? { ...row, _daybook_partition: partition } : row)).sort();
}

/**
 * Every row of a table in a warehouse file, each value as text, as sorted JSON lines. `where` is SQL
 * over the table. The file is opened only while it is read, since publishes open it too.
 */
export async function warehouseRows(path: string, table: string, { where = 'true', keepPartition = false }: { where?: string; keepPartition?: boolean } = {}): Promise<string[]> {
  const db = await createDuckDB({ path });
  try {
    const rows = await db.withConnection((c) => c.query<TextRow>(`select columns(*)::varchar from ${quoteIdentifier(table)} where ${where}`));
    return sortedLines(rows, keepPartition);
  } finally {
    db.close();
  }
}

/** A PostgreSQL schema of a test's own for publishing, and how to read it back. */
export interface PostgresPublishSchema {
  readonly url: string;
  readonly schema: string;
  /** A `postgresTable()` target writing into this schema. */
  target(options?: Omit<PostgresTableOptions, 'url' | 'schema'>): PublishTarget;
  /** Every row of a table, each value as text, as sorted JSON lines; `where` is SQL over the table. */
  rows(table: string, options?: { where?: string; keepPartition?: boolean }): Promise<string[]>;
  /** Runs SQL on a connection of its own. */
  query<Row extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/**
 * A fresh schema on the test PostgreSQL (`DAYBOOK_TEST_DATABASE_URL`), or undefined, with a printed
 * notice, when it is not set: the PostgreSQL parts of a suite are then skipped, not silently passed.
 */
export function postgresPublishSchema(suite: string): PostgresPublishSchema | undefined {
  const url = testDatabaseUrl;
  if (url === undefined) {
    console.warn(`${suite}: DAYBOOK_TEST_DATABASE_URL is not set; the PostgreSQL target is skipped`);
    return undefined;
  }
  const schema = `published_${process.pid}_${randomBytes(4).toString('hex')}`;
  const query = async <Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<Row>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    url,
    schema,
    target: (options = {}) => postgresTable({ ...options, url, schema }),
    query,
    async rows(table, { where = 'true', keepPartition = false } = {}) {
      const columns = await query<{ column_name: string }>(
        'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
        [schema, table],
      );
      if (columns.length === 0) return [];
      const list = columns.map(({ column_name: name }) => `${pg.escapeIdentifier(name)}::text as ${pg.escapeIdentifier(name)}`).join(', ');
      return sortedLines(await query<TextRow>(`select ${list} from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} where ${where}`), keepPartition);
    },
    drop: async () => {
      await query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    },
  };
}
