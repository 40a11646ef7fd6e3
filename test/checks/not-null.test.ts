import { afterEach, describe, expect, it } from 'vitest';
import { notNull } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const over = async (output: string) => (harness = await checkHarness({ output })).context;

describe('notNull', () => {
  it('passes with zero nulls per column when every value is present', async () => {
    const result = await notNull(['id', 'side']).evaluate(await over("select * from (values (1, 'BUY'), (2, 'SELL')) t(id, side)"));
    expect(result).toMatchObject({ passed: true, metrics: { nulls_id: 0, nulls_side: 0, failingRows: 0 } });
  });

  it('fails counting nulls per column and samples at most five failing rows', async () => {
    const result = await notNull(['id', 'side']).evaluate(
      await over("select case when i % 2 = 0 then null else i end as id, case when i = 1 then null else 'BUY' end as side from range(20) r(i)"),
    );
    expect(result.passed).toBe(false);
    expect(result.metrics).toMatchObject({ nulls_id: 10, nulls_side: 1, failingRows: 11 });
    expect(result.sampleFailures).toHaveLength(5);
    expect(result.message).toBe('11 rows with nulls in id (10), side (1)');
  });

  it('looks only at the rows its where matches, e.g. the execution records of a file with a trailer', async () => {
    const check = notNull(['exec_id'], { where: "record_type = 'EXEC'" });
    expect(check.spec.description).toBe("no nulls in exec_id where record_type = 'EXEC'");
    const result = await check.evaluate(await over("select * from (values ('EXEC', 'E1', 1), ('EXEC', null, 1), ('EXEC', 'E1', 1), ('TRAILER', null, null)) t(record_type, exec_id, version)"));
    expect(result).toMatchObject({ passed: false, metrics: { nulls_exec_id: 1, failingRows: 1 }, sampleFailures: [{ record_type: 'EXEC', exec_id: null, version: 1 }] });
  });
});
