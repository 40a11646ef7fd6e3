// NorthBridge end to end over three sessions on real DuckDB and a real store: the first run, a rerun
// with nothing to do, memoized skips, and a corrected broker re-send. The tests of one store share
// its state in order; each leaves every partition fresh, as the next one expects.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected, type LandingSummary } from '../../assets/northbridge/generator/index.ts';
import { formatTicks } from '../../assets/northbridge/generator/execution-record.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import { defineDefinitions } from '../../framework/definitions/definitions.ts';
import { selectAssets } from '../../framework/definitions/selection.ts';
import { materialize, type RunSummary } from '../../framework/executor/materialize.ts';
import { observeSources } from '../../framework/executor/observe-sources.ts';
import { createPlan } from '../../framework/planner/plan.ts';
import type { StepRecord } from '../../framework/store/schema.ts';
import { NORTHBRIDGE_ASSETS, partitionId, sessionPartitions } from '../support/northbridge.ts';
import { filesUnder, openTestEngine, storedRows, type TestEngine } from '../support/test-engine.ts';
import { storeKinds } from '../support/test-stores.ts';

const SESSIONS = ['2026-11-16', '2026-11-17', '2026-11-18'];
const RANGE = { from: '2026-11-16', to: '2026-11-18' };
const ALL = SESSIONS.flatMap(sessionPartitions);

const ids = (steps: readonly Pick<StepRecord, 'asset' | 'partition'>[]) => steps.map((step) => partitionId(step.asset, step.partition)).sort();

describe.each(storeKinds('test/e2e/northbridge'))('NorthBridge over three sessions, store on %s', (kind) => {
  let engine: TestEngine;
  let landed: LandingSummary;
  let first: RunSummary;

  /** The current materialization of every partition, by `asset[partition]`. */
  const currentVersions = async () => {
    const versions = new Map<string, { seq: number; dataVersion: string }>();
    for (const asset of NORTHBRIDGE_ASSETS) {
      for (const m of await engine.store.currentMaterializations(asset, { limit: 1_000 })) versions.set(partitionId(asset, m.partition), m);
    }
    return versions;
  };

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: defineDefinitions(northbridge), store: kind });
    landed = await generateLanding({ root: engine.landing, from: RANGE.from, to: RANGE.to, seed: 7 });
    first = await materialize(engine, { partitions: RANGE });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('materializes all 54 partitions of three sessions on the first run, each with rows and one Parquet file', async () => {
    expect(first).toMatchObject({ status: 'succeeded', steps: 54, byStatus: { succeeded: 54 }, problems: [] });
    const steps = await engine.store.listSteps(first.runId);
    expect(ids(steps)).toEqual([...ALL].sort());
    expect(steps.every((step) => step.status === 'succeeded' && step.attempts === 1 && step.reason === 'missing')).toBe(true);

    let rows = 0;
    for (const asset of NORTHBRIDGE_ASSETS) {
      const current = await engine.store.currentMaterializations(asset, { limit: 1_000 });
      expect(current.length, asset).toBe(ALL.filter((id) => id.startsWith(`${asset}[`)).length);
      for (const m of current) {
        expect(m.rowCount, partitionId(asset, m.partition)).toBeGreaterThan(0);
        rows += m.rowCount!;
      }
    }
    expect(first.rows).toBe(rows);
    expect(await filesUnder(engine.storageRoot)).toHaveLength(54);
    expect((await filesUnder(engine.storageRoot)).every((file) => file.endsWith('/data.parquet'))).toBe(true);

    // Each broker file's executions are stored as many as its control record counts, each exec id once.
    for (const file of landed.files.filter((f) => f.kind === 'executions')) {
      const stored = await storedRows<{ exec_id: string }>(engine, 'northbridge/executions', `${file.date}|${file.broker}`);
      expect(stored).toHaveLength(file.control!.count);
      expect(new Set(stored.map((row) => row.exec_id)).size).toBe(stored.length);
    }
    const finance = await storedRows<{ portfolio: string }>(engine, 'northbridge/finance-pnl-file', '2026-11-18');
    expect(finance.map((row) => row.portfolio)).toEqual([...PORTFOLIOS]);
  });

  it('runs nothing on a second run, when every partition is fresh', async () => {
    const second = await materialize(engine, { partitions: RANGE });
    expect(second).toMatchObject({ status: 'succeeded', steps: 0, rows: 0 });
    expect(await engine.store.listSteps(second.runId)).toEqual([]);
  });

  it('finds nothing stale after a forced rerun of prices writes identical bytes', async () => {
    const before = await currentVersions();
    const forced = await materialize(engine, { selection: 'northbridge/prices', partitions: { partition: '2026-11-17' }, force: true });
    expect(forced).toMatchObject({ status: 'succeeded', steps: 1, byStatus: { succeeded: 1 } });
    const history = await engine.store.materializationHistory('northbridge/prices', '2026-11-17');
    expect(history).toHaveLength(2);
    expect(history[0]!.dataVersion).toBe(history[1]!.dataVersion);
    expect(history[0]!.dataVersion).toBe(before.get('northbridge/prices[2026-11-17]')!.dataVersion);

    const after = await materialize(engine, { partitions: RANGE });
    expect(after.steps).toBe(0);
  });

  it('skips downstream steps as up to date when a re-sent price file computes to the same prices', async () => {
    const file = join(engine.landing, 'prices/2026-11-17.csv');
    const original = await readFile(file, 'utf8');
    const [header, ...lines] = original.trimEnd().split('\n');
    // The same closes in another order: a new source version whose prices partition has the same bytes.
    await writeFile(file, [header, ...lines.reverse()].join('\n') + '\n');
    const before = await currentVersions();

    const run = await materialize(engine, { partitions: RANGE });
    const steps = await engine.store.listSteps(run.runId);
    expect(run).toMatchObject({ status: 'succeeded', steps: 14, byStatus: { succeeded: 1, skipped: 13 } });
    expect(steps.every((step) => step.reason === 'upstream-changed')).toBe(true);
    const recomputed = steps.filter((step) => step.status === 'succeeded');
    expect(ids(recomputed)).toEqual(['northbridge/prices[2026-11-17]']);
    const skipped = steps.filter((step) => step.status === 'skipped');
    expect(ids(skipped)).toEqual(
      [
        ...PORTFOLIOS.flatMap((p) => [partitionId('northbridge/pnl', `2026-11-17|${p}`), partitionId('northbridge/pnl', `2026-11-18|${p}`)]),
        'northbridge/risk-positions-file[2026-11-17]',
        'northbridge/finance-pnl-file[2026-11-17]',
        'northbridge/finance-pnl-file[2026-11-18]',
      ].sort(),
    );
    expect(skipped.every((step) => step.errorMessage === 'up to date: same code version and input versions' && step.materializationSeq === null)).toBe(true);

    // Nothing was recomputed downstream: every current materialization but the price partition is the same one.
    const after = await currentVersions();
    for (const [id, version] of before) {
      if (id === 'northbridge/prices[2026-11-17]') expect(after.get(id)!.dataVersion, id).toBe(version.dataVersion);
      else expect(after.get(id), id).toEqual(version);
    }
    expect((await materialize(engine, { partitions: RANGE })).steps).toBe(0);
  });

  it('reruns exactly the partitions downstream of a corrected broker re-send, replacing them without duplicates', async () => {
    type Execution = { exec_id: string; version: number; portfolio: string; symbol: string; signed_quantity: bigint; quantity: bigint; price: number };
    type Position = { portfolio: string; symbol: string; quantity: bigint };
    const positionsOf = async (date: string) => {
      const all = new Map<string, bigint>();
      for (const p of PORTFOLIOS) for (const row of await storedRows<Position>(engine, 'northbridge/positions', `${date}|${p}`)) all.set(`${row.portfolio} ${row.symbol}`, row.quantity);
      return all;
    };
    const executionsBefore = await storedRows<Execution>(engine, 'northbridge/executions', '2026-11-17|GSCO');
    const positionsBefore = { '2026-11-17': await positionsOf('2026-11-17'), '2026-11-18': await positionsOf('2026-11-18') };
    const versionsBefore = await currentVersions();

    const resend = await resendCorrected({ root: engine.landing, date: '2026-11-17', broker: 'GSCO' });
    expect(resend.amended).toBeGreaterThan(0);

    // The plan: the broker's partition, the positions chain forward through previousSession, P&L, and both files of both sessions.
    const { definitions, store } = engine;
    const assets = selectAssets(definitions, '*');
    await observeSources(engine, assets, RANGE);
    const plan = createPlan({ definitions, state: await store.plannerState(definitions), assets, partitions: RANGE });
    const expected = [
      'northbridge/executions[2026-11-17|GSCO]',
      ...['2026-11-17', '2026-11-18'].flatMap((date) => [
        ...PORTFOLIOS.flatMap((p) => [partitionId('northbridge/positions', `${date}|${p}`), partitionId('northbridge/pnl', `${date}|${p}`)]),
        partitionId('northbridge/risk-positions-file', date),
        partitionId('northbridge/finance-pnl-file', date),
      ]),
    ].sort();
    const planned = [...plan.steps()];
    expect(ids(planned)).toEqual(expected);
    expect(planned.every((step) => step.reason === 'upstream-changed')).toBe(true);

    const run = await materialize(engine, { partitions: RANGE });
    expect(run.status).toBe('succeeded');
    expect(run.steps).toBe(25);
    const steps = await store.listSteps(run.runId);
    expect(ids(steps)).toEqual(expected);
    expect(steps.every((step) => step.status === 'succeeded' || step.status === 'skipped')).toBe(true);
    expect(steps.find((step) => step.asset === 'northbridge/executions')!.status).toBe('succeeded');

    // The stored executions are the file's live records: the latest version of each exec id, cancellations removed.
    const executions = await storedRows<Execution>(engine, 'northbridge/executions', '2026-11-17|GSCO');
    expect(new Set(executions.map((row) => row.exec_id)).size).toBe(executions.length);
    expect(executions).toHaveLength(resend.control.count);
    expect(executions).toHaveLength(executionsBefore.length - resend.cancelled);
    const live = await engine.query<{ exec_id: string; version: number; quantity: bigint; price: number }>(`
      select exec_id, cast(version as integer) as version, cast(quantity as bigint) as quantity, cast(price as double) as price
      from read_csv('${resend.path}', header = true, all_varchar = true)
      where record_type = 'EXEC'
      qualify row_number() over (partition by exec_id order by cast(version as integer) desc) = 1 and status <> 'C'`);
    const key = (row: { exec_id: string; version: number; quantity: bigint; price: number | string }) => `${row.exec_id} v${row.version} ${row.quantity} @ ${Number(row.price)}`;
    expect(executions.map(key).sort()).toEqual(live.map(key).sort());
    const previous = new Map(executionsBefore.map((row) => [row.exec_id, row]));
    const remaining = new Set(executions.map((row) => row.exec_id));
    expect(executions.filter((row) => !previous.has(row.exec_id))).toEqual([]);
    expect([...previous.keys()].filter((id) => !remaining.has(id))).toHaveLength(resend.cancelled);
    expect(executions.filter((row) => row.version > previous.get(row.exec_id)!.version)).toHaveLength(resend.amended);
    const location = (await store.currentMaterializations('northbridge/executions', { partitions: ['2026-11-17|GSCO'] }))[0]!.location!;
    const [total] = await engine.query<{ notional: string }>(`select cast(sum(notional) as varchar) as notional from read_parquet('${location}', hive_partitioning = false)`);
    expect(total!.notional).toBe(formatTicks(resend.control.notionalTicks));

    // Positions moved by exactly the corrections' change in signed quantity, on 11-17 and carried into 11-18.
    const delta = new Map<string, bigint>();
    const add = (rows: Execution[], sign: bigint) => {
      for (const row of rows) delta.set(`${row.portfolio} ${row.symbol}`, (delta.get(`${row.portfolio} ${row.symbol}`) ?? 0n) + sign * row.signed_quantity);
    };
    add(executions, 1n);
    add(executionsBefore, -1n);
    expect([...delta.values()].some((change) => change !== 0n)).toBe(true);
    for (const date of ['2026-11-17', '2026-11-18'] as const) {
      const after = await positionsOf(date);
      for (const position of new Set([...after.keys(), ...positionsBefore[date].keys(), ...delta.keys()])) {
        expect((after.get(position) ?? 0n) - (positionsBefore[date].get(position) ?? 0n), `${date} ${position}`).toBe(delta.get(position) ?? 0n);
      }
    }

    // One current materialization and one file per partition; partitions outside the plan were not touched.
    const versionsAfter = await currentVersions();
    expect(versionsAfter.size).toBe(54);
    for (const [id, version] of versionsBefore) if (!expected.includes(id)) expect(versionsAfter.get(id), id).toEqual(version);
    expect(versionsAfter.get('northbridge/executions[2026-11-17|GSCO]')!.dataVersion).not.toBe(versionsBefore.get('northbridge/executions[2026-11-17|GSCO]')!.dataVersion);
    const history = await store.materializationHistory('northbridge/executions', '2026-11-17|GSCO');
    expect(history.map((m) => m.seq)).toEqual([versionsAfter.get('northbridge/executions[2026-11-17|GSCO]')!.seq, versionsBefore.get('northbridge/executions[2026-11-17|GSCO]')!.seq]);
    const files = await filesUnder(engine.storageRoot);
    expect(files).toHaveLength(54);
    expect(files.filter((file) => file.startsWith('northbridge/executions/date=2026-11-17/broker=GSCO/'))).toEqual(['northbridge/executions/date=2026-11-17/broker=GSCO/data.parquet']);

    expect((await materialize(engine, { partitions: RANGE })).steps).toBe(0);
  });
});
