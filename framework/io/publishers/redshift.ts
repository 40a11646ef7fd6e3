import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedshiftDataClient, type RedshiftDataClientConfig } from '@aws-sdk/client-redshift-data';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { PublishRequest, PublishResult, PublishTarget } from '../../definitions/publish-target.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { PublishError } from '../../util/errors.ts';
import { lazyClient, type S3ClientOptions } from '../s3/client.ts';
import { s3LocationProblem, s3Uri, trimPrefix } from '../s3/keys.ts';
import { createUploader, type Uploader } from '../s3/upload.ts';
import { quoteIdentifier, quoteLiteral } from '../sql-text.ts';
import { describeFailure, runBatch, runQuery, type DataApi, type DataApiConnection } from './redshift-data.ts';
import {
  copyStatement,
  DATA_API_LIMITS,
  FIXED_STATEMENTS,
  heldVersionQuery,
  publishBatch,
  redshiftColumn,
  valuesStatements,
  type BatchStatement,
  type RedshiftColumn,
} from './redshift-sql.ts';
import { s3ObjectKey } from './s3.ts';
import { parquetSource, partitionSelect, publishFailure, tableNameOf } from './target-table.ts';

/** Where a Redshift target stages files for COPY. */
export interface RedshiftStagingOptions extends S3ClientOptions {
  /** A bucket Redshift can read, in the cluster's region. */
  bucket: string;
  /** Key prefix for staged files; default `redshift-staging`. */
  prefix?: string;
  /** The IAM role Redshift assumes to read the bucket, e.g. `arn:aws:iam::123456789012:role/redshift-load`, or `default`. */
  iamRole: string;
}

export interface RedshiftTableOptions {
  /** A Redshift Serverless workgroup; give this or `clusterIdentifier`. */
  workgroupName?: string;
  /** A provisioned cluster; give this or `workgroupName`. */
  clusterIdentifier?: string;
  database: string;
  /** With a cluster: the database user to get temporary credentials for. Without it (and without a secret) the caller's IAM identity is the user. */
  dbUser?: string;
  /** A Secrets Manager secret holding the database credentials. */
  secretArn?: string;
  /** The schema of the table, created when missing. */
  schema: string;
  /** The table; default the asset key as a plain identifier (`northbridge__risk_positions_file`). */
  table?: string;
  /** A Data API client to use as it is. */
  client?: RedshiftDataClient;
  /** Settings for a client made on first use (region, credentials, `endpoint`). */
  clientConfig?: RedshiftDataClientConfig;
  /** Stage each file in S3 and COPY it; without it the rows travel in INSERT statements, which limits a partition to about 3 MB of SQL. */
  staging?: RedshiftStagingOptions;
  /** The first wait before asking whether a statement ended; later waits double up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  /** A batch still running after this long is cancelled and the publish fails. */
  timeoutMs?: number;
  /** Stamps `published_at`. */
  clock?: Clock;
}

interface Staging {
  readonly bucket: string;
  readonly prefix: string;
  readonly iamRole: string;
  readonly s3: ReturnType<typeof lazyClient>;
  readonly uploader: Uploader;
}

interface Target {
  readonly where: string;
  readonly schema: string;
  readonly table: string | undefined;
  readonly api: DataApi;
  readonly staging: Staging | undefined;
  readonly clock: Clock;
}

const invalid = (field: string, message: string) => new PublishError('publish-invalid-target', `redshiftTable: ${message}`, { field });
const ROLE = /^(default|arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)$/;

/**
 * A Redshift table per asset, written through the Redshift Data API: each publish is one
 * BatchExecuteStatement, so one transaction, that creates what is missing, stages the rows (COPY
 * from S3 when `staging` is set, INSERT … VALUES otherwise), deletes the partition's rows, inserts
 * the new ones and records the data version in `_daybook_publishes`. A version already recorded is
 * not published again. Statement errors name the statement's position in the batch and its SQL state.
 *
 * @example
 * defineAsset({
 *   key: 'northbridge/risk-positions-file',
 *   publish: [redshiftTable({ workgroupName: 'risk', database: 'dev', schema: 'daybook', staging: { bucket: 'nb-staging', iamRole: 'arn:aws:iam::123456789012:role/redshift-load' } })],
 *   ...
 * });
 */
export function redshiftTable({
  workgroupName,
  clusterIdentifier,
  database,
  dbUser,
  secretArn,
  schema,
  table,
  client,
  clientConfig,
  staging,
  pollMs = 250,
  maxPollMs = 5_000,
  timeoutMs = 30 * 60_000,
  clock = systemClock,
}: RedshiftTableOptions): PublishTarget {
  const connection = connectionOf({ workgroupName, clusterIdentifier, database, dbUser, secretArn });
  for (const [field, value] of [['schema', schema], ['table', table]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > 127 || value.includes('\0'))) {
      throw invalid(field, `${field} must be a name of 1 to 127 characters, got ${JSON.stringify(value)}`);
    }
  }
  for (const [field, value] of [['pollMs', pollMs], ['maxPollMs', maxPollMs], ['timeoutMs', timeoutMs]] as const) {
    if (!(Number.isInteger(value) && value > 0)) throw invalid(field, `${field} must be a positive integer of milliseconds, got ${value}`);
  }
  let made = client;
  const api: DataApi = {
    get client() {
      return (made ??= new RedshiftDataClient(clientConfig ?? {}));
    },
    connection,
    pollMs,
    maxPollMs: Math.max(pollMs, maxPollMs),
    timeoutMs,
    clock,
  };
  const where = `redshift://${workgroupName ?? clusterIdentifier}/${database}`;
  const target: Target = { where, schema, table, api, staging: staging === undefined ? undefined : stagingOf(staging), clock };
  return {
    name: `${where}#${schema}${table === undefined ? '' : `.${table}`}`,
    publish: (request) => publishTo(target, request),
    destinationOf: (asset) => `${where}#${schema}.${table ?? tableNameOf(asset)}`,
  };
}

function connectionOf({ workgroupName, clusterIdentifier, database, dbUser, secretArn }: Omit<RedshiftTableOptions, 'schema'>): DataApiConnection {
  if ((workgroupName === undefined) === (clusterIdentifier === undefined)) {
    throw invalid(workgroupName === undefined ? 'workgroupName' : 'clusterIdentifier', 'give either workgroupName (serverless) or clusterIdentifier (provisioned), not both');
  }
  if (typeof database !== 'string' || database === '') throw invalid('database', 'database is required');
  if (dbUser !== undefined && secretArn !== undefined) throw invalid('dbUser', 'give dbUser or secretArn, not both');
  const secret = secretArn === undefined ? {} : { SecretArn: secretArn };
  if (workgroupName !== undefined) {
    if (dbUser !== undefined) throw invalid('dbUser', 'dbUser needs clusterIdentifier; with a workgroup the user is the IAM identity or the secret');
    return { WorkgroupName: workgroupName, Database: database, ...secret };
  }
  return { ClusterIdentifier: clusterIdentifier!, Database: database, ...secret, ...(dbUser === undefined ? {} : { DbUser: dbUser }) };
}

function stagingOf({ bucket, prefix = 'redshift-staging', iamRole, client, clientConfig }: RedshiftStagingOptions): Staging {
  const trimmed = trimPrefix(prefix);
  const problem = s3LocationProblem(bucket, trimmed);
  if (problem) throw invalid(`staging.${problem.field}`, problem.message);
  if (typeof iamRole !== 'string' || !ROLE.test(iamRole)) {
    throw invalid('staging.iamRole', `staging.iamRole must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) or "default", got ${JSON.stringify(iamRole)}`);
  }
  const s3 = lazyClient({ client, clientConfig });
  return { bucket, prefix: trimmed, iamRole, s3, uploader: createUploader(s3) };
}

async function publishTo({ where, schema, table: fixedTable, api, staging, clock }: Target, request: PublishRequest): Promise<PublishResult> {
  const table = fixedTable ?? tableNameOf(request.asset);
  const uri = `${where}#${schema}.${table}`;
  let step = 'reading the file';
  try {
    const source = parquetSource(request.file);
    const described = await request.reader.query<{ column_name: string }>(`describe select * from ${source}`);
    const select = partitionSelect(request, described.map((column) => column.column_name), source);
    const columns = (await request.reader.query<{ column_name: string; column_type: string }>(`describe ${select}`)).map((column) =>
      redshiftColumn(column.column_name, column.column_type),
    );
    checkNames(columns);
    const conformed = `select ${columns.map((column) => `cast(${quoteIdentifier(column.name)} as ${column.duckdbType}) as ${quoteIdentifier(column.name)}`).join(', ')} from (${select})`;

    step = 'checking the published version';
    const held = await runQuery(api, heldVersionQuery(schema, table, request.partition));
    // The read fails before the first publish (no _daybook_publishes yet); the batch then decides.
    if (held.ok && held.records[0]?.[0]?.stringValue === request.dataVersion) return { uri, published: false };

    step = staging === undefined ? 'preparing the rows' : 'staging the file in S3';
    const staged = staging === undefined ? undefined : await stageFile(staging, request, conformed);
    try {
      const stage = staged === undefined ? await valuesOf(request, columns, conformed) : [copyStatement(columns, staged.uri, staged.iamRole)];
      const statements = publishBatch({ schema, table, columns, request, publishedAt: new Date(clock.now()).toISOString(), stage });
      step = 'running the batch';
      const outcome = await runBatch(api, statements, (id) => {
        step = `waiting for batch ${id}, which may still commit (a retry then finds the version published)`;
      });
      if (!outcome.ok) {
        throw new PublishError('publish-failed', `asset "${request.asset}" partition "${request.partition}": publishing to ${uri} failed: ${describeFailure(outcome.failure)}`, {
          asset: request.asset,
          partition: request.partition,
          field: uri,
          cause: outcome.failure,
        });
      }
      // The last statement records the publish; it inserts nothing when the version was recorded meanwhile.
      return { uri, published: outcome.described.SubStatements?.at(-1)?.ResultRows !== 0 };
    } finally {
      await staged?.remove();
    }
  } catch (cause) {
    if (cause instanceof PublishError) throw cause;
    throw publishFailure(uri, request, step, cause);
  }
}

/** Redshift folds names to lower case (unless enable_case_sensitive_identifier is on): two columns must not differ only in case. */
function checkNames(columns: readonly RedshiftColumn[]): void {
  const seen = new Map<string, string>();
  for (const { name } of columns) {
    const other = seen.get(name.toLowerCase());
    if (other !== undefined) throw new Error(`columns "${other}" and "${name}" differ only in case, and Redshift folds names to lower case`);
    seen.set(name.toLowerCase(), name);
  }
}

/** The rows as INSERT … VALUES statements, refused before they are read when they cannot fit in one batch. */
async function valuesOf(request: PublishRequest, columns: readonly RedshiftColumn[], conformed: string): Promise<BatchStatement[]> {
  const room = DATA_API_LIMITS.batchStatements - FIXED_STATEMENTS;
  const text = columns.map((column) => `cast(${quoteIdentifier(column.name)} as varchar) as ${quoteIdentifier(column.name)}`).join(', ');
  const sizes = columns.map((column) => `coalesce(strlen(cast(${quoteIdentifier(column.name)} as varchar)), 0) + 4`).join(' + ');
  const [estimate] = await request.reader.query<{ bytes: bigint | number | null }>(`select sum(${sizes}) as bytes from (${conformed})`);
  const bytes = Number(estimate?.bytes ?? 0);
  if (bytes > room * DATA_API_LIMITS.statementBytes) {
    throw new Error(
      `the rows need about ${bytes} bytes of SQL, more than one Data API batch carries (${room} statements of ${DATA_API_LIMITS.statementBytes} bytes); configure staging (S3) for partitions this large`,
    );
  }
  const rows = await request.reader.query<Record<string, string | null>>(`select ${text} from (${conformed})`);
  return valuesStatements(
    columns,
    rows.map((row) => columns.map((column) => row[column.name] ?? null)),
    room,
  );
}

/**
 * Writes the rows, already cast to their Redshift types, to a Parquet file and uploads it under a
 * key unique to the partition and data version, mirroring the S3 target's layout:
 * `<prefix>/<asset key>/<dimension>=<value>/…/<data version>.parquet`.
 */
async function stageFile(staging: Staging, request: PublishRequest, conformed: string): Promise<{ uri: string; iamRole: string; remove(): Promise<void> }> {
  const fileName = `${request.dataVersion.replace(/[^A-Za-z0-9._-]/g, '-')}.parquet`;
  const key = s3ObjectKey({ prefix: staging.prefix, asset: request.asset, partitionColumns: request.partitionColumns, fileName });
  const directory = await mkdtemp(join(tmpdir(), 'daybook-redshift-'));
  try {
    const file = join(directory, fileName);
    await request.reader.query(`copy (${conformed}) to ${quoteLiteral(file)} (format parquet)`);
    const { size } = await stat(file);
    await staging.uploader.upload({ bucket: staging.bucket, key, file, bytes: size, metadata: {}, contentType: 'application/vnd.apache.parquet' });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return {
    uri: s3Uri(staging.bucket, key),
    iamRole: staging.iamRole,
    // The object is only needed until the batch ends; a leftover one is harmless (the next publish of the version overwrites it).
    remove: () => staging.s3().send(new DeleteObjectCommand({ Bucket: staging.bucket, Key: key })).then(() => undefined, () => undefined),
  };
}
