// `daybook conditions test` on PGlite: the tester's tree as JSON and as text, before and after a
// materialization, and clear errors for an asset without a condition or an unknown one.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateCliState, runCli, type CliDirectories } from '../../support/cli.ts';

const CONFIG = 'test/framework/cli/fixtures/conditions-pipeline.config.ts';
/** 06:00 UTC on 4 November: the days of 1 to 3 November have ended. */
const NOW = Date.UTC(2026, 10, 4, 6);

let cli: CliDirectories;
beforeAll(async () => {
  cli = await isolateCliState('conditions-cli');
  await mkdir(join(cli.landing, 'events'), { recursive: true });
  await writeFile(join(cli.landing, 'events', '2026-11-03.csv'), 'n\n1\n');
});
afterAll(async () => {
  await cli?.remove();
});

describe('daybook conditions test', () => {
  it('prints why the condition is false for a missing partition, node by node, as JSON', async () => {
    const { code, stdout } = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/update', '--partition', '2026-11-03', '--json'], NOW);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      asset: 'cli/update',
      partition: '2026-11-03',
      value: false,
      tree: {
        label: 'and',
        value: false,
        detail: '`not` is false',
        children: [
          { label: 'eager()', value: true, detail: 'never materialized, and every input is ready', children: [] },
          { label: 'not', value: false, detail: '`onMissing()` is true', children: [{ label: 'onMissing()', value: true, detail: 'never materialized, and every input is ready', children: [] }] },
        ],
      },
    });
  });

  it('prints the tree as an indented table for the latest partition by default, and follows materializations', async () => {
    expect((await runCli(['--config', CONFIG, 'materialize', 'cli/update', '--partition', '2026-11-03'], NOW)).code).toBe(0);
    const { code, stdout } = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/update'], NOW);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('cli/update[2026-11-03]: false, not requested');
    expect(lines[1]).toMatch(/^condition\s+value\s+detail$/);
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/))).toEqual([
      ['and', 'false', '`eager()` is false'],
      ['', 'eager()', 'false', 'materialized, and no input has new data since'],
      ['', 'not', 'true', '`onMissing()` is false'],
      ['', 'onMissing()', 'false', 'already materialized'],
    ]);
  });

  it('shows the condition true once the file is re-sent corrected', async () => {
    await writeFile(join(cli.landing, 'events', '2026-11-03.csv'), 'n\n1\n2\n');
    const { stdout } = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/update', '--json'], NOW);
    const result = JSON.parse(stdout) as { value: boolean; tree: { children: { detail: string }[] } };
    expect(result.value).toBe(true);
    expect(result.tree.children[0]!.detail).toMatch(/^cli\/events-file\[2026-11-03\] has new data \(consumed \S+, now \S+\), and every input is ready$/);
  });

  it('fails with exit code 2 for an asset without a condition, an unknown asset or a bad partition', async () => {
    const plain = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/plain', '--json'], NOW);
    expect(plain.code).toBe(2);
    expect(JSON.parse(plain.stdout)).toEqual({
      error: { code: 'invalid-definition', message: 'asset "cli/plain" has no automation condition (field "automation" of defineAsset)' },
    });
    const unknown = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/updat'], NOW);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'error: unknown asset "cli/updat"; did you mean "cli/update"?\n']);
    const bad = await runCli(['--config', CONFIG, 'conditions', 'test', 'cli/update', '--partition', '2026-13-01'], NOW);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2026-13-01/);
  });
});
