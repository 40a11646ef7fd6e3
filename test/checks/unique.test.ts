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
});
