// The check gate end to end on real DuckDB and PGlite: a small pipeline (a trade file, trades with
// checks, a downstream summary) run twice, the second time on a file that fails a blocking check.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notNull, rowCount, unique } from '../../checks/index.ts';
import { rerunChecks } from '../../framework/executor/rerun-checks.ts';
import { defineAsset, defineDefinitions, defineSource, materialize, staticKeys } from '../../framework/index.ts';
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
