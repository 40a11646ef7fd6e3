import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  defineAsset,
  defineSource,
  MaterializationError,
  quoteLiteral,
  readSource,
  runSqlCompute,
  sessions,
  type DuckDB,
  type DuckDBConnection,
  type InputRelation,
  type PartitionStorage,
  type SourceRelation,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('compute');
const days = sessions(xnys(), { start: '2026-11-16', end: '2026-11-20' });
const brokerFills = defineSource({ key: 'northbridge/gsco-fills', partitions: days, location: { pattern: 'fills/{date}.csv' } });
const securities = defineAsset({ key: 'northbridge/securities', partitions: days });
const notionals = defineAsset({ key: 'northbridge/notionals', partitions: days, deps: ['northbridge/securities'] });

let db: DuckDB;
let connection: DuckDBConnection;
beforeAll(async () => {
  db = await createDuckDB({ threads: 2 });
});
afterAll(() => db.close());

/** A landing directory with the day's fills, a storage with the day's securities, and the fills read. */
async function setUp(fills = 'exec_id,security,qty,price\nE1,AAPL,100,231.5\nE2,MSFT,-50,415.25\nE3,AAPL,10,232\n'): Promise<{
  storage: PartitionStorage;
  root: string;
  securitiesInput: InputRelation;
  fillsInput: SourceRelation;
}> {
  connection = await db.connect();
  const landing = await scratch.make();
  const root = await scratch.make();
  const storage = createLocalPartitionStorage({ root });
  const stored = await storage.write({ asset: securities, partition: '2026-11-20' }, async (temp) => {
    await connection.run(
      `COPY (SELECT * FROM (VALUES ('AAPL', 'Apple', 'TECH'), ('MSFT', 'Microsoft', 'TECH'), ('XOM', 'Exxon', 'ENERGY')) t(security, name, sector)) TO ${quoteLiteral(temp)} (FORMAT parquet)`,
    );
  });
  const securitiesInput: InputRelation = {
    name: 'securities',
    asset: securities.key,
    partitions: ['2026-11-20'],
    files: [stored.location],
    kind: 'parquet',
  };
  await mkdir(join(landing, 'fills'), { recursive: true });
  await writeFile(join(landing, 'fills/2026-11-20.csv'), fills);
  const seen = await createSourceObserver({ landing }).observe(brokerFills, '2026-11-20');
  if (seen.status !== 'present') throw new Error('fills not landed');
  const fillsInput = await readSource({ connection, source: seen, name: 'fills' });
  return { storage, root, securitiesInput, fillsInput };
}

/** The error a call rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<MaterializationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as MaterializationError;
}

afterEach(async () => {
  connection?.close();
  await scratch.removeAll();
});

const JOIN = `
  select s.sector, count(*) as fills, sum(f.qty * f.price) as notional
  from fills f join securities s using (security)
  group by s.sector order by s.sector;`;

describe('runSqlCompute', () => {
  it('joins two named inputs and stores the result as the partition, with its row count, schema and content hash', async () => {
    const { storage, securitiesInput, fillsInput } = await setUp();
    const result = await runSqlCompute({
      connection,
      storage,
      asset: notionals,
      partition: '2026-11-20',
      sql: JOIN,
      inputs: [securitiesInput, fillsInput],
    });
    expect(result.rowCount).toBe(1);
    expect(result.schema).toEqual([
      { name: 'sector', type: 'VARCHAR' },
      { name: 'fills', type: 'BIGINT' },
      { name: 'notional', type: 'DOUBLE' },
    ]);
    const path = await storage.open({ asset: notionals, partition: '2026-11-20' });
    expect(result.location).toBe(path);
    const bytes = await readFile(path);
    expect(result.bytes).toBe(bytes.length);
    expect(result.dataVersion).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(await connection.query('SELECT * FROM read_parquet(?, hive_partitioning = false)', [path])).toEqual([{ sector: 'TECH', fills: 3n, notional: 4707.5 }]);
  });

  it('counts the rows written', async () => {
    const { storage, fillsInput } = await setUp();
    const result = await runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: 'select * from fills', inputs: [fillsInput] });
    expect(result.rowCount).toBe(3);
  });

  it('reads an input spread over several partition files as one relation', async () => {
    const { storage, securitiesInput } = await setUp();
    const again = await storage.write({ asset: securities, partition: '2026-11-19' }, async (temp) => {
      await connection.run(`COPY (SELECT 'IBM' AS security, 'IBM' AS name, 'TECH' AS sector) TO ${quoteLiteral(temp)} (FORMAT parquet)`);
    });
    const window: InputRelation = { ...securitiesInput, partitions: ['2026-11-19', '2026-11-20'], files: [again.location, ...securitiesInput.files] };
    const result = await runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: 'select * from securities', inputs: [window] });
    expect(result.rowCount).toBe(4);
  });

  it('binds parameters such as the partition key', async () => {
    const { storage } = await setUp();
    await runSqlCompute({
      connection,
      storage,
      asset: notionals,
      partition: '2026-11-20',
      sql: 'select $partition::DATE as trade_date',
      params: { partition: '2026-11-20' },
    });
    const path = await storage.open({ asset: notionals, partition: '2026-11-20' });
    expect(await connection.query("SELECT strftime(trade_date, '%Y-%m-%d') AS d FROM read_parquet(?, hive_partitioning = false)", [path])).toEqual([{ d: '2026-11-20' }]);
  });

  it('gives a rerun over the same inputs the same data version, replacing the one file', async () => {
    const { storage, root, securitiesInput, fillsInput } = await setUp();
    const options = { connection, storage, asset: notionals, partition: '2026-11-20', sql: JOIN, inputs: [securitiesInput, fillsInput] };
    const first = await runSqlCompute(options);
    const second = await runSqlCompute(options);
    expect(second.dataVersion).toBe(first.dataVersion);
    expect(await readdir(join(root, 'northbridge/notionals/partition=2026-11-20'))).toEqual(['data.parquet']);
  });

  it('drops the views it registered once done, leaving views made by readSource', async () => {
    const { storage, securitiesInput, fillsInput } = await setUp();
    await runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: JOIN, inputs: [securitiesInput, fillsInput] });
    const views = await connection.query<{ view_name: string }>('SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal ORDER BY view_name');
    expect(views.map((v) => v.view_name)).toEqual(['fills']);
  });

  it('names the input asset, partition, file and line when a source row is malformed, and stores nothing', async () => {
    const { storage, root, securitiesInput, fillsInput } = await setUp(
      `exec_id,security,qty,price\n${Array.from({ length: 30_000 }, (_, i) => `E${i},AAPL,1,1`).join('\n')}\nE30000,"AAPL,1,1\n`,
    );
    const error = await rejection(runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: JOIN, inputs: [securitiesInput, fillsInput] }));
    expect(error).toBeInstanceOf(MaterializationError);
    expect(error.code).toBe('malformed-input');
    expect(error.message).toBe(
      `asset "northbridge/notionals" partition "2026-11-20" (input fills: asset "northbridge/gsco-fills" partition "2026-11-20"): file ${fillsInput.files[0]}, line 30002: Invalid Input Error: Value with unterminated quote found.`,
    );
    expect(await storage.exists({ asset: notionals, partition: '2026-11-20' })).toBe(false);
    expect(await readdir(join(root, 'northbridge/notionals/partition=2026-11-20'))).toEqual([]);
  });

  it('names the asset and partition when the SQL is wrong, keeping the previous file', async () => {
    const { storage, fillsInput } = await setUp();
    const previous = await runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: 'select 1 as n', inputs: [fillsInput] });
    const error = await rejection(runSqlCompute({
      connection,
      storage,
      asset: notionals,
      partition: '2026-11-20',
      sql: 'select no_such_column from fills',
      inputs: [fillsInput],
    }));
    expect(error.code).toBe('sql-failed');
    expect(error.message).toMatch(/^asset "northbridge\/notionals" partition "2026-11-20": Binder Error: Referenced column "no_such_column" not found/);
    const path = await storage.open({ asset: notionals, partition: '2026-11-20' });
    expect(`sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`).toBe(previous.dataVersion);
  });

  it('refuses an input with no files and two inputs with one name', async () => {
    const { storage, securitiesInput } = await setUp();
    const run = (inputs: InputRelation[]) => rejection(runSqlCompute({ connection, storage, asset: notionals, partition: '2026-11-20', sql: 'select 1', inputs }));
    expect((await run([{ ...securitiesInput, files: [], partitions: [] }])).message).toMatch(/input securities \(asset "northbridge\/securities"\) has no partition files/);
    expect((await run([securitiesInput, securitiesInput])).message).toMatch(/two inputs are named securities/);
  });

  it('rejects a bad partition key before running any SQL', async () => {
    const { storage } = await setUp();
    const error = await rejection(runSqlCompute({ connection, storage, asset: notionals, partition: '../../etc', sql: 'select 1' }));
    expect(error.message).toMatch(/asset "northbridge\/notionals": .*"..\/..\/etc" is not a partition key/);
  });
});
