import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWeeklyLanding, requestsPath, scansPath } from '../../../assets/weekly/generator/index.ts';
import { main } from '../../../assets/weekly/generator/cli.ts';
import { DATASETS, RULES } from '../../../assets/weekly/partitions.ts';
import { loadConfig } from '../../../framework/index.ts';

let scratch: string;
const dir = (name: string) => join(scratch, name);
const read = (root: string, path: string) => readFile(join(root, path), 'utf8');

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'weekly-generator-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('generateWeeklyLanding', () => {
  it('writes a scan file per New York day and a request file per quarter hour, the same bytes for a range and its parts', async () => {
    const week = await generateWeeklyLanding({ root: dir('week'), from: '2026-11-15', to: '2026-11-21', seed: 2 });
    const day = await generateWeeklyLanding({ root: dir('day'), from: '2026-11-18', to: '2026-11-18', seed: 2 });
    expect(week.days).toHaveLength(7);
    expect(week.files.filter((file) => file.kind === 'requests')).toHaveLength(7 * 96);
    for (const path of [scansPath('2026-11-18'), requestsPath('2026-11-18T10:15'), requestsPath('2026-11-18T23:45')]) {
      expect(await read(dir('day'), path), path).toBe(await read(dir('week'), path));
    }
    expect(week.requests.filter((request) => request.window.startsWith('2026-11-18'))).toEqual(day.requests);
    // Every dataset is scanned by every rule four times a day at scale 1.
    const scans = (await read(dir('day'), scansPath('2026-11-18'))).trim().split('\n');
    expect(scans[0]).toBe('scan_id,dataset,rule,rows_scanned,rows_failed,scanned_at');
    expect(scans).toHaveLength(1 + DATASETS.length * RULES.length * 4);
  });

  it('gives the day clocks fall back 25 hours of windows, the repeated hour keyed with its offset', async () => {
    const fallBack = await generateWeeklyLanding({ root: dir('dst'), from: '2026-11-01', to: '2026-11-01' });
    const windows = fallBack.files.filter((file) => file.kind === 'requests').map((file) => file.partition);
    expect(windows).toHaveLength(100);
    expect(windows.slice(4, 12)).toEqual([
      '2026-11-01T01:00',
      '2026-11-01T01:15',
      '2026-11-01T01:30',
      '2026-11-01T01:45',
      '2026-11-01T01:00-05:00',
      '2026-11-01T01:15-05:00',
      '2026-11-01T01:30-05:00',
      '2026-11-01T01:45-05:00',
    ]);
  });

  it('keeps nights quiet: some windows carry their header only', async () => {
    const header = 'request_id,dataset,rule,requested_by,priority,requested_at\n';
    const quiet = (await Promise.all(Array.from({ length: 24 }, (_, k) => read(dir('day'), requestsPath(`2026-11-18T0${Math.floor(k / 4)}:${String((k % 4) * 15).padStart(2, '0')}`)))))
      .filter((text) => text === header);
    expect(quiet.length).toBeGreaterThan(0);
  });

  it('writes only what ended by endedBy', async () => {
    const partial = await generateWeeklyLanding({ root: dir('partial'), from: '2026-11-18', to: '2026-11-19', endedBy: Date.UTC(2026, 10, 19, 17) });
    expect(partial.files.filter((file) => file.kind === 'scans').map((file) => file.partition)).toEqual(['2026-11-18']);
    expect(partial.files.filter((file) => file.kind === 'requests').at(-1)!.partition).toBe('2026-11-19T11:45');
  });
});

describe('the generator command line', () => {
  it('writes the days and prints each scan file and a total', async () => {
    const lines: string[] = [];
    expect(await main(['--root', dir('cli'), '--from', '2026-11-15', '--to', '2026-11-16', '--scale', '0.5'], (line) => lines.push(line))).toBe(0);
    expect(lines.slice(0, 2)).toEqual([`wrote ${join(dir('cli'), 'weekly/scans/2026-11-15.csv')}  120 scans`, `wrote ${join(dir('cli'), 'weekly/scans/2026-11-16.csv')}  120 scans`]);
    expect(lines[2]).toMatch(/^2 days, 192 request windows, [\d,]+ requests in [\d.]+ s$/);
    await expect(main(['--from', '2026-11-15'], () => undefined)).rejects.toThrow(/^usage: cli.ts --root DIR/);
  });
});

describe('the weekly config and its demo preparation', () => {
  it('loads with `--config`, and fills the landing directory with the days and windows that have ended', async () => {
    const config = await loadConfig('assets/weekly/daybook.config.ts');
    expect(config.definitions.assets.map((asset) => asset.key)).toEqual(['weekly/scan-results', 'weekly/quality-report', 'weekly/requests', 'weekly/request-results']);
    const log: string[] = [];
    const landing = dir('demo');
    // Monday 16 November, 00:30 in New York: Sunday's scans and 98 request windows have landed.
    const now = Date.UTC(2026, 10, 16, 5, 30);
    await config.demo!({ landing, now, log: (line) => log.push(line) });
    expect(log).toEqual([`generated 99 weekly landing files for 2 days (2026-11-15 .. 2026-11-16) under ${landing}/`]);
    await config.demo!({ landing, now, log: (line) => log.push(line) });
    expect(log[1]).toBe('weekly landing data present through 2026-11-16T00:15');
  });
});
