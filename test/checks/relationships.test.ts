import { afterEach, describe, expect, it } from 'vitest';
import { relationships } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const securities = "select * from (values ('AAPL'), ('MSFT')) t(symbol)";

describe('relationships', () => {
  it('passes when every symbol exists in the referenced asset', async () => {
    harness = await checkHarness({ output: "select * from (values ('AAPL'), ('MSFT'), (null)) t(symbol)", tables: { 'nb/securities': securities } });
    const result = await relationships({ column: 'symbol', asset: 'nb/securities' }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { missingKeys: 0 } });
  });

  it('fails listing the keys missing from the referenced asset', async () => {
    harness = await checkHarness({ output: "select * from (values ('AAPL'), ('ZZZZ'), ('ZZZZ')) t(ticker)", tables: { 'nb/securities': securities } });
    const result = await relationships({ column: 'ticker', asset: 'nb/securities', to: 'symbol' }).evaluate(harness.context);
    expect(result.passed).toBe(false);
    expect(result.sampleFailures).toEqual([{ ticker: 'ZZZZ', occurrences: 2 }]);
    expect(result.message).toBe('1 values of ticker are not in nb/securities.symbol: ZZZZ');
  });
});
