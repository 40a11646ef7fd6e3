import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isolateCliState, runCli } from '../../support/cli.ts';

await isolateCliState('calendar');

describe('daybook calendar', () => {
  it('prints one JSON object per session, with the early close of July 3', async () => {
    const { code, stdout } = await runCli(['calendar', 'XNYS', '--from', '2024-07-01', '--to', '2024-07-05', '--json']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { date: '2024-07-01', open: '09:30', close: '16:00', tz: 'America/New_York' },
      { date: '2024-07-02', open: '09:30', close: '16:00', tz: 'America/New_York' },
      { date: '2024-07-03', open: '09:30', close: '13:00', tz: 'America/New_York' },
      { date: '2024-07-05', open: '09:30', close: '16:00', tz: 'America/New_York' },
    ]);
  });

  it('lists weekday closures with their names', async () => {
    const { stdout } = await runCli(['calendar', 'XNYS', '--from', '2025-01-01', '--to', '2025-01-31', '--closures', '--json']);
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { date: '2025-01-01', name: "New Year's Day" },
      { date: '2025-01-09', name: 'National Day of Mourning for former President Jimmy Carter' },
      { date: '2025-01-20', name: 'Martin Luther King Jr. Day' },
    ]);
  });

  it('prints a table without --json', async () => {
    const { stdout } = await runCli(['calendar', 'XNYS', '--from', '2026-11-25', '--to', '2026-11-30']);
    expect(stdout).toContain('2026-11-27  09:30  13:00  early close (Day after Thanksgiving)');
    expect(stdout).not.toContain('2026-11-26');
  });

  it('fails clearly for an unknown calendar and a bad date', async () => {
    const unknown = await runCli(['calendar', 'XLON', '--from', '2026-01-01', '--to', '2026-01-31']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown calendar "XLON"; configured calendars: XNYS\n');
    const bad = await runCli(['calendar', 'XNYS', '--from', '2026-02-30', '--to', '2026-03-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2026-02-30/);
  });

  it('runs from the installed bin over 36 years of sessions', () => {
    const output = execFileSync(process.execPath, ['bin/daybook.js', 'calendar', 'XNYS', '--from', '1995-01-01', '--to', '2030-12-31', '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const lines = output.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ date: '1995-01-03', open: '09:30', close: '16:00', tz: 'America/New_York' });
    expect(JSON.parse(lines.at(-1)!).date).toBe('2030-12-31');
    expect(lines.length).toBeGreaterThan(9000);
  });
});
