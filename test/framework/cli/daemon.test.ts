// `daybook daemon --once` on PGlite: a landed file launches its run, which the in-process worker runs
// before the command exits; a second tick launches nothing; bad flags are refused.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateCliState, runCli, type CliDirectories } from '../../support/cli.ts';

const CONFIG = 'test/framework/cli/fixtures/daemon-pipeline.config.ts';

let cli: CliDirectories;
beforeAll(async () => {
  cli = await isolateCliState('daemon-cli');
  await mkdir(join(cli.landing, 'events'), { recursive: true });
  await writeFile(join(cli.landing, 'events', '2026-11-03.csv'), 'n\n1\n2\n');
});
afterAll(async () => {
  await cli?.remove();
});

describe('daybook daemon --once', () => {
  it("launches the sensed file's run, waits for its worker to run it, and prints the tick as JSON", async () => {
    const { code, stdout, stderr } = await runCli(['--config', CONFIG, 'daemon', '--once', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const tick = JSON.parse(stdout) as { launched: { by: string; runId: string }[]; problems: string[] };
    expect(tick.launched).toHaveLength(1);
    expect(tick.launched[0]!.by).toBe('sensor:events');
    expect(tick.problems).toEqual([]);
    const run = JSON.parse((await runCli(['--config', CONFIG, 'run', tick.launched[0]!.runId, '--json'])).stdout) as { run: { status: string; trigger: string }; steps: { asset: string; status: string }[] };
    expect(run.run).toMatchObject({ status: 'succeeded', trigger: 'sensor' });
    expect(run.steps.map((step) => `${step.asset} ${step.status}`)).toEqual(['cli/events succeeded']);
  });

  it('launches nothing when nothing changed, and says so in text', async () => {
    const { code, stdout } = await runCli(['--config', CONFIG, 'daemon', '--once']);
    expect(code).toBe(0);
    expect(stdout).toBe('nothing due\nalerts: 0 firing, 0 resolved\n');
  });

  it('refuses a bad --workers with a message naming the flag', async () => {
    const { code, stderr } = await runCli(['--config', CONFIG, 'daemon', '--once', '--workers', 'two']);
    expect(code).toBe(2);
    expect(stderr).toContain('--workers: expected a whole number ≥ 0, got "two"');
  });
});
