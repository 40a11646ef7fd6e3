import { afterEach, describe, expect, it } from 'vitest';
import { rowCount } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const over = async (output: string) => (harness = await checkHarness({ output })).context;

describe('rowCount', () => {
  it('passes with the row count as its metric when the count lies between the bounds', async () => {
    const result = await rowCount({ min: 1, max: 5 }).evaluate(await over('select * from range(3)'));
    expect(result).toMatchObject({ passed: true, metrics: { rowCount: 3 }, message: '3 rows' });
  });

  it('fails naming the bound when an empty partition needs at least one row', async () => {
    const result = await rowCount({ min: 1 }).evaluate(await over('select * from range(0)'));
    expect(result).toMatchObject({ passed: false, metrics: { rowCount: 0 }, message: '0 rows; expected at least 1' });
  });

  it('fails when the count differs from an exact control total', async () => {
    const result = await rowCount({ equals: 4 }).evaluate(await over('select * from range(3)'));
    expect(result.passed).toBe(false);
    expect(result.message).toBe('3 rows; expected exactly 4');
  });

  it('defaults to an error check that blocks, and a warn check that does not', () => {
    expect(rowCount().spec).toMatchObject({ name: 'row_count', severity: 'error', blocking: true });
    expect(rowCount({ severity: 'warn', name: 'some_rows' }).spec).toMatchObject({ name: 'some_rows', severity: 'warn', blocking: false });
  });
});
