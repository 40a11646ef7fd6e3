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
