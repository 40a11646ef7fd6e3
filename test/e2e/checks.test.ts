// The check gate end to end on real DuckDB and PGlite: a small pipeline (a trade file, trades with
// checks, a downstream summary) run twice, the second time on a file that fails a blocking check.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomaly, notNull, reconcile, rowCount, unique } from '../../checks/index.ts';
import { rerunChecks } from '../../framework/executor/rerun-checks.ts';
import { defineAsset, defineDefinitions, defineSource, materialize, staticKeys, type CheckDefinition, type Engine } from '../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

const days = staticKeys(['D1']);
const definitions = defineDefinitions([
  defineSource({ key: 't/trade-file', partitions: days, location: { pattern: 'trades/{partition}.csv' }, checks: [rowCount({ min: 1, name: 'file_not_empty' })] }),
  defineAsset({
    key: 't/trades',
    partitions: days,
    deps: [{ asset: 't/trade-file', as: 'raw' }],
    compute: 'select cast(exec_id as varchar) as exec_id, cast(qty as bigint) as qty from raw',
    checks: [unique(['exec_id']), notNull(['qty'], { severity: 'warn' })],
  }),
  defineAsset({ key: 't/summary', partitions: days, deps: ['t/trades'], compute: 'select count(*) as n, sum(qty) as qty from trades' }),
]);

let engine: TestEngine;
const land = async (csv: string) => {
  await mkdir(join(engine.landing, 'trades'), { recursive: true });
  await writeFile(join(engine.landing, 'trades', 'D1.csv'), csv);
};

beforeAll(async () => {
  engine = await openTestEngine({ definitions });
});
afterAll(async () => {
  await engine?.close();
});

describe('the check gate', () => {
  let goodVersion: string;

  it('records the materialization with its passing results, and a failing warn check does not block', async () => {
    await land('exec_id,qty\nE1,10\nE2,\n');
    const summary = await materialize(engine);
    expect(summary.byStatus).toEqual({ succeeded: 2 });
    const [current] = await engine.store.currentMaterializations('t/trades');
    goodVersion = current!.dataVersion;
    const results = await engine.store.listCheckResults({ asset: 't/trades' });
    expect(results.map((r) => [r.check, r.passed, r.blocking]).sort()).toEqual([
      ['not_null_qty', false, false],
      ['unique_exec_id', true, true],
    ]);
    expect((await engine.store.listCheckResults({ asset: 't/trade-file' }))[0]).toMatchObject({ check: 'file_not_empty', passed: true, metrics: { rowCount: 2 } });
  });

  it('blocks a partition with duplicate exec ids: nothing replaces the current file, the step is blocked-by-check and downstream held back', async () => {
    await land('exec_id,qty\nE1,10\nE1,11\nE3,5\n');
    const summary = await materialize(engine);
    expect(summary.status).toBe('failed');
    expect(summary.byStatus).toEqual({ 'blocked-by-check': 2 });
    expect(summary.problems).toEqual([
      { asset: 't/trades', partition: 'D1', status: 'blocked-by-check', message: expect.stringContaining('blocked by check unique_exec_id (1 values of exec_id occur more than once (2 rows))') },
      { asset: 't/summary', partition: 'D1', status: 'blocked-by-check', message: 'an upstream step is blocked by a check' },
    ]);
    const [current] = await engine.store.currentMaterializations('t/trades');
    expect(current!.dataVersion).toBe(goodVersion);
    const stored = await engine.query<{ exec_id: string }>(`select exec_id from read_parquet('${current!.location}') order by exec_id`);
    expect(stored.map((row) => row.exec_id)).toEqual(['E1', 'E2']);
    const [latest] = await engine.store.listCheckResults({ asset: 't/trades', partition: 'D1' }).then((rows) => rows.filter((r) => r.check === 'unique_exec_id'));
    expect(latest).toMatchObject({ passed: false, metrics: { duplicateKeys: 1, duplicateRows: 2 }, sample: [{ exec_id: 'E1', occurrences: 2 }] });
    const steps = await engine.store.listSteps(summary.runId);
    expect(steps.map((s) => [s.asset, s.status])).toEqual([
      ['t/trades', 'blocked-by-check'],
      ['t/summary', 'blocked-by-check'],
    ]);
  });

  it('blocks every step reading a source partition that fails a blocking source check, before any compute', async () => {
    await land('exec_id,qty\n');
    const summary = await materialize(engine);
    expect(summary.problems[0]).toMatchObject({ asset: 't/trades', status: 'blocked-by-check', message: expect.stringContaining('file_not_empty (0 rows; expected at least 1)') });
    expect((await engine.store.currentMaterializations('t/trades'))[0]!.dataVersion).toBe(goodVersion);
  });

  it('reruns the checks against the stored file without recomputing, and stores the results', async () => {
    const before = (await engine.store.listRuns()).length;
    const outcome = await rerunChecks(engine, { asset: 't/trades', partition: 'D1' });
    expect(outcome.blocking).toEqual([]);
    expect(outcome.results.map((r) => [r.check, r.passed])).toEqual([
      ['unique_exec_id', true],
      ['not_null_qty', false],
    ]);
    expect((await engine.store.listRuns()).length).toBe(before);
    expect((await engine.store.listCheckResults({ asset: 't/trades' }))[0]).toMatchObject({ runId: null, check: 'not_null_qty' });
  });
});

describe('anomaly checks against stored history', () => {
  const days = staticKeys(['D1', 'D2', 'D3', 'D4', 'D5', 'D6']);
  const file = defineSource({ key: 'h/trade-file', partitions: days, location: { pattern: 'trades/{partition}.csv' } });
  const trades = (added: readonly CheckDefinition[] = []) =>
    defineAsset({
      key: 'h/trades',
      partitions: days,
      deps: [{ asset: 'h/trade-file', as: 'raw' }],
      compute: 'select cast(exec_id as varchar) as exec_id, cast(notional as decimal(18, 2)) as notional from raw',
      checks: [
        unique(['exec_id']),
        reconcile({ name: 'control', measures: { notional: 'sum(notional)' }, control: 'select sum(cast(notional as decimal(18, 2))) as notional from raw' }),
        anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 4, maxChangePct: 50, severity: 'warn' }),
        anomaly({ name: 'control_notional_jump', metric: { check: 'control', metric: 'notional' }, trailing: 4, maxZScore: 4 }),
        ...added,
      ],
    });
  let engine: TestEngine;
  /** Lands a day's file with one trade per notional, and materializes that day. */
  const runDay = async (day: string, notionals: readonly number[], ids = notionals.map((_, i) => `${day}-${i}`), on: Engine = engine) => {
    await mkdir(join(engine.landing, 'trades'), { recursive: true });
    await writeFile(join(engine.landing, 'trades', `${day}.csv`), `exec_id,notional\n${notionals.map((n, i) => `${ids[i]},${n}`).join('\n')}\n`);
    return materialize(on, { selection: 'h/trades', partitions: { partition: day } });
  };
  const latest = async (day: string, check: string) => (await engine.store.listCheckResults({ asset: 'h/trades', partition: day, check, limit: 1 }))[0]!;

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: defineDefinitions([file, trades()]) });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('stores the metric with each result and judges nothing until two earlier partitions have one', async () => {
    for (const [day, notional] of [['D1', 100], ['D2', 104], ['D3', 96]] as const) {
      expect((await runDay(day, [notional / 2, notional / 2])).byStatus).toEqual({ succeeded: 1 });
    }
    expect(await latest('D1', 'anomaly_notional')).toMatchObject({ passed: true, metrics: { notional: 100, history: 0 } });
    expect(await latest('D3', 'anomaly_notional')).toMatchObject({ passed: true, metrics: { notional: 96, history: 2, mean: 102 } });
    expect(await latest('D3', 'control_notional_jump')).toMatchObject({ passed: true, metrics: { notional: 96, history: 2 } });
  });

  it('leaves a blocked attempt out of the history: the partition\'s current data is what counts', async () => {
    expect((await runDay('D4', [100])).byStatus).toEqual({ succeeded: 1 });
    // D5 first arrives with a duplicate id and a wild total: blocked, and its stored metrics never become current.
    const blocked = await runDay('D5', [5000, 5000], ['X', 'X']);
    expect(blocked.byStatus).toEqual({ 'blocked-by-check': 1 });
    expect(await latest('D5', 'anomaly_notional')).toMatchObject({ metrics: { notional: 10000 } });
    expect((await runDay('D5', [102])).byStatus).toEqual({ succeeded: 1 });

    const jump = await runDay('D6', [300, 300]);
    expect(jump.byStatus).toEqual({ 'blocked-by-check': 1 });
    expect(jump.problems[0]!.message).toMatch(/blocked by check control_notional_jump \(notional 600 against a trailing mean of 100\.5: z-score \d+(\.\d+)? \(limit 4\)\)/);
    // D2..D5 with D5's current 102, not the blocked 10000: mean (104 + 96 + 100 + 102) / 4.
    expect(await latest('D6', 'anomaly_notional')).toMatchObject({
      passed: false,
      severity: 'warn',
      metrics: { notional: 600, history: 4, mean: 100.5, changePct: 497.01 },
      message: 'notional 600 against a trailing mean of 100.5: changed 497.01% (limit 50%)',
    });
    expect((await latest('D6', 'control_notional_jump')).metrics).toMatchObject({ notional: 600, history: 4, mean: 100.5 });
  });

  it('builds the history of a check added later from daybook check reruns of the earlier partitions', async () => {
    const rows = anomaly({ name: 'rows_added_later', metric: { name: 'rows', sql: 'count(*)' }, trailing: 4, maxChangePct: 10 });
    const later = { ...engine, definitions: defineDefinitions([file, trades([rows])]) };
    expect((await runDay('D6', [50, 51], undefined, later)).byStatus).toEqual({ succeeded: 1 });
    expect(await latest('D6', 'rows_added_later')).toMatchObject({ passed: true, metrics: { rows: 2, history: 0 } });
    for (const day of ['D2', 'D3', 'D4', 'D5']) await rerunChecks(later, { asset: 'h/trades', partition: day });
    expect(await latest('D3', 'rows_added_later')).toMatchObject({ stepId: null, metrics: { rows: 2 } });
    await materialize(later, { selection: 'h/trades', partitions: { partition: 'D6' }, force: true });
    // D2, D3: 2 rows; D4, D5: 1 row.
    expect(await latest('D6', 'rows_added_later')).toMatchObject({ passed: false, metrics: { rows: 2, history: 4, mean: 1.5, changePct: 33.33 } });
  });
});
