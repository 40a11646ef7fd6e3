// A Redshift Data API endpoint for tests, on 127.0.0.1, over real PostgreSQL. It speaks the service's
// wire protocol (AWS JSON 1.1: POST /, `X-Amz-Target: RedshiftData.<Operation>`, JSON bodies, errors
// as `{"__type", "Message"}`), so the unmodified @aws-sdk/client-redshift-data client talks to it
// through `endpoint`. Statements run asynchronously, each on a connection of its own, in a schema of
// the test's own; a batch runs in one transaction. Where it differs from Redshift, it says so in an
// error rather than pretending: see docs/publishing.md ("The test endpoint").
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createDuckDB, type DuckDB } from '../../framework/io/duckdb.ts';
import { ApiError, checkConnection, checkParameters, checkSize, connectionOf, notSupported, offsetOf, validation } from './redshift-requests.ts';
import { errorText, openSession, parameterNames, type ColumnMetadata, type Field, type Session, type SqlParameter } from './redshift-session.ts';

export interface RedshiftDataApiOptions {
  /** The PostgreSQL database the statements run on, e.g. `DAYBOOK_TEST_DATABASE_URL`. */
  databaseUrl: string;
  /** The S3 server that COPY reads from (`startS3Server().clientConfig`); without it COPY fails. */
  s3?: S3ClientConfig;
  /** Records per GetStatementResult page (Redshift pages by size; a row count makes paging testable). */
  pageRows?: number;
  /** How long a statement stays SUBMITTED before it runs, so that clients must poll. */
  queueDelayMs?: number;
}

/** A running endpoint. */
export interface TestRedshiftDataApi {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The PostgreSQL schema the statements run in (their search_path); give it to the publisher as `schema`. */
  readonly schema: string;
  /** The `Database` requests must name: the PostgreSQL database's. */
  readonly database: string;
  /** The endpoint's connections carry this application_name in pg_stat_activity. */
  readonly applicationName: string;
  /** Settings for a RedshiftDataClient (or the publisher's `clientConfig`) to reach this endpoint. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
  /** Stops answering, and ends the sessions of running statements: their transactions roll back. */
  stop(): Promise<void>;
  /** Answers again on the same port; statements from before the stop keep their final state. */
  restart(): Promise<void>;
  /** Stops, drops the schema and closes everything. */
  dispose(): Promise<void>;
}

type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

/** One statement, or one statement of a batch. */
interface Run {
  id: string;
  sql: string;
  status: Status;
  error: string | undefined;
  createdAt: number;
  updatedAt: number;
  startedAt: number | undefined;
  pid: number;
  queryId: number;
  rows: number;
  result: { columns: ColumnMetadata[]; records: Field[][]; bytes: number } | undefined;
}

interface Statement extends Run {
  readonly request: Readonly<Record<string, unknown>>;
  readonly parameters: readonly SqlParameter[];
  /** The statements of a batch, `<id>:1` …; undefined for ExecuteStatement. */
  readonly subs: Run[] | undefined;
  cancelled: boolean;
}

const ID = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;
const MAX_BATCH = 40;

/**
 * Starts the endpoint on a loopback port, in a new schema of the database.
 *
 * @example
 * const api = await startRedshiftDataApi({ databaseUrl, s3: s3Server.clientConfig });
 * const client = new RedshiftDataClient(api.clientConfig);
 */
export async function startRedshiftDataApi({ databaseUrl, s3, pageRows = 1_000, queueDelayMs = 20 }: RedshiftDataApiOptions): Promise<TestRedshiftDataApi> {
  const schema = `redshift_${process.pid}_${randomBytes(4).toString('hex')}`;
  const applicationName = `daybook-redshift-${schema}`;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const typeNames = await administer(databaseUrl, async (admin) => {
    await admin.query(`create schema ${pg.escapeIdentifier(schema)}`);
    const { rows } = await admin.query<{ oid: number; typname: string }>('select oid::int4 as oid, typname from pg_catalog.pg_type');
    return new Map(rows.map((row) => [row.oid, row.typname]));
  });
  const s3Client = s3 === undefined ? undefined : new S3Client(s3);
  let duckdb: Promise<DuckDB> | undefined;
  const statements = new Map<string, Statement>();
  const tokens = new Map<string, string>();
  const running = new Map<string, Session>();
  const work = new Set<Promise<void>>();
  let queryIds = 0;

  const openFor = () =>
    openSession({ databaseUrl, schema, applicationName, typeNames, s3: s3Client, duckdb: () => (duckdb ??= createDuckDB({ threads: 1 })) });

  const touch = (run: Run, status: Status, error?: string) => {
    run.status = status;
    run.updatedAt = Date.now();
    if (status === 'STARTED') run.startedAt = run.updatedAt;
    if (error !== undefined) run.error = error;
  };

  const execute = async (statement: Statement) => {
    await new Promise((resolve) => setTimeout(resolve, queueDelayMs));
    if (statement.status !== 'SUBMITTED') return;
    touch(statement, 'PICKED');
    let session: Session;
    try {
      if (statement.request.Database !== database) throw Object.assign(new Error(`database "${String(statement.request.Database)}" does not exist`), { severity: 'FATAL', code: '3D000' });
      session = await openFor();
    } catch (error) {
      for (const sub of statement.subs ?? []) touch(sub, 'ABORTED');
      return touch(statement, 'FAILED', errorText(error));
    }
    // stop() may have aborted it while the session opened.
    if ((statement.status as Status) !== 'PICKED') return session.close();
    running.set(statement.id, session);
    statement.pid = session.pid;
    touch(statement, 'STARTED');
    const subs = statement.subs ?? [statement];
    // ExecuteStatement autocommits; its COPY (many inserts here) must commit whole, as Redshift's does.
    const transaction = statement.subs !== undefined || /^\s*copy\b/i.test(statement.sql);
    let current: Run | undefined;
    try {
      if (transaction) await session.query('begin');
      for (current of subs) {
        current.pid = session.pid;
        if (current !== statement) touch(current, 'STARTED');
        const outcome = await session.run(current.sql, statement.parameters);
        current.rows = outcome.rows;
        if (outcome.result !== undefined) current.result = { ...outcome.result, bytes: JSON.stringify(outcome.result.records).length };
        if (current !== statement) touch(current, 'FINISHED');
      }
      current = undefined;
      if (transaction) await session.query('commit');
      touch(statement, 'FINISHED');
    } catch (error) {
      const status = statement.cancelled ? 'ABORTED' : 'FAILED';
      const text = errorText(error);
      if (current !== undefined && current !== statement) touch(current, status, text);
      for (const sub of subs) if (sub.status === 'SUBMITTED') touch(sub, 'ABORTED');
      await session.query('rollback').catch(() => undefined);
      touch(statement, status, text);
    } finally {
      running.delete(statement.id);
      await session.close();
    }
  };

  const submit = (body: Record<string, unknown>, sqls: string[] | undefined): Statement => {
    const token = typeof body.ClientToken === 'string' ? body.ClientToken : undefined;
    const known = token === undefined ? undefined : statements.get(tokens.get(token) ?? '');
    if (known !== undefined) return known;
    checkConnection(body);
    const parameters = checkParameters(body.Parameters);
    const used = new Set((sqls ?? [String(body.Sql)]).flatMap(parameterNames));
    const unused = parameters.filter((parameter) => !used.has(parameter.name)).map((parameter) => parameter.name);
    if (unused.length > 0) throw validation(`Each parameter must be used by a SQL statement; not used: ${unused.join(', ')}`);
    const now = Date.now();
    const id = randomUUID();
    const fresh = (runId: string, sql: string): Run => ({
      id: runId, sql, status: 'SUBMITTED', error: undefined, createdAt: now, updatedAt: now, startedAt: undefined,
      pid: -1, queryId: ++queryIds, rows: -1, result: undefined,
    });
    const statement: Statement = {
      ...fresh(id, sqls === undefined ? String(body.Sql) : sqls.join(';\n')),
      request: body,
      parameters,
      subs: sqls?.map((sql, k) => fresh(`${id}:${k + 1}`, sql)),
      cancelled: false,
    };
    statements.set(id, statement);
    if (token !== undefined) tokens.set(token, id);
    const done = execute(statement).finally(() => work.delete(done));
    work.add(done);
    return statement;
  };

  const find = (id: unknown): { statement: Statement; run: Run } => {
    if (typeof id !== 'string' || !ID.test(id)) throw validation(`1 validation error detected: Value '${String(id)}' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ID.source}`);
    const [base, sub] = id.split(':');
    const statement = statements.get(base!);
    const run = sub === undefined ? statement : statement?.subs?.[Number(sub) - 1];
    if (statement === undefined || run === undefined) throw new ApiError('ResourceNotFoundException', `Query does not exist: ${id}`, 404, { ResourceId: id });
    return { statement, run };
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    ExecuteStatement(body) {
      if (typeof body.Sql !== 'string' || body.Sql.trim() === '') throw validation("1 validation error detected: Value at 'sql' failed to satisfy constraint: Member must not be null");
      checkSize(body.Sql);
      return accepted(submit(body, undefined));
    },
    BatchExecuteStatement(body) {
      const sqls = body.Sqls;
      if (!Array.isArray(sqls) || sqls.length === 0 || sqls.length > MAX_BATCH || !sqls.every((sql) => typeof sql === 'string')) {
        throw validation(`1 validation error detected: Value at 'sqls' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH}`);
      }
      if (body.ExecutionMode !== undefined && body.ExecutionMode !== 'TRANSACTION') throw notSupported(`ExecutionMode ${String(body.ExecutionMode)}`);
      sqls.forEach(checkSize);
      return accepted(submit(body, sqls as string[]));
    },
    DescribeStatement(body) {
      if (body.WaitTimeSeconds !== undefined) throw notSupported('WaitTimeSeconds');
      const { statement, run } = find(body.Id);
      return {
        ...connectionOf(statement.request),
        ...describe(run),
        ...(run === statement && statement.parameters.length > 0 ? { QueryParameters: statement.parameters } : {}),
        ...(run === statement && statement.subs !== undefined ? { SubStatements: statement.subs.map(describe) } : {}),
        RedshiftPid: statement.pid,
      };
    },
    GetStatementResult(body) {
      if (body.WaitTimeSeconds !== undefined) throw notSupported('WaitTimeSeconds');
      const { statement, run } = find(body.Id);
      if (run === statement && statement.subs !== undefined) {
        throw validation(`${statement.id} is a batch; get the result of one of its statements, ${statement.id}:1 to ${statement.id}:${statement.subs.length}`);
      }
      if (run.status !== 'FINISHED' || run.result === undefined) throw validation('Query does not have result. Please check query status with DescribeStatement.');
      const offset = body.NextToken === undefined ? 0 : offsetOf(body.NextToken, run.id);
      const next = offset + pageRows;
      return {
        Records: run.result.records.slice(offset, next),
        ColumnMetadata: run.result.columns,
        TotalNumRows: run.result.records.length,
        ...(next < run.result.records.length ? { NextToken: Buffer.from(JSON.stringify({ id: run.id, offset: next })).toString('base64url') } : {}),
      };
    },
    async CancelStatement(body) {
      const { statement, run } = find(body.Id);
      if (run !== statement) throw validation('cancel the batch, not one of its statements');
      if (statement.status === 'FINISHED' || statement.status === 'FAILED' || statement.status === 'ABORTED') {
        throw validation(`Could not cancel a query that is already in ${statement.status} state with ID: ${statement.id}`);
      }
      statement.cancelled = true;
      if (statement.status === 'SUBMITTED') {
        for (const sub of statement.subs ?? []) touch(sub, 'ABORTED');
        touch(statement, 'ABORTED', 'Query cancelled before it started');
      } else if (statement.pid > 0) {
        await administer(databaseUrl, (admin) => admin.query('select pg_cancel_backend($1)', [statement.pid]));
      }
      return { Status: true };
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
      response.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const target = String(request.headers['x-amz-target'] ?? '');
      if (request.method !== 'POST' || (request.url ?? '/') !== '/') throw new ApiError('UnknownOperationException', `${request.method} ${request.url} is not an operation`, 404);
      if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
        throw new ApiError('SerializationException', 'expected Content-Type application/x-amz-json-1.1');
      }
      const operation = target.startsWith('RedshiftData.') ? operations[target.slice('RedshiftData.'.length)] : undefined;
      if (operation === undefined) throw new ApiError('UnknownOperationException', `the Daybook test endpoint does not implement ${target || 'a request without X-Amz-Target'}`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new ApiError('SerializationException', 'the request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('SerializationException', 'the request body is not a JSON object');
      reply(200, await operation(body as Record<string, unknown>));
    } catch (error) {
      if (error instanceof ApiError) reply(error.status, { __type: error.type, Message: error.message, ...error.extra });
      else reply(500, { __type: 'InternalServerException', Message: error instanceof Error ? error.message : String(error) });
    }
  };

  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const next = createServer((request, response) => void handle(request, response));
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve((next.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const endpoint = `http://127.0.0.1:${port}`;

  const stop = async () => {
    const current = server;
    server = undefined;
    if (current !== undefined) {
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    }
    const pids = [...running.values()].map((session) => session.pid);
    if (pids.length > 0) await administer(databaseUrl, (admin) => admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]));
    for (const statement of statements.values()) {
      if (statement.status === 'SUBMITTED' || statement.status === 'PICKED') {
        for (const sub of statement.subs ?? []) touch(sub, 'ABORTED');
        touch(statement, 'ABORTED', 'the endpoint stopped before the query ran');
      }
    }
    await Promise.allSettled([...work]);
  };

  return {
    endpoint,
    schema,
    database,
    applicationName,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'DAYBOOKTEST', secretAccessKey: 'DAYBOOKTEST' }, maxAttempts: 2 },
    stop,
    async restart() {
      if (server === undefined) await listen(port);
    },
    async dispose() {
      await stop();
      s3Client?.destroy();
      if (duckdb !== undefined) (await duckdb).close();
      await administer(databaseUrl, (admin) => admin.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`));
    },
  };
}

async function administer<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function accepted(statement: Statement) {
  return { Id: statement.id, CreatedAt: statement.createdAt / 1000, ...connectionOf(statement.request) };
}

function describe(run: Run) {
  const ended = run.status === 'FINISHED' || run.status === 'FAILED' || run.status === 'ABORTED';
  return {
    Id: run.id,
    Status: run.status,
    ...(run.error === undefined ? {} : { Error: run.error }),
    QueryString: run.sql,
    CreatedAt: run.createdAt / 1000,
    UpdatedAt: run.updatedAt / 1000,
    Duration: ended && run.startedAt !== undefined ? (run.updatedAt - run.startedAt) * 1_000_000 : -1,
    HasResultSet: run.result !== undefined,
    ResultRows: run.status === 'FINISHED' ? run.rows : -1,
    ResultSize: run.result?.bytes ?? (run.status === 'FINISHED' ? 0 : -1),
    RedshiftQueryId: run.queryId,
  };
}

