import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The one-way arrows of STYLE.md are lint errors, so a wrong import fails `npm test`.
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('import direction rules', () => {
  it('forbid framework/ from importing calendars/', async () => {
    const messages = await violations('framework/partitions/x.ts', "import { xnys } from '../../calendars/xnys.ts';\nexport const c = xnys;\n");
    expect(messages).toEqual([expect.stringContaining('framework/ knows nothing of calendars/')]);
  });

  it('forbid partitions from importing the planner', async () => {
    const messages = await violations('framework/partitions/x.ts', "import { createPlan } from '../planner/plan.ts';\nexport const p = createPlan;\n");
    expect(messages).toEqual([expect.stringContaining('framework/partitions depends only on util')]);
  });

  it('forbid assets/ from reaching past framework/index.ts', async () => {
    const inside = await violations('assets/x.ts', "import { sessions } from '../framework/partitions/definitions/sessions.ts';\nexport const s = sessions;\n");
    expect(inside).toEqual([expect.stringContaining('assets/ imports only framework/index.ts')]);
    const surface = await violations('assets/x.ts', "import { sessions } from '../framework/index.ts';\nexport const s = sessions;\n");
    expect(surface).toEqual([]);
  });

  it('allow the planner to import definitions and partitions', async () => {
    const messages = await violations(
      'framework/planner/x.ts',
      "import { selectAssets } from '../definitions/selection.ts';\nimport { PartitionSubset } from '../partitions/subset.ts';\nexport const a = [selectAssets, PartitionSubset];\n",
    );
    expect(messages).toEqual([]);
  });
});
