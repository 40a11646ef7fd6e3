import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const over = async (output: string) => (harness = await checkHarness({ output })).context;

describe('schema', () => {
  it('passes when the columns and types match, whatever the case and spacing of the types', async () => {
    const check = schema({ columns: { symbol: 'varchar', quantity: 'BIGINT', cost: 'decimal(18, 6)' } });
    const result = await check.evaluate(await over('select \'AAPL\' as symbol, 10::bigint as quantity, 1.5::decimal(18,6) as cost'));
    expect(result).toMatchObject({ passed: true, metrics: { columns: 3, added: 0, removed: 0, retyped: 0 } });
  });

  it('reports added, removed and retyped columns as drift with one sample row each', async () => {
    const check = schema({ columns: { symbol: 'VARCHAR', quantity: 'BIGINT', cost: 'DECIMAL(18,6)' } });
    const result = await check.evaluate(await over("select 'AAPL' as symbol, 10::integer as quantity, 'x' as venue"));
    expect(result.passed).toBe(false);
    expect(result.metrics).toMatchObject({ added: 1, removed: 1, retyped: 1 });
    expect(result.sampleFailures).toEqual([
      { column: 'quantity', change: 'retyped', expected: 'BIGINT', actual: 'INTEGER' },
      { column: 'cost', change: 'removed', expected: 'DECIMAL(18,6)', actual: null },
      { column: 'venue', change: 'added', expected: null, actual: 'VARCHAR' },
    ]);
    expect(result.message).toBe('schema drift: quantity retyped BIGINT → INTEGER, cost removed, venue added');
  });

  it('allows extra columns when told to', async () => {
    const result = await schema({ columns: { symbol: 'VARCHAR' }, allowExtra: true }).evaluate(await over("select 'A' as symbol, 1 as extra"));
    expect(result.passed).toBe(true);
  });

  it('compares names only when given a list, reporting added and removed columns but no types', async () => {
    const check = schema({ columns: ['record_type', 'exec_id', 'price'] });
    const result = await check.evaluate(await over("select 'EXEC' as record_type, 1 as exec_id, 'x' as px"));
    expect(result).toMatchObject({ passed: false, metrics: { columns: 3, added: 1, removed: 1, retyped: 0 }, message: 'schema drift: price removed, px added' });
    harness!.close();
    expect((await check.evaluate(await over("select 'EXEC' as record_type, 'E1' as exec_id, 1.5 as price"))).passed).toBe(true);
  });
});
