import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());

describe('sql', () => {
  it('passes when the query returns no rows', async () => {
    harness = await checkHarness({ output: 'select i as quantity from range(1, 4) r(i)' });
    const result = await sql({ name: 'positive_quantity', sql: 'select * from output where quantity <= 0;' }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: true, metrics: { failingRows: 0 } });
  });

  it('fails with the count of returned rows and five of them as samples', async () => {
    harness = await checkHarness({ output: 'select i - 10 as quantity from range(20) r(i)' });
    const result = await sql({ name: 'positive_quantity', sql: 'select quantity from output where quantity <= 0 order by quantity' }).evaluate(harness.context);
    expect(result).toMatchObject({ passed: false, metrics: { failingRows: 11 }, message: '11 failing rows' });
    expect(result.sampleFailures).toEqual([-10, -9, -8, -7, -6].map((quantity) => ({ quantity })));
  });
});
