// COPY for the test Redshift Data API endpoint: the one form Daybook's publisher sends,
// `COPY t [(columns)] FROM 's3://bucket/prefix' IAM_ROLE '…' FORMAT AS PARQUET`, translated into a
// read of the objects from the test's S3 server (DuckDB reads the Parquet) and inserts into
// PostgreSQL on the statement's own connection, so the rows belong to its transaction.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { DuckDB } from '../../framework/io/duckdb.ts';
import { quoteIdentifier, quoteLiteralList } from '../../framework/io/sql-text.ts';

/** A COPY statement the endpoint can run. `target` and `columns` are SQL text as the client wrote them. */
export interface CopyCommand {
  readonly target: string;
  readonly columns: string | undefined;
  readonly bucket: string;
  readonly prefix: string;
}

/** An error with PostgreSQL's shape (severity and SQL state), reported like the database's own. */
export class SqlStateError extends Error {
  readonly severity = 'ERROR';
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

// A Redshift string literal: backslash escapes, as with standard_conforming_strings off.
const LITERAL = String.raw`'((?:[^'\\]|''|\\.)*)'`;
const COPY = new RegExp(String.raw`^\s*copy\s+(.+?)\s+from\s+${LITERAL}\s*(.*?)\s*;?\s*$`, 'is');
const OPTION = new RegExp(String.raw`^(?:iam_role\s+(?:${LITERAL}|default)|format\s+(?:as\s+)?parquet)\s*`, 'i');
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SUPPORTED = `COPY table [(columns)] FROM 's3://bucket/prefix' IAM_ROLE 'arn:aws:iam::<account>:role/<name>' FORMAT AS PARQUET`;

const unquote = (text: string): string => text.replace(/''|\\(.)/gs, (match, escaped: string | undefined) => escaped ?? "'");

/**
 * Parses a COPY statement; `undefined` when the statement is not a COPY. A COPY in any other form
 * (CSV, JSON, manifests, credentials instead of a role, other options) fails with SQL state 0A000.
 */
export function parseCopy(sql: string): CopyCommand | undefined {
  if (!/^\s*copy\b/i.test(sql)) return undefined;
  const unsupported = (why: string) => new SqlStateError(`the Daybook test endpoint does not support this COPY (${why}); it runs ${SUPPORTED}`, '0A000');
  const match = COPY.exec(sql);
  if (!match) throw unsupported('expected FROM with a quoted source');
  const [, into, source, options] = match as unknown as [string, string, string, string];
  let rest = options;
  let role: string | undefined;
  let parquet = false;
  while (rest !== '') {
    const option = OPTION.exec(rest);
    if (!option) throw unsupported(`unsupported option near "${rest.slice(0, 40)}"`);
    if (/^iam_role/i.test(option[0])) role = option[1] === undefined ? 'default' : unquote(option[1]);
    else parquet = true;
    rest = rest.slice(option[0].length);
  }
  if (!parquet) throw unsupported('only FORMAT AS PARQUET is read');
  if (role === undefined) throw unsupported('IAM_ROLE is required');
  if (role !== 'default' && !ROLE_ARN.test(role)) throw new SqlStateError(`Invalid IAM role ARN: ${role}`, '22023');
  const uri = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(unquote(source));
  if (!uri) throw unsupported(`the source must be s3://bucket/prefix, not '${unquote(source)}'`);
  const columnList = /^(.*?)\s*\((.*)\)$/s.exec(into);
  return {
    target: columnList ? columnList[1]! : into,
    columns: columnList ? columnList[2]! : undefined,
    bucket: uri[1]!,
    prefix: uri[2]!,
  };
}

export interface RunCopyOptions {
  readonly client: pg.ClientBase;
  readonly s3: S3Client;
  readonly duckdb: DuckDB;
  /** Rows per INSERT into PostgreSQL. */
  readonly batchRows?: number;
}

/**
 * Loads every object under the prefix (as Redshift does, the source is a key prefix) into the
 * target, mapping the files' columns to the target's by position. Returns the rows loaded.
 */
export async function runCopy(command: CopyCommand, { client, s3, duckdb, batchRows = 2_000 }: RunCopyOptions): Promise<number> {
  const keys = await listKeys(s3, command.bucket, command.prefix);
  if (keys.length === 0) throw new SqlStateError(`The specified S3 prefix '${command.prefix}' does not exist`, 'XX000');
  const directory = await mkdtemp(join(tmpdir(), 'daybook-redshift-copy-'));
  try {
    const files: string[] = [];
    for (const [k, key] of keys.entries()) {
      const object = await s3.send(new GetObjectCommand({ Bucket: command.bucket, Key: key }));
      const file = join(directory, `${k}.parquet`);
      await writeFile(file, await object.Body!.transformToByteArray());
      files.push(file);
    }
    const target = await client.query({ text: `select ${command.columns ?? '*'} from ${command.target} limit 0` });
    const names = target.fields.map((field) => field.name);
    return await duckdb.withConnection(async (connection) => {
      const source = `read_parquet(${quoteLiteralList(files)}, hive_partitioning = false)`;
      const columns = await connection.describe(`select * from ${source}`);
      if (columns.length !== names.length) {
        throw new SqlStateError(
          `Load into table ${command.target} failed: the Parquet files have ${columns.length} columns and the COPY column list ${names.length}`,
          'XX000',
        );
      }
      const select = columns.map((column) => `cast(${quoteIdentifier(column.name)} as varchar)`).join(', ');
      const quoted = names.map((name) => pg.escapeIdentifier(name)).join(', ');
      const insert = `insert into ${command.target} (${quoted}) select ${quoted} from json_populate_recordset(null::${command.target}, $1::json)`;
      const result = await connection.native.stream(`select ${select} from ${source}`);
      let loaded = 0;
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(insert, [JSON.stringify(batch)]);
        loaded += batch.length;
        batch = [];
      };
      for await (const rows of result.yieldRowsJs()) {
        for (const row of rows) {
          batch.push(Object.fromEntries(names.map((name, k) => [name, row[k]])));
          if (batch.length >= batchRows) await flush();
        }
      }
      await flush();
      return loaded;
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined && !object.Key.endsWith('/')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}
