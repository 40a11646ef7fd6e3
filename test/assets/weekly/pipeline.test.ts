// The weekly quality job end to end on real DuckDB and a real store: its week keys and Tuesday
// deadline, the report over a Sunday-to-Saturday week after its simulated long run, and the queue
// job draining a day's request files, its later windows waiting until their files land. The tests
// of one store share its state in order.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWeeklyLanding, type WeeklySummary } from '../../../assets/weekly/generator/index.ts';
import { WEEKLY_KEYS, weeklyPipeline } from '../../../assets/weekly/index.ts';
import { DATASETS, weeks } from '../../../assets/weekly/partitions.ts';
import { defineDefinitions, materialize, quoteLiteral, slaDeadline } from '../../../framework/index.ts';
import { openTestEngine, storedRows, type TestEngine } from '../../support/test-engine.ts';
import { storeKinds } from '../../support/test-stores.ts';

const WEEK = '2026-11-15';
const RUN_MS = 300;
/** Noon in New York on the Friday of the week: the queue's files have landed up to here. */
const FRIDAY_NOON = Date.UTC(2026, 10, 20, 17);

describe('the weekly partitions and deadline', () => {
  it('keys weeks by their Sunday in New York, each running Sunday to Saturday', () => {
    expect(weeks.keyAt(0)).toBe(WEEK);
    expect(weeks.keyAt(weeks.indexOf('2026-11-22'))).toBe('2026-11-22');
    expect(weeks.tryIndexOf('2026-11-16')).toBe(-1);
    const index = weeks.indexOf(WEEK);
    expect(new Date(weeks.time!.windowStart(index)).toISOString()).toBe('2026-11-15T05:00:00.000Z');
    expect(new Date(weeks.time!.windowEnd(index)).toISOString()).toBe('2026-11-22T05:00:00.000Z');
    expect(weeks.countEndedBy(Date.UTC(2026, 10, 22, 4, 59))).toBe(0);
    expect(weeks.countEndedBy(Date.UTC(2026, 10, 22, 5))).toBe(1);
  });

  it('makes last week\'s report due on Tuesday at 23:59 New York time, in daylight time or not', () => {
    const sla = defineDefinitions(weeklyPipeline({ runMs: 0 })).get(WEEKLY_KEYS.report).sla!;
    expect(sla).toEqual({ deadline: '23:59', tz: 'America/New_York', partition: 'previousWeek', weekday: 2 });
    expect(new Date(slaDeadline(sla, WEEK, undefined)).toISOString()).toBe('2026-11-25T04:59:00.000Z');
    // The week of 18 October is due on 27 October, still in daylight time; the next one after clocks fell back.
    expect(new Date(slaDeadline(sla, '2026-10-18', undefined)).toISOString()).toBe('2026-10-28T03:59:00.000Z');
    expect(new Date(slaDeadline(sla, '2026-10-25', undefined)).toISOString()).toBe('2026-11-04T04:59:00.000Z');
  });
});

describe.each(storeKinds('test/assets/weekly/pipeline'))('the weekly quality job, store on %s', (kind) => {
  let engine: TestEngine;
  let landed: WeeklySummary;

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: defineDefinitions(weeklyPipeline({ runMs: RUN_MS })), store: kind });
    landed = await generateWeeklyLanding({ root: engine.landing, from: WEEK, to: '2026-11-21', seed: 4, endedBy: FRIDAY_NOON });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('drains the request windows whose files landed, leaves the later ones waiting, then runs exactly those', async () => {
    const day = { from: '2026-11-20', to: '2026-11-20' };
    const first = await materialize(engine, { selection: WEEKLY_KEYS.queueJob, partitions: day });
    // Windows end at 12:00 New York on the Friday: 48 quarter hours have their file, 48 wait for it.
    expect(first).toMatchObject({ status: 'succeeded', steps: 96, byStatus: { succeeded: 48, waiting: 48 } });
    expect(first.problems.map((problem) => problem.partition)).toEqual(Array.from({ length: 48 }, (_, k) => `2026-11-20T${String(12 + Math.floor(k / 4)).padStart(2, '0')}:${String((k % 4) * 15).padStart(2, '0')}`));

    const friday = await generateWeeklyLanding({ root: engine.landing, from: '2026-11-20', to: '2026-11-20', seed: 4 });
    const rest = await materialize(engine, { selection: WEEKLY_KEYS.queueJob, partitions: day });
    expect(rest).toMatchObject({ steps: 48, byStatus: { succeeded: 48 } });

    const expected = friday.requests;
    expect(expected.filter((request) => request.window < '2026-11-20T12:00')).toEqual(landed.requests.filter((request) => request.window.startsWith('2026-11-20')));
    expect(expected.some((request) => request.status === 'rejected')).toBe(true);
    const stored = (await engine.query<{ request_id: string; status: string; queue_window: string }>(
      `select request_id, status, queue_window from read_parquet('${join(engine.storageRoot, WEEKLY_KEYS.queueJob)}/*/data.parquet', hive_partitioning = false)
       where queue_window like '2026-11-20%'`,
    )).map((row) => `${row.queue_window} ${row.request_id} ${row.status}`);
    expect(stored.sort()).toEqual(expected.map((request) => `${request.window} ${request.requestId} ${request.status}`).sort());
    const windows = await engine.store.currentMaterializations(WEEKLY_KEYS.queueJob, { limit: 1_000 });
    expect(windows.filter((m) => m.partition.startsWith('2026-11-20'))).toHaveLength(96);
    // Nights are quiet: a window with its header only is a partition of no rows, not a failure.
    expect(windows.some((m) => m.rowCount === 0)).toBe(true);
  });
  it('waits for the whole week\'s scan files, then reports on every dataset after its long run, its checks passing', async () => {
    const early = await materialize(engine, { selection: WEEKLY_KEYS.report, partitions: { partition: WEEK } });
    expect(early).toMatchObject({ status: 'succeeded', steps: 1, byStatus: { waiting: 1 } });
    expect(early.problems[0]!.message).toBe(`file not arrived: ${join(engine.landing, 'weekly/scans/2026-11-21.csv')}`);

    await generateWeeklyLanding({ root: engine.landing, from: '2026-11-21', to: '2026-11-21', seed: 4 });
    const run = await materialize(engine, { selection: WEEKLY_KEYS.report, partitions: { partition: WEEK } });
    expect(run).toMatchObject({ status: 'succeeded', steps: 1, byStatus: { succeeded: 1 } });
    const [step] = await engine.store.listSteps(run.runId);
    expect(step!.finishedAt!.getTime() - step!.startedAt!.getTime()).toBeGreaterThanOrEqual(RUN_MS);

    const report = await storedRows<{ dataset: string; days_scanned: bigint; rows_scanned: bigint; rows_failed: bigint; grade: string; week_start: Date }>(engine, WEEKLY_KEYS.report, WEEK);
    expect(report.map((row) => row.dataset)).toEqual([...DATASETS].sort());
    expect(report.every((row) => row.days_scanned === 7n && ['A', 'B', 'C', 'D'].includes(row.grade))).toBe(true);
    const files = Array.from({ length: 7 }, (_, k) => quoteLiteral(join(engine.landing, `weekly/scans/2026-11-${15 + k}.csv`)));
    const [totals] = await engine.query<{ scanned: bigint; failed: bigint }>(
      `select sum(rows_scanned)::bigint as scanned, sum(rows_failed)::bigint as failed from read_csv([${files.join(', ')}], header = true)`,
    );
    expect(report.reduce((sum, row) => sum + row.rows_scanned, 0n)).toBe(totals!.scanned);
    expect(report.reduce((sum, row) => sum + row.rows_failed, 0n)).toBe(totals!.failed);
    const checks = await engine.store.listCheckResults({ asset: WEEKLY_KEYS.report });
    expect(checks).toHaveLength(5);
    expect(checks.every((check) => check.passed)).toBe(true);
  });

});
