import { afterEach, describe, expect, it } from 'vitest';
import { freshness } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const trades = "select * from (values (timestamp '2026-11-20 20:30:00'), (timestamp '2026-11-20 14:00:00')) t(trade_time)";
const window = { start: Date.UTC(2026, 10, 20, 14, 30), end: Date.UTC(2026, 10, 20, 21) };

describe('freshness', () => {
  it('passes when the newest timestamp is within the lag of the partition end', async () => {
    harness = await checkHarness({ output: trades, window });
    const result = await freshness({ column: 'trade_time', maxLagMinutes: 60 }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { lagMinutes: 30, newest: '2026-11-20T20:30:00.000Z', asOf: '2026-11-20T21:00:00.000Z' } });
  });

  it('fails when measured against the clock hours later', async () => {
    harness = await checkHarness({ output: trades, window, now: Date.UTC(2026, 10, 21, 2, 30) });
    const result = await freshness({ column: 'trade_time', maxLagMinutes: 60, asOf: 'now' }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { lagMinutes: 360 }, message: 'newest trade_time lags 360 minutes, more than 60' });
  });

  it('fails on an empty partition, which has no newest value', async () => {
    harness = await checkHarness({ output: `${trades} where false`, window });
    const result = await freshness({ column: 'trade_time', maxLagMinutes: 60 }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { lagMinutes: null }, message: 'no trade_time values' });
  });
});
