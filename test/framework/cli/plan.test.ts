import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isolateCliState, runCli } from '../../support/cli.ts';

await isolateCliState('plan');

// The example pipeline (daybook.config.ts) with nothing materialized yet: everything is missing.
const NOON_2026_11_22 = Date.UTC(2026, 10, 22, 17);

interface PlanJson {
  steps: { asset: string; partition: string | null; reason: string; detail: string }[];
}

describe('daybook plan', () => {
  it('prints every step of the example pipeline as missing, as JSON', async () => {
    const { code, stdout } = await runCli(['plan', '--from', '2026-11-19', '--to', '2026-11-20', '--json'], NOON_2026_11_22);
    expect(code).toBe(0);
    const { steps } = JSON.parse(stdout) as PlanJson;
    // Per session: securities, fx-rates, 3 executions, 5 positions, prices, 5 pnl, 2 publish files.
    expect(steps).toHaveLength(2 * 18);
    expect(steps[0]).toEqual({ asset: 'northbridge/securities', partition: '2026-11-19', reason: 'missing', detail: 'never materialized' });
    expect(new Set(steps.map((s) => s.reason))).toEqual(new Set(['missing']));
    const assets = [...new Set(steps.map((s) => s.asset))];
    expect(assets.indexOf('northbridge/positions')).toBeGreaterThan(assets.indexOf('northbridge/executions'));
    expect(assets.indexOf('northbridge/finance-pnl-file')).toBeGreaterThan(assets.indexOf('northbridge/pnl'));
  });

  it('plans one broker feed and its downstream partitions for a selective rerun', async () => {
    const { stdout } = await runCli(
      ['plan', 'northbridge/executions+', '--partition', '2026-11-20', '--where', 'broker=GSCO', '--json'],
      NOON_2026_11_22,
    );
    const steps = (JSON.parse(stdout) as PlanJson).steps.map((s) => `${s.asset}[${s.partition}]`);
    expect(steps).toEqual([
      'northbridge/executions[2026-11-20|GSCO]',
      ...['PF001', 'PF002', 'PF003', 'PF004', 'PF005'].map((p) => `northbridge/positions[2026-11-20|${p}]`),
      ...['PF001', 'PF002', 'PF003', 'PF004', 'PF005'].map((p) => `northbridge/pnl[2026-11-20|${p}]`),
      'northbridge/risk-positions-file[2026-11-20]',
      'northbridge/finance-pnl-file[2026-11-20]',
    ]);
  });

  it('leaves out sessions that have not ended yet', async () => {
    // 10:00 New York on Friday 2026-11-20: the 20th is still trading, the 19th has ended.
    const { stdout } = await runCli(['plan', 'northbridge/prices', '--from', '2026-11-18', '--json'], Date.UTC(2026, 10, 20, 15));
    expect((JSON.parse(stdout) as PlanJson).steps.map((s) => s.partition)).toEqual(['2026-11-18', '2026-11-19']);
  });

  it('summarises by asset in text form', async () => {
    const { stdout } = await runCli(['plan', 'group:reference', '--partition', '2026-11-20'], NOON_2026_11_22);
    expect(stdout).toContain('2 steps over 2 assets');
    expect(stdout).toMatch(/northbridge\/securities\s+1\s+missing 1\s+2026-11-20/);
  });

  it('fails with exit code 2 and a clear message for an unknown asset or a bad --where', async () => {
    const unknown = await runCli(['plan', 'northbridge/positons'], NOON_2026_11_22);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown asset "northbridge/positons"; did you mean "northbridge/positions"?\n');
    const where = await runCli(['plan', 'northbridge/executions', '--where', 'broker'], NOON_2026_11_22);
    expect(where.stderr).toMatch(/--where "broker": expected dimension=value/);
    const json = await runCli(['plan', 'nope/x', '--json'], NOON_2026_11_22);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'unknown-asset', message: 'unknown asset "nope/x"' } });
  });

  it('runs from the installed bin', () => {
    const output = execFileSync(process.execPath, ['bin/daybook.js', 'plan', 'northbridge/securities', '--partition', '2026-11-20', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, DAYBOOK_HOME: `${process.env.DAYBOOK_HOME}-bin` },
    });
    expect(JSON.parse(output)).toEqual({
      steps: [{ asset: 'northbridge/securities', partition: '2026-11-20', reason: 'missing', detail: 'never materialized' }],
    });
  });
});
