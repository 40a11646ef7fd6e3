import { afterEach, describe, expect, it } from 'vitest';
import { unique } from '../../checks/index.ts';
import { checkHarness, type CheckHarness } from '../support/check-context.ts';

let harness: CheckHarness | undefined;
afterEach(() => harness?.close());
const over = async (output: string) => (harness = await checkHarness({ output })).context;

describe('unique', () => {
  it('passes when a composite key repeats no combination', async () => {
    const result = await unique(['portfolio', 'symbol']).evaluate(await over("select * from (values ('PF1','A'), ('PF1','B'), ('PF2','A')) t(portfolio, symbol)"));
    expect(result).toMatchObject({ passed: true, metrics: { duplicateKeys: 0, duplicateRows: 0 } });
  });

  it('fails with the duplicated keys and their occurrences as samples', async () => {
    const result = await unique(['exec_id']).evaluate(await over("select * from (values ('E1'), ('E2'), ('E2'), ('E3'), ('E3'), ('E3')) t(exec_id)"));
    expect(result.passed).toBe(false);
    expect(result.metrics).toEqual({ duplicateKeys: 2, duplicateRows: 5 });
    expect(result.sampleFailures).toEqual([
      { exec_id: 'E3', occurrences: 3 },
      { exec_id: 'E2', occurrences: 2 },
    ]);
  });

  it('looks only at the rows its where matches', async () => {
    const context = await over("select * from (values ('EXEC', 'E1', 1), ('EXEC', null, 1), ('EXEC', 'E1', 1), ('TRAILER', null, null)) t(record_type, exec_id, version)");
    const result = await unique(['exec_id', 'version'], { where: "record_type = 'EXEC'" }).evaluate(context);
    expect(result).toMatchObject({ passed: false, metrics: { duplicateKeys: 1, duplicateRows: 2 }, sampleFailures: [{ exec_id: 'E1', version: 1, occurrences: 2 }] });
    expect((await unique(['exec_id'], { where: "record_type = 'TRAILER'" }).evaluate(context)).passed).toBe(true);
  });
});
