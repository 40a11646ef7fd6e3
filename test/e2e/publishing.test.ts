// Publishing end to end on real DuckDB, a real warehouse file and a real store: NorthBridge over two
// sessions, a corrected broker re-send, a blocking check failure, and a target that cannot be reached.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique } from '../../checks/index.ts';
import { generateLanding, resendCorrected } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { createDuckDB, defineAsset, defineDefinitions, defineSource, materialize, postgresTable, staticKeys, warehouse } from '../../framework/index.ts';
import { quoteLiteral } from '../../framework/io/sql-text.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

const RANGE = { from: '2026-11-16', to: '2026-11-17' };
const FILES = ['northbridge/risk-positions-file', 'northbridge/finance-pnl-file'];
const table = (asset: string) => asset.replace('/', '__').replaceAll('-', '_');

/** Runs queries on the warehouse file, opened only while they run (publishes open it too). */
async function inWarehouse<Row = Record<string, unknown>>(engine: TestEngine, sql: string): Promise<Row[]> {
  const db = await createDuckDB({ path: engine.warehousePath });
  try {
    return await db.withConnection((c) => c.query<Row>(sql));
  } finally {
    db.close();
  }
}

/** Rows of the partition in the warehouse that are not in its stored Parquet file, and the reverse, with duplicates counted. */
async function differences(engine: TestEngine, asset: string, partition: string): Promise<number> {
  const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
  const file = `read_parquet(${quoteLiteral(current!.location!)}, hive_partitioning = false)`;
  const published = `(select * exclude (_daybook_partition) from ${table(asset)} where _daybook_partition = ${quoteLiteral(partition)})`;
  const [row] = await inWarehouse<{ n: bigint }>(
    engine,
    `select count(*) as n from ((from ${published} except all from ${file}) union all (from ${file} except all from ${published}))`,
  );
  return Number(row!.n);
}

describe('publishing NorthBridge to the warehouse over two sessions', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: defineDefinitions(northbridge) });
    await generateLanding({ root: engine.landing, from: RANGE.from, to: RANGE.to, seed: 11 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('publishes both files of both sessions on the first run, row for row as stored, and records each publish', async () => {
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.problems).toEqual([]);
    for (const asset of FILES) {
      const latest = await engine.store.latestPublishes(asset);
      expect(latest.map((p) => p.partition).sort()).toEqual(['2026-11-16', '2026-11-17']);
      for (const publish of latest) {
        expect(publish).toMatchObject({ target: 'warehouse', published: true, runId: run.runId });
        expect(publish.uri).toBe(`duckdb://${engine.warehousePath}#main.${table(asset)}`);
        const [current] = await engine.store.currentMaterializations(asset, { partitions: [publish.partition] });
        expect(publish.dataVersion).toBe(current!.dataVersion);
        expect(await differences(engine, asset, publish.partition)).toBe(0);
      }
    }
    const [finance] = await inWarehouse<{ n: bigint }>(engine, `select count(*) as n from northbridge__finance_pnl_file`);
    expect(Number(finance!.n)).toBe(2 * 5);
    expect(await engine.store.listAuditEvents({ action: 'asset.published' })).toHaveLength(4);
  });

  it('publishes nothing new on a second run of the same data', async () => {
    const before = await inWarehouse(engine, 'select * from _daybook_publishes order by all');
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.steps).toBe(0);
    expect(await inWarehouse(engine, 'select * from _daybook_publishes order by all')).toEqual(before);
    expect(await engine.store.listAuditEvents({ action: 'asset.published' })).toHaveLength(4);
  });

  it('republishes exactly the affected partitions after a corrected broker re-send, with no duplicate rows', async () => {
    const versionsBefore = new Map<string, string>();
    for (const asset of FILES) for (const p of await engine.store.latestPublishes(asset)) versionsBefore.set(`${asset}[${p.partition}]`, p.dataVersion);
    await resendCorrected({ root: engine.landing, date: '2026-11-16', broker: 'GSCO' });
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.problems).toEqual([]);

    const republished: string[] = [];
    for (const asset of FILES) {
      for (const p of await engine.store.latestPublishes(asset)) {
        const [current] = await engine.store.currentMaterializations(asset, { partitions: [p.partition] });
        expect(p.dataVersion).toBe(current!.dataVersion);
        if (p.runId === run.runId && p.published) republished.push(`${asset}[${p.partition}]`);
        // A new version was published in this run; an unchanged one was not.
        expect(p.published && p.runId === run.runId).toBe(versionsBefore.get(`${asset}[${p.partition}]`) !== p.dataVersion);
        expect(await differences(engine, asset, p.partition)).toBe(0);
      }
    }
    expect(republished).toContain('northbridge/risk-positions-file[2026-11-16]');
    const [risk] = await inWarehouse<{ rows: bigint; keys: bigint }>(
      engine,
      `select count(*) as rows, count(distinct (_daybook_partition, portfolio, symbol)) as keys from northbridge__risk_positions_file`,
    );
    expect(risk!.rows).toBe(risk!.keys);
    const [finance] = await inWarehouse<{ n: bigint }>(engine, `select count(*) as n from northbridge__finance_pnl_file`);
    expect(Number(finance!.n)).toBe(2 * 5);
  });
});

describe('publishing behind the check gate', () => {
  const days = staticKeys(['D1']);
  const source = defineSource({ key: 't/trade-file', partitions: days, location: { pattern: 'trades/{partition}.csv' } });
  let engine: TestEngine;
  const land = async (csv: string) => {
    await mkdir(join(engine.landing, 'trades'), { recursive: true });
    await writeFile(join(engine.landing, 'trades', 'D1.csv'), csv);
  };
  const trades = (publish: ReturnType<typeof warehouse>) =>
    defineAsset({
      key: 't/trades',
      partitions: days,
      deps: [{ asset: 't/trade-file', as: 'raw' }],
      compute: 'select cast(exec_id as varchar) as exec_id, cast(qty as bigint) as qty from raw',
      checks: [unique(['exec_id'])],
      publish: [publish],
    });

  afterAll(async () => {
    await engine?.close();
  });

  it('publishes nothing when a blocking check fails, and the warehouse keeps the last good rows', async () => {
    engine = await openTestEngine({ definitions: defineDefinitions([source, trades(warehouse())]) });
    await land('exec_id,qty\nE1,10\nE2,20\n');
    expect((await materialize(engine)).status).toBe('succeeded');
    await land('exec_id,qty\nE1,10\nE1,11\nE2,20\n');
    const blocked = await materialize(engine);
    expect(blocked.byStatus).toEqual({ 'blocked-by-check': 1 });
    const rows = await inWarehouse<{ exec_id: string; qty: bigint }>(engine, 'select exec_id, qty from t__trades order by exec_id');
    expect(rows).toEqual([{ exec_id: 'E1', qty: 10n }, { exec_id: 'E2', qty: 20n }]);
    const latest = await engine.store.latestPublishes('t/trades');
    expect(latest).toHaveLength(1);
    expect(latest[0]!.runId).not.toBe(blocked.runId);
    await engine.close();
  });

  it('fails the step after its retries and records no materialization when the target cannot be reached', async () => {
    const unreachable = postgresTable({ url: 'postgres://daybook:secret@127.0.0.1:1/nowhere', schema: 'risk' });
    engine = await openTestEngine({ definitions: defineDefinitions([source, trades(unreachable)]) });
    await land('exec_id,qty\nE1,10\n');
    const run = await materialize(engine);
    expect(run.status).toBe('failed');
    const [step] = await engine.store.listSteps(run.runId);
    expect(step).toMatchObject({ status: 'failed', attempts: 3 });
    expect(step!.errorMessage).toContain('asset "t/trades" partition "D1": publishing to postgres://127.0.0.1:1/nowhere#risk.t__trades failed');
    expect(step!.errorMessage).not.toContain('secret');
    expect(await engine.store.currentMaterializations('t/trades')).toEqual([]);
    expect(await engine.store.latestPublishes('t/trades')).toEqual([]);
  });
});
