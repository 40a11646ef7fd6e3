import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createDuckDB,
  postgresTable,
  quoteIdentifier,
  redshiftTable,
  s3Target,
  type PostgresTableOptions,
  type PublishTarget,
  type RedshiftTableOptions,
  type S3Manifest,
  type S3TargetOptions,
} from '../../framework/index.ts';
import { startRedshiftDataApi } from './redshift-data-api.ts';
import { readPublished } from './s3-published.ts';
import { startS3Server } from './s3-server.ts';
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
  const query = <Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => queryOnce<Row>(url, sql, params);
  return {
    url,
    schema,
    target: (options = {}) => postgresTable({ ...options, url, schema }),
    query,
    rows: (table, options) => schemaRows(url, schema, table, options),
    drop: async () => {
      await query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    },
  };
}

/** Runs SQL on a connection of its own. */
async function queryOnce<Row extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Every row of a PostgreSQL table, each value as text, as sorted JSON lines; none if the table does not exist. */
async function schemaRows(url: string, schema: string, table: string, { where = 'true', keepPartition = false }: { where?: string; keepPartition?: boolean } = {}): Promise<string[]> {
  const columns = await queryOnce<{ column_name: string }>(
    url,
    'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
    [schema, table],
  );
  if (columns.length === 0) return [];
  const list = columns.map(({ column_name: name }) => `${pg.escapeIdentifier(name)}::text as ${pg.escapeIdentifier(name)}`).join(', ');
  return sortedLines(await queryOnce<TextRow>(url, `select ${list} from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} where ${where}`), keepPartition);
}

/** The environment variables `test/e2e/fixtures/northbridge-targets.config.ts` reads each target's options from, as JSON. */
const CLOUD_TARGET_ENV = { s3: 'NORTHBRIDGE_TEST_S3', redshift: 'NORTHBRIDGE_TEST_REDSHIFT' } as const;

/** One partition of an asset as an S3 target holds it: its manifest and its rows as sorted JSON lines of text values. */
export interface S3PublishedPartition {
  readonly manifest: S3Manifest;
  readonly rows: string[];
}

/**
 * A real S3 server and, when `DAYBOOK_TEST_DATABASE_URL` is set, the Redshift Data API endpoint over
 * that PostgreSQL (staging through a bucket of the same server): the cloud targets of an end-to-end
 * suite, with their options, the environment that hands them to the CLI's config, and read-backs.
 */
export interface CloudPublishTargets {
  readonly s3: S3TargetOptions;
  /** Undefined, with a printed notice, without `DAYBOOK_TEST_DATABASE_URL`. */
  readonly redshift: RedshiftTableOptions | undefined;
  /** `CLOUD_TARGET_ENV`'s variables with the options as JSON, for the target present. */
  readonly env: Readonly<Record<string, string>>;
  /** An `s3Target()` and, if present, a `redshiftTable()` with these options. */
  targets(): PublishTarget[];
  /** Every partition of an asset in the S3 target, read back through its manifest, by partition. */
  s3Partitions(asset: string): Promise<Map<string, S3PublishedPartition>>;
  /** Every row of a Redshift table, as `PostgresPublishSchema.rows`; undefined without Redshift. */
  redshiftRows(table: string, options?: { where?: string; keepPartition?: boolean }): Promise<string[] | undefined>;
  /** Stops the servers, drops the Redshift schema, deletes the objects. */
  dispose(): Promise<void>;
}

/**
 * Starts the cloud targets of an end-to-end suite.
 *
 * @example
 * const cloud = await startCloudPublishTargets('test/e2e/late-data');
 * Object.assign(process.env, cloud.env); // before the CLI first loads its config
 */
export async function startCloudPublishTargets(suite: string): Promise<CloudPublishTargets> {
  const [bucket, staging] = ['nb-exports', 'nb-redshift-staging'];
  const server = await startS3Server([bucket, staging]);
  const url = testDatabaseUrl;
  if (url === undefined) console.warn(`${suite}: DAYBOOK_TEST_DATABASE_URL is not set; the Redshift target is skipped`);
  const api = url === undefined ? undefined : await startRedshiftDataApi({ databaseUrl: url, s3: server.clientConfig }).catch(async (error: unknown) => {
    await server.dispose();
    throw error;
  });
  const duckdb = await createDuckDB();
  const s3: S3TargetOptions = { bucket, prefix: 'daily', clientConfig: server.clientConfig };
  const redshift: RedshiftTableOptions | undefined = api && {
    workgroupName: 'northbridge',
    database: api.database,
    schema: api.schema,
    clientConfig: api.clientConfig,
    staging: { bucket: staging, iamRole: 'arn:aws:iam::123456789012:role/nb-load', clientConfig: server.clientConfig },
    pollMs: 5,
    maxPollMs: 100,
  };
  return {
    s3,
    redshift,
    env: { [CLOUD_TARGET_ENV.s3]: JSON.stringify(s3), ...(redshift ? { [CLOUD_TARGET_ENV.redshift]: JSON.stringify(redshift) } : {}) },
    targets: () => [s3Target(s3), ...(redshift ? [redshiftTable(redshift)] : [])],
    async s3Partitions(asset) {
      const partitions = await duckdb.withConnection((connection) => readPublished({ client: server.client, bucket, prefix: s3.prefix!, asset, connection }));
      return new Map(partitions.map(({ manifest, rows }) => [manifest.partition, { manifest, rows: sortedLines(rows, false) }]));
    },
    redshiftRows: async (table, options) => (api && url ? schemaRows(url, api.schema, table, options) : undefined),
    async dispose() {
      duckdb.close();
      await api?.dispose();
      await server.dispose();
    },
  };
}
