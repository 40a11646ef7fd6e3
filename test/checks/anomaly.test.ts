import { afterEach, describe, expect, it } from 'vitest';
import { anomaly } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const history = [100, 104, 96, 100].map((rowCount, i) => ({ partition: `2026-11-1${i}`, rowCount }));

describe('anomaly', () => {
  it('passes when the row count is near the trailing mean', async () => {
    harness = await checkHarness({ output: 'select * from range(102)', history });
    const result = await anomaly({ trailing: 4, maxChangePct: 20, maxZScore: 3 }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { rowCount: 102, history: 4, mean: 100, changePct: 2 } });
  });

  it('fails by percent change and z-score when the row count halves', async () => {
    harness = await checkHarness({ output: 'select * from range(50)', history });
    const result = await anomaly({ trailing: 4, maxChangePct: 20, maxZScore: 3 }).evaluate(harness.context);
    expect(result.passed).toBe(false);
    expect(result.metrics).toMatchObject({ rowCount: 50, changePct: -50 });
    expect(result.message).toContain('changed -50% (limit 20%)');
    expect(result.message).toContain('z-score');
  });

  it('passes without judging while there is too little history', async () => {
    harness = await checkHarness({ output: 'select * from range(5)', history: history.slice(0, 1) });
    const result = await anomaly({ trailing: 4, maxChangePct: 20 }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { history: 1 }, message: '1 earlier partitions, fewer than 2: not judged' });
  });
});

describe('anomaly on a metric other than the row count', () => {
  const sums = [1000, 1040, 960, 1000].map((value, i) => ({ partition: `2026-11-1${i}`, value }));

  it('measures an aggregate over the partition, stores it under its name, and compares it with the stored values', async () => {
    harness = await checkHarness({ output: 'select 10 as notional from range(102)', metricHistory: { 'anomaly_notional.notional': sums } });
    const check = anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 4, maxChangePct: 20, maxZScore: 3 });
    expect(check.spec.name).toBe('anomaly_notional');
    expect(check.spec.uses).toBeUndefined();
    const result = await check.evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { notional: 1020, history: 4, mean: 1000, changePct: 2 } });
  });

  it('fails by z-score when the aggregate jumps, with a history read under the name the caller gave the check', async () => {
    const named = anomaly({ name: 'notional_jump', metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 4, maxZScore: 3 });
    harness = await checkHarness({ output: 'select 30 as notional from range(100)', metricHistory: { 'notional_jump.notional': sums } });
    const judged = await named.evaluate(harness.context);
    expect(judged.passed).toBe(false);
    expect(judged.metrics).toMatchObject({ notional: 3000, history: 4, mean: 1000, changePct: 200 });
    expect(judged.message).toMatch(/^notional 3000 against a trailing mean of 1000: z-score \d+(\.\d+)? \(limit 3\)$/);
  });

  it('reads another check\'s metric from its result in the same evaluation, and its history from that check\'s stored results', async () => {
    harness = await checkHarness({
      output: 'select 1 as x',
      results: { control: { passed: true, metrics: { notional: 400 }, message: 'ok' } },
      metricHistory: { 'control.notional': sums },
    });
    const check = anomaly({ metric: { check: 'control', metric: 'notional' }, trailing: 10, maxChangePct: 50 });
    expect(check.spec).toMatchObject({ name: 'anomaly_notional', uses: ['control'] });
    const result = await check.evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { notional: 400, history: 4, changePct: -60 }, message: 'notional 400 against a trailing mean of 1000: changed -60% (limit 50%)' });
  });

  it('fails when the metric is null, since there is nothing to compare', async () => {
    harness = await checkHarness({ output: 'select cast(null as integer) as notional', metricHistory: { 'anomaly_notional.notional': sums } });
    const result = await anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 4, maxChangePct: 20 }).evaluate(harness.context);
    expect(result).toEqual({ passed: false, metrics: { notional: null }, message: 'notional is null: nothing to compare' });
  });
});
