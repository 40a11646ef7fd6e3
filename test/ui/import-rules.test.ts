import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The UI's sources run in the browser: the lint config keeps server and node code out of the bundle.
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(code: string, filePath = 'ui/src/views/x.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('ui/src import rules', () => {
  it('refuse node modules and packages in browser code', async () => {
    expect(await violations("import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n")).toEqual([expect.stringContaining('runs in the browser')]);
    expect(await violations("import { z } from 'zod';\nexport const s = z;\n")).toEqual([expect.stringContaining('runs in the browser')]);
  });

  it('refuse server and framework code, and values from server/api-types.ts', async () => {
    expect(await violations("import { createApp } from '../../../server/app.ts';\nexport const a = createApp;\n")).toEqual([expect.stringContaining('only its own modules')]);
    expect(await violations("import { defineAsset } from '../../../framework/index.ts';\nexport const d = defineAsset;\n")).toEqual([expect.stringContaining('only its own modules')]);
    expect(await violations("import { something } from '../../../server/api-types.ts';\nexport const s = something;\n")).toEqual([expect.stringContaining('import type only')]);
  });

  it('allow its own modules and types from server/api-types.ts', async () => {
    const code = "import type { AssetList } from '../../../server/api-types.ts';\nimport { el } from '../dom.ts';\nexport const f = (list: AssetList) => el('div', {}, String(list.total));\n";
    expect(await violations(code)).toEqual([]);
  });
});
