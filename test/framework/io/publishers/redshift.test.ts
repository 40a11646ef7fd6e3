// The Redshift target against the test Data API endpoint (real PostgreSQL underneath, a real S3
// server for staging), driven through the real @aws-sdk/client-redshift-data client.
import { join } from 'node:path';
import { DescribeStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  PublishError,
  quoteLiteral,
  redshiftTable,
  type DuckDB,
  type DuckDBConnection,
  type PublishRequest,
  type PublishTarget,
  type RedshiftTableOptions,
  type StatementFailure,
} from '../../../../framework/index.ts';
import { publisherContract } from '../../../contracts/publisher.contract.ts';
import { startRedshiftDataApi, type TestRedshiftDataApi } from '../../../support/redshift-data-api.ts';
import { startS3Server, type TestS3Server } from '../../../support/s3-server.ts';
import { testDatabaseUrl } from '../../../support/test-stores.ts';
import { scratchDirectories } from '../scratch.ts';

const url = testDatabaseUrl;
const BUCKET = 'redshift-staging';
const ROLE = 'arn:aws:iam::123456789012:role/daybook-load';
const SECRET = 'sekrit-access-key-never-printed';

describe('redshiftTable options', () => {
  const base = { database: 'dev', schema: 'daybook' };
  it.each([
    [{ ...base }, 'workgroupName'],
    [{ ...base, workgroupName: 'w', clusterIdentifier: 'c' }, 'clusterIdentifier'],
    [{ ...base, workgroupName: 'w', dbUser: 'loader' }, 'dbUser'],
    [{ ...base, clusterIdentifier: 'c', dbUser: 'loader', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' }, 'dbUser'],
    [{ ...base, workgroupName: 'w', database: '' }, 'database'],
    [{ ...base, workgroupName: 'w', schema: '' }, 'schema'],
    [{ ...base, workgroupName: 'w', pollMs: 0 }, 'pollMs'],
    [{ ...base, workgroupName: 'w', staging: { bucket: 'Not_A_Bucket', iamRole: ROLE } }, 'staging.bucket'],
    [{ ...base, workgroupName: 'w', staging: { bucket: 'ok-bucket', prefix: '../up', iamRole: ROLE } }, 'staging.prefix'],
    [{ ...base, workgroupName: 'w', staging: { bucket: 'ok-bucket', iamRole: 'AKIAEXAMPLE' } }, 'staging.iamRole'],
  ] as [RedshiftTableOptions, string][])('refuses invalid options, naming the field (case %#)', (options, field) => {
    expect(() => redshiftTable(options)).toThrow(expect.objectContaining({ name: 'PublishError', code: 'publish-invalid-target', field }));
  });

  it('names the target by workgroup or cluster, database and schema, without credentials', () => {
    expect(redshiftTable({ ...base, workgroupName: 'risk', clientConfig: { credentials: { accessKeyId: 'a', secretAccessKey: SECRET } } }).name).toBe(
      'redshift://risk/dev#daybook',
    );
    expect(redshiftTable({ ...base, clusterIdentifier: 'nb-cluster', dbUser: 'loader', table: 'positions' }).name).toBe('redshift://nb-cluster/dev#daybook.positions');
  });
});

if (url === undefined) {
  console.warn('redshift publisher: DAYBOOK_TEST_DATABASE_URL is not set; its contract and failure tests are skipped');
  describe.skip('redshift publisher on the test Data API endpoint', () => it.skip('needs DAYBOOK_TEST_DATABASE_URL', () => undefined));
} else {
  let api: TestRedshiftDataApi;
  let s3: TestS3Server;

  /** Rows of a table in the endpoint's schema, every value as PostgreSQL's text. */
  const rowsOf = async (table: string, order?: string): Promise<Record<string, string | null>[]> => {
    const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig });
    await client.connect();
    try {
      await client.query(`set timezone to 'UTC'`);
      return (await client.query(`select * from ${pg.escapeIdentifier(api.schema)}.${pg.escapeIdentifier(table)}${order === undefined ? '' : ` order by ${order}`}`)).rows;
    } finally {
      await client.end();
    }
  };
  const admin = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<Row>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };
  const dropTables = async () => {
    await admin(`drop schema if exists ${pg.escapeIdentifier(api.schema)} cascade; create schema ${pg.escapeIdentifier(api.schema)}`);
  };
  const targetOf = (options: Partial<RedshiftTableOptions> = {}, staged = false): PublishTarget =>
    redshiftTable({
      workgroupName: 'daybook',
      database: api.database,
      schema: api.schema,
      clientConfig: { ...api.clientConfig, credentials: { accessKeyId: 'AKIADAYBOOK', secretAccessKey: SECRET } },
      pollMs: 5,
      maxPollMs: 50,
      ...(staged ? { staging: { bucket: BUCKET, prefix: 'staged', iamRole: ROLE, clientConfig: s3.clientConfig } } : {}),
      ...options,
    });
  const stagedKeys = async () => (await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((object) => object.Key) ?? [];

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    api = await startRedshiftDataApi({ databaseUrl: url, s3: s3.clientConfig });
  });
  afterAll(async () => {
    await api?.dispose();
    await s3?.dispose();
  });

  for (const staged of [false, true]) {
    publisherContract({
      name: `redshiftTable ${staged ? 'with S3 staging (COPY)' : 'without staging (INSERT … VALUES)'}`,
      newTarget: async () => targetOf({}, staged),
      readRows: (asset) => rowsOf(asset.replace('/', '__')),
      cleanup: dropTables,
    });
  }

  describe('redshiftTable', () => {
    const scratch = scratchDirectories('redshift');
    let duckdb: DuckDB;
    let connection: DuckDBConnection;
    let root: string;

    const parquet = async (name: string, select: string) => {
      const file = join(root, `${name}.parquet`);
      await connection.run(`copy (${select}) to ${quoteLiteral(file)} (format parquet)`);
      return file;
    };
    const trades = (name: string, rows: string) => parquet(name, `select trade_id::bigint as trade_id, qty from (values ${rows}) as t(trade_id, qty)`);
    const request = (file: string, dataVersion: string, partition = '2026-11-20', rowCount = 2): PublishRequest => ({
      asset: 'nb/trades',
      partition,
      partitionColumns: { partition },
      dataVersion,
      file,
      rowCount,
      runId: 'run-1',
      reader: connection,
    });
    const published = async () => (await rowsOf('nb__trades', 'trade_id')).map((row) => `${row.trade_id}:${row.qty}`);

    beforeAll(async () => {
      duckdb = await createDuckDB({ threads: 1 });
      connection = await duckdb.connect();
    });
    afterAll(() => duckdb?.close());
    beforeEach(async () => {
      root = await scratch.make();
    });
    afterEach(async () => {
      await dropTables();
      await scratch.removeAll();
    });

    for (const staged of [false, true]) {
      const how = staged ? 'with staging' : 'without staging';

      it(`reports a failed statement with its position in the batch, purpose and SQL state, without credentials (${how})`, async () => {
        const target = targetOf({}, staged);
        await target.publish(request(await trades('a', '(1, 10), (2, 20)'), 'sha256:a'));
        const bad = await trades('bad', `(1, 'ten'), (2, 'twenty')`);
        const failure = (await target.publish(request(bad, 'sha256:bad')).catch((error: unknown) => error)) as PublishError;
        expect(failure).toBeInstanceOf(PublishError);
        const purpose = staged ? `copy s3://${BUCKET}/staged/nb/trades/partition=2026-11-20/sha256-bad.parquet` : 'stage rows 1-2';
        expect(failure.message).toBe(
          `asset "nb/trades" partition "2026-11-20": publishing to redshift://daybook/${api.database}#${api.schema}.nb__trades failed: ` +
            `statement 6 of 10 (${purpose}) failed with SQL state 22P02: ERROR: invalid input syntax for type integer: "ten"`,
        );
        expect(failure.cause).toMatchObject({ code: 'statement-failed', position: 6, statements: 10, purpose, sqlState: '22P02' } satisfies Partial<StatementFailure>);
        expect(failure.message).not.toContain(SECRET);
        expect(await published()).toEqual(['1:10', '2:20']);
        expect(await stagedKeys()).toEqual([]);
      });

      it(`maps DuckDB types to Redshift types and keeps every value, quotes and backslashes included (${how})`, async () => {
        const file = await parquet(
          'types',
          `select true as flag, 7::tinyint as tiny, 18446744073709551615::ubigint as ubig,
            123.4567::decimal(18, 4) as amount, 1.5::double as ratio, 2.25::float as f, date '2026-11-20' as d, time '14:15:16' as t,
            timestamp '2026-11-20 14:15:16.123456' as ts, timestamptz '2026-11-20 14:15:16+00' as tstz,
            'a2c4e6f8-0000-4000-8000-000000000001'::uuid as id, [1, 2] as list, 'it''s \\ a \\'' test' as note, null::varchar as nothing`,
        );
        // A backslash cannot be part of an S3 key (nor of a real partition key); the statements must still quote it.
        const portfolio = staged ? "PF'; drop table x; --" : String.raw`PF\'; drop table x; --`;
        const partition = `2026-11-20|${portfolio}`;
        const target = targetOf({}, staged);
        const result = await target.publish({ ...request(file, 'sha256:t', partition, 1), partitionColumns: { date: '2026-11-20', portfolio } });
        expect(result.published).toBe(true);
        expect(await rowsOf('nb__trades')).toEqual([
          {
            flag: 't', tiny: '7', ubig: '18446744073709551615', amount: '123.4567', ratio: '1.5', f: '2.25',
            d: '2026-11-20', t: '14:15:16', ts: '2026-11-20 14:15:16.123456', tstz: '2026-11-20 14:15:16+00',
            id: 'a2c4e6f8-0000-4000-8000-000000000001', list: '[1, 2]', note: String.raw`it's \ a \' test`, nothing: null,
            _daybook_partition: partition, date: '2026-11-20', portfolio,
          },
        ]);
        const types = await admin<{ column_name: string; type: string }>(
          `select column_name, format_type(atttypid, atttypmod) as type from information_schema.columns
            join pg_attribute on attrelid = (quote_ident(table_schema) || '.' || quote_ident(table_name))::regclass and attname = column_name
            where table_schema = $1 and table_name = 'nb__trades' order by ordinal_position`,
          [api.schema],
        );
        expect(Object.fromEntries(types.map((column) => [column.column_name, column.type]))).toMatchObject({
          flag: 'boolean', tiny: 'smallint', ubig: 'numeric(20,0)', amount: 'numeric(18,4)', ratio: 'double precision', f: 'real',
          d: 'date', t: 'time without time zone', ts: 'timestamp without time zone', tstz: 'timestamp with time zone',
          id: 'character varying(65535)', list: 'character varying(65535)', _daybook_partition: 'character varying(65535)',
        });
      });
    }

    it('refuses a partition too large for Data API statements without staging, before sending anything, and loads it with staging', async () => {
      const file = await parquet('large', `select range as trade_id, repeat('x', 100) as qty from range(40000)`);
      const failure = (await targetOf().publish(request(file, 'sha256:large', '2026-11-20', 40_000)).catch((error: unknown) => error)) as PublishError;
      expect(failure).toMatchObject({ name: 'PublishError', code: 'publish-failed' });
      expect(failure.message).toMatch(/preparing the rows: the rows need about \d+ bytes of SQL, more than one Data API batch carries \(31 statements of 100000 bytes\); configure staging/);
      expect(await admin(`select 1 from pg_tables where schemaname = $1 and tablename = 'nb__trades'`, [api.schema])).toEqual([]);

      expect((await targetOf({}, true).publish(request(file, 'sha256:large', '2026-11-20', 40_000))).published).toBe(true);
      const [count] = await admin<{ n: string }>(`select count(*) as n from ${pg.escapeIdentifier(api.schema)}.nb__trades`);
      expect(count!.n).toBe('40000');
    });

    it('polls DescribeStatement with exponential backoff while a statement waits', async () => {
      const slow = await startRedshiftDataApi({ databaseUrl: url, queueDelayMs: 400 });
      const client = new RedshiftDataClient(slow.clientConfig);
      const describes: number[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === DescribeStatementCommand.name) describes.push(Date.now());
          return next(args);
        },
        { step: 'initialize' },
      );
      try {
        const target = redshiftTable({ workgroupName: 'daybook', database: slow.database, schema: slow.schema, client, pollMs: 5, maxPollMs: 1_000 });
        expect((await target.publish(request(await trades('a', '(1, 10)'), 'sha256:a', '2026-11-20', 1))).published).toBe(true);
        // Two statements (the version read, the batch), each waiting 400 ms: at a fixed 5 ms that would be about 160 polls.
        expect(describes.length).toBeGreaterThanOrEqual(4);
        expect(describes.length).toBeLessThanOrEqual(20);
      } finally {
        client.destroy();
        await slow.dispose();
      }
    });

    describe('failure mid-publish', () => {
      /** Holds a SHARE lock on the table, so a publish waits at "delete partition rows" with the rows staged. */
      const holdTable = async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query('begin');
        await client.query(`lock table ${pg.escapeIdentifier(api.schema)}.nb__trades in share mode`);
        return async () => {
          await client.query('commit');
          await client.end();
        };
      };
      /** The endpoint's backend waiting for that lock. */
      const blockedBackend = async (): Promise<number> => {
        for (let polls = 0; polls < 1_000; polls++) {
          const [row] = await admin<{ pid: number }>(`select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`, [api.applicationName]);
          if (row !== undefined) return row.pid;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('no publish is waiting for the lock');
      };

      it('fails clearly when the staging S3 server is down, without touching the table, and succeeds on retry', async () => {
        const target = targetOf({}, true);
        await target.publish(request(await trades('a', '(1, 10), (2, 20)'), 'sha256:a'));
        const corrected = await trades('b', '(1, 11), (2, 21), (3, 31)');
        await s3.stop();
        try {
          const failure = (await target.publish(request(corrected, 'sha256:b', '2026-11-20', 3)).catch((error: unknown) => error)) as PublishError;
          expect(failure).toMatchObject({ name: 'PublishError', code: 'publish-failed' });
          expect(failure.message).toContain('failed: staging the file in S3:');
          expect(await published()).toEqual(['1:10', '2:20']);
        } finally {
          await s3.restart();
        }
        expect((await target.publish(request(corrected, 'sha256:b', '2026-11-20', 3))).published).toBe(true);
        expect(await published()).toEqual(['1:11', '2:21', '3:31']);
      });

      for (const staged of [false, true]) {
        const how = staged ? 'with staging' : 'without staging';

        it(`fails clearly when its database connection is terminated, leaves the previous rows, and succeeds on retry (${how})`, async () => {
          const target = targetOf({}, staged);
          await target.publish(request(await trades('a', '(1, 10), (2, 20)'), 'sha256:a'));
          const corrected = await trades('b', '(1, 11), (2, 21), (3, 31)');
          const release = await holdTable();
          const attempt = target.publish(request(corrected, 'sha256:b', '2026-11-20', 3)).catch((error: unknown) => error);
          await admin('select pg_terminate_backend($1)', [await blockedBackend()]);
          await release();
          const failure = (await attempt) as PublishError;
          expect(failure).toMatchObject({ name: 'PublishError', code: 'publish-failed', partition: '2026-11-20' });
          expect(failure.message).toMatch(/statement 7 of 10 \(delete partition rows\) failed with SQL state 57P01: FATAL: terminating connection/);
          expect(await published()).toEqual(['1:10', '2:20']);

          expect((await target.publish(request(corrected, 'sha256:b', '2026-11-20', 3))).published).toBe(true);
          expect(await published()).toEqual(['1:11', '2:21', '3:31']);
          expect((await rowsOf('_daybook_publishes')).map((row) => [row.partition_key, row.data_version, row.row_count])).toEqual([['2026-11-20', 'sha256:b', '3']]);
          expect(await stagedKeys()).toEqual([]);
        });

        it(`fails clearly when the Data API endpoint stops, and after it restarts a retry publishes once (${how})`, async () => {
          const target = targetOf({}, staged);
          await target.publish(request(await trades('a', '(1, 10), (2, 20)'), 'sha256:a'));
          const corrected = await trades('b', '(1, 11), (2, 21), (3, 31)');
          const release = await holdTable();
          const attempt = target.publish(request(corrected, 'sha256:b', '2026-11-20', 3)).catch((error: unknown) => error);
          await blockedBackend();
          await api.stop();
          await release();
          const failure = (await attempt) as PublishError;
          expect(failure).toMatchObject({ name: 'PublishError', code: 'publish-failed' });
          expect(failure.message).toMatch(/failed: waiting for batch [0-9a-f-]{36}, which may still commit .*ECONNREFUSED/);
          expect(failure.message).not.toContain(SECRET);
          expect(await published()).toEqual(['1:10', '2:20']);

          await api.restart();
          expect((await target.publish(request(corrected, 'sha256:b', '2026-11-20', 3))).published).toBe(true);
          expect((await target.publish(request(corrected, 'sha256:b', '2026-11-20', 3))).published).toBe(false);
          expect(await published()).toEqual(['1:11', '2:21', '3:31']);
        });
      }
    });
  });
}
