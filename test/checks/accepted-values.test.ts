import { afterEach, describe, expect, it } from 'vitest';
import { acceptedValues } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const over = async (output: string) => (harness = await checkHarness({ output })).context;

describe('acceptedValues', () => {
  it('passes when every value is accepted, leaving nulls to notNull', async () => {
    const result = await acceptedValues('side', ['BUY', 'SELL']).evaluate(await over("select * from (values ('BUY'), ('SELL'), (null)) t(side)"));
    expect(result).toMatchObject({ passed: true, metrics: { failingRows: 0 } });
  });

  it('fails with each unexpected value and how often it occurs', async () => {
    const result = await acceptedValues('side', ['BUY', 'SELL']).evaluate(await over("select * from (values ('BUY'), ('B'), ('B'), ('SHORT')) t(side)"));
    expect(result.passed).toBe(false);
    expect(result.metrics).toEqual({ failingRows: 3, unexpectedValues: 2 });
    expect(result.sampleFailures).toEqual([
      { value: 'B', occurrences: 2 },
      { value: 'SHORT', occurrences: 1 },
    ]);
  });
});
