// The test Redshift Data API endpoint, driven by the real @aws-sdk/client-redshift-data client over
// real PostgreSQL (and a real S3 server for COPY): the protocol the Redshift publisher relies on.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementResponse,
  type ExecuteStatementInput,
} from '@aws-sdk/client-redshift-data';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDB } from '../../framework/io/duckdb.ts';
import { quoteLiteral } from '../../framework/io/sql-text.ts';
import { scratchDirectories } from '../framework/io/scratch.ts';
import { startRedshiftDataApi, type TestRedshiftDataApi } from './redshift-data-api.ts';
import { startS3Server, type TestS3Server } from './s3-server.ts';
import { testDatabaseUrl } from './test-stores.ts';

const url = testDatabaseUrl;

if (url === undefined) {
  console.warn('redshift data api: DAYBOOK_TEST_DATABASE_URL is not set; the endpoint tests are skipped');
  describe.skip('redshift data api endpoint', () => it.skip('needs DAYBOOK_TEST_DATABASE_URL', () => undefined));
} else {
  describe('redshift data api endpoint', () => {
    let api: TestRedshiftDataApi;
    let s3: TestS3Server;
    let client: RedshiftDataClient;
    const scratch = scratchDirectories('redshift-api');
    const target = () => ({ WorkgroupName: 'daybook', Database: api.database });

    /** Polls until the statement ends; returns its last description and every status seen. */
    const settle = async (id: string): Promise<DescribeStatementResponse & { seen: string[] }> => {
      const seen: string[] = [];
      for (let polls = 0; polls < 500; polls++) {
        const described = await client.send(new DescribeStatementCommand({ Id: id }));
        if (seen.at(-1) !== described.Status) seen.push(described.Status!);
        if (['FINISHED', 'FAILED', 'ABORTED'].includes(described.Status!)) return { ...described, seen };
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`statement ${id} did not end`);
    };
    const execute = async (Sql: string, more: Partial<ExecuteStatementInput> = {}) => {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target(), Sql, ...more }));
      return settle(Id!);
    };
    const batch = async (Sqls: string[]) => {
      const { Id } = await client.send(new BatchExecuteStatementCommand({ ...target(), Sqls }));
      return settle(Id!);
    };
    const values = async (sql: string) => {
      const done = await execute(sql);
      expect(done.Status, done.Error).toBe('FINISHED');
      const { Records } = await client.send(new GetStatementResultCommand({ Id: done.Id }));
      return Records!;
    };

    beforeAll(async () => {
      s3 = await startS3Server(['staging']);
      api = await startRedshiftDataApi({ databaseUrl: url, s3: s3.clientConfig, pageRows: 1_000 });
      client = new RedshiftDataClient(api.clientConfig);
    });
    afterAll(async () => {
      client?.destroy();
      await api?.dispose();
      await s3?.dispose();
      await scratch.removeAll();
    });

    it('runs a statement asynchronously and returns typed fields with column metadata', async () => {
      const done = await execute(
        `select :n::int8 as n, 1.5::float8 as d, 'it''s'::varchar(20) as s, true as b, null::int4 as z,
          12.34::numeric(10, 2) as amount, decode('ff00', 'hex') as bytes, :label as label`,
        { Parameters: [{ name: 'n', value: '42' }, { name: 'label', value: 'hello' }] },
      );
      expect(done.seen[0]).toBe('SUBMITTED');
      expect(done).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 1, QueryParameters: [{ name: 'n', value: '42' }, { name: 'label', value: 'hello' }] });
      expect(done.CreatedAt).toBeInstanceOf(Date);
      const result = await client.send(new GetStatementResultCommand({ Id: done.Id }));
      expect(result.TotalNumRows).toBe(1);
      expect(result.Records![0]).toEqual([
        { longValue: 42 },
        { doubleValue: 1.5 },
        { stringValue: "it's" },
        { booleanValue: true },
        { isNull: true },
        { stringValue: '12.34' },
        { blobValue: new Uint8Array([255, 0]) },
        { stringValue: 'hello' },
      ]);
      const columns = result.ColumnMetadata!;
      expect(columns.map((column) => [column.name, column.typeName])).toEqual([
        ['n', 'int8'], ['d', 'float8'], ['s', 'varchar'], ['b', 'bool'], ['z', 'int4'], ['amount', 'numeric'], ['bytes', 'bytea'], ['label', 'text'],
      ]);
      expect(columns[5]).toMatchObject({ precision: 10, scale: 2, isSigned: true });
      expect(columns[2]).toMatchObject({ length: 20, isCaseSensitive: true });
    });

    it('pages a large result with NextToken', async () => {
      const done = await execute('select g from generate_series(1, 2500) as g order by g');
      const pages: number[][] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetStatementResultCommand({ Id: done.Id, NextToken: token }));
        expect(page.TotalNumRows).toBe(2500);
        pages.push(page.Records!.map((record) => record[0]!.longValue!));
        token = page.NextToken;
      } while (token !== undefined);
      expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
      expect(pages.flat()).toEqual(Array.from({ length: 2500 }, (_, k) => k + 1));
      await expect(client.send(new GetStatementResultCommand({ Id: done.Id, NextToken: 'bm90IGEgdG9rZW4' }))).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('runs a batch in one transaction: a failed statement rolls back the ones before it', async () => {
      expect((await execute('create table batch_rows (a integer)')).Status).toBe('FINISHED');
      const failed = await batch(['insert into batch_rows values (1)', "insert into batch_rows values ('x')", 'insert into batch_rows values (3)']);
      expect(failed.Status).toBe('FAILED');
      expect(failed.Error).toBe('ERROR: invalid input syntax for type integer: "x" (SQLSTATE 22P02)');
      expect(failed.SubStatements!.map((sub) => [sub.Id, sub.Status])).toEqual([
        [`${failed.Id}:1`, 'FINISHED'],
        [`${failed.Id}:2`, 'FAILED'],
        [`${failed.Id}:3`, 'ABORTED'],
      ]);
      expect(failed.SubStatements![1]!.Error).toContain('SQLSTATE 22P02');
      expect(await values('select count(*) as n from batch_rows')).toEqual([[{ longValue: 0 }]]);

      const done = await batch(['insert into batch_rows values (1), (2)', 'delete from batch_rows where a = 2', 'select a from batch_rows']);
      expect(done.Status).toBe('FINISHED');
      expect(done.SubStatements!.map((sub) => [sub.Status, sub.ResultRows, sub.HasResultSet])).toEqual([
        ['FINISHED', 2, false],
        ['FINISHED', 1, false],
        ['FINISHED', 1, true],
      ]);
      const described = await client.send(new DescribeStatementCommand({ Id: `${done.Id}:3` }));
      expect(described).toMatchObject({ Id: `${done.Id}:3`, Status: 'FINISHED', QueryString: 'select a from batch_rows' });
      expect((await client.send(new GetStatementResultCommand({ Id: `${done.Id}:3` }))).Records).toEqual([[{ longValue: 1 }]]);
      await expect(client.send(new GetStatementResultCommand({ Id: done.Id! }))).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(client.send(new GetStatementResultCommand({ Id: `${done.Id}:1` }))).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('reports a failed statement with its error text and SQL state', async () => {
      const done = await execute('select * from nowhere');
      expect(done).toMatchObject({ Status: 'FAILED', Error: 'ERROR: relation "nowhere" does not exist (SQLSTATE 42P01)', HasResultSet: false });
      const otherDatabase = await client.send(new ExecuteStatementCommand({ WorkgroupName: 'daybook', Database: 'elsewhere', Sql: 'select 1' }));
      expect(await settle(otherDatabase.Id!)).toMatchObject({ Status: 'FAILED', Error: 'FATAL: database "elsewhere" does not exist (SQLSTATE 3D000)' });
    });

    it('reads string literals as Redshift does, where a backslash escapes', async () => {
      expect(await values(String.raw`select 'a\\b' as one, 'it\'s' as two`)).toEqual([[{ stringValue: 'a\\b' }, { stringValue: "it's" }]]);
    });

    it('rejects requests the service would reject, and options it does not support, with the service error types', async () => {
      const send = (input: Record<string, unknown>) => client.send(new ExecuteStatementCommand({ Sql: 'select 1', ...input } as ExecuteStatementInput));
      await expect(send({ ClusterIdentifier: 'c', WorkgroupName: 'w', Database: api.database })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(send({ ...target(), Sql: `select '${'x'.repeat(110_000)}'` })).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Cannot process query string larger than 100kB',
      });
      await expect(send({ ...target(), Parameters: [{ name: 'unused', value: '1' }] })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(send({ ...target(), WaitTimeSeconds: 5 })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('not supported') });
      await expect(client.send(new BatchExecuteStatementCommand({ ...target(), Sqls: Array.from({ length: 41 }, () => 'select 1') }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(client.send(new DescribeStatementCommand({ Id: '00000000-0000-4000-8000-000000000000' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        ResourceId: '00000000-0000-4000-8000-000000000000',
      });
      await expect(client.send(new DescribeStatementCommand({ Id: 'not-an-id' }))).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('returns the same statement for a repeated ClientToken instead of running it twice', async () => {
      const input = { ...target(), Sql: 'select 1', ClientToken: 'daybook-token-1' };
      const first = await client.send(new ExecuteStatementCommand(input));
      const second = await client.send(new ExecuteStatementCommand(input));
      expect(second.Id).toBe(first.Id);
    });

    it('aborts a running statement on CancelStatement', async () => {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target(), Sql: 'select pg_sleep(30)' }));
      for (let polls = 0; (await client.send(new DescribeStatementCommand({ Id }))).Status !== 'STARTED'; polls++) {
        expect(polls).toBeLessThan(500);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await client.send(new CancelStatementCommand({ Id }))).toMatchObject({ Status: true });
      expect(await settle(Id!)).toMatchObject({ Status: 'ABORTED', Error: expect.stringContaining('57014') });
    });

    it('copies Parquet from the S3 server within the batch transaction, reading the source as a key prefix', async () => {
      const root = await scratch.make();
      const duckdb = await createDuckDB({ threads: 1 });
      const file = join(root, 'rows.parquet');
      await duckdb.withConnection((c) => c.run(`copy (select * from (values (1, 'one'), (2, 'two'), (3, null)) as t(id, name)) to ${quoteLiteral(file)} (format parquet)`));
      duckdb.close();
      const body = await readFile(file);
      await s3.client.send(new PutObjectCommand({ Bucket: 'staging', Key: 'load/a/part-0.parquet', Body: body }));
      await s3.client.send(new PutObjectCommand({ Bucket: 'staging', Key: 'load/a/part-1.parquet', Body: body }));
      const role = "IAM_ROLE 'arn:aws:iam::123456789012:role/daybook-load'";
      const done = await batch([
        'create table copied (id bigint, name varchar(20))',
        `copy copied (id, name) from 's3://staging/load/a/' ${role} format as parquet`,
        'insert into copied values (9, null)',
      ]);
      expect(done.Status, done.Error).toBe('FINISHED');
      expect(done.SubStatements![1]!.ResultRows).toBe(6);
      expect(await values('select id, name from copied order by id, name')).toEqual(
        [1, 1, 2, 2, 3, 3, 9].map((id) => [{ longValue: id }, id === 3 || id === 9 ? { isNull: true } : { stringValue: id === 1 ? 'one' : 'two' }]),
      );

      const missing = await batch(['insert into copied values (10, null)', `copy copied from 's3://staging/nothing/here' ${role} format as parquet`]);
      expect(missing).toMatchObject({ Status: 'FAILED', Error: expect.stringContaining("The specified S3 prefix 'nothing/here' does not exist") });
      const csv = await execute(`copy copied from 's3://staging/load/a/' ${role} format as csv`);
      expect(csv).toMatchObject({ Status: 'FAILED', Error: expect.stringMatching(/does not support this COPY.*SQLSTATE 0A000/) });
      const keys = await execute(`copy copied from 's3://staging/load/a/' access_key_id 'AKIA' secret_access_key 'x' format as parquet`);
      expect(keys).toMatchObject({ Status: 'FAILED', Error: expect.stringContaining('SQLSTATE 0A000') });
      expect(await values('select count(*) from copied')).toEqual([[{ longValue: 7 }]]);
    });
  });
}
