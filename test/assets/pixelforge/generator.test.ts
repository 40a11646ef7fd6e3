import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPath, deliverLate, generateUploads, manifestPath } from '../../../assets/pixelforge/generator/index.ts';
import { main } from '../../../assets/pixelforge/generator/cli.ts';
import { pixelforge } from '../../../assets/pixelforge/index.ts';
import { loadConfig } from '../../../framework/index.ts';

let scratch: string;
const dir = (name: string) => join(scratch, name);
const read = (root: string, path: string) => readFile(join(root, path), 'utf8');

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pixelforge-generator-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('generateUploads', () => {
  it('writes 96 manifests and a control file per day, the same bytes for a range and for its parts', async () => {
    const whole = await generateUploads({ root: dir('whole'), from: '2026-11-20', to: '2026-11-21', seed: 3 });
    await generateUploads({ root: dir('part'), from: '2026-11-21', to: '2026-11-21', seed: 3 });
    expect(whole.days).toEqual(['2026-11-20', '2026-11-21']);
    expect(whole.files.filter((file) => file.kind === 'manifest')).toHaveLength(192);
    expect((await readdir(join(dir('part'), 'pixelforge/uploads'))).sort()).toEqual(
      whole.files.filter((file) => file.kind === 'manifest' && file.partition.startsWith('2026-11-21')).map((file) => file.partition + '.jsonl').sort(),
    );
    for (const path of [manifestPath('2026-11-21T00:00'), manifestPath('2026-11-21T16:45'), controlPath('2026-11-21')]) {
      expect(await read(dir('part'), path), path).toBe(await read(dir('whole'), path));
    }
    const other = await generateUploads({ root: dir('other-seed'), from: '2026-11-21', to: '2026-11-21', seed: 4 });
    expect(await read(dir('other-seed'), manifestPath('2026-11-21T16:45'))).not.toBe(await read(dir('part'), manifestPath('2026-11-21T16:45')));
    expect(other.uploads.length).toBeGreaterThan(0);
  });

  it('counts each distinct file in the control file, once however many times a client sent its line', async () => {
    const day = await generateUploads({ root: dir('control'), from: '2026-11-20', to: '2026-11-20', seed: 3 });
    const lines = day.uploads.flatMap((upload) => upload.lines);
    expect(lines.length).toBeGreaterThan(day.uploads.length);
    const control = (await read(dir('control'), controlPath('2026-11-20'))).trim().split('\n');
    expect(control[0]).toBe('date,format,files,bytes');
    const rows = control.slice(1).map((line) => line.split(','));
    expect(rows.map((row) => row[1])).toEqual(['png', 'jpeg', 'webp', 'gif', 'svg']);
    expect(rows.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(day.uploads.length);
    expect(rows.reduce((sum, row) => sum + Number(row[3]), 0)).toBe(day.uploads.reduce((sum, upload) => sum + upload.bytes, 0));
    // Every line is a window's upload, inside the window, with the raw quirks the extraction cleans up.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, string | number>);
    expect(parsed.some((line) => /[A-Z]/.test(String(line.content_type)))).toBe(true);
    expect(parsed.some((line) => String(line.uploader) !== String(line.uploader).trim())).toBe(true);
  });

  it('scales the volume: about 2,400 × scale uploads a day, peaking in the afternoon (UTC)', async () => {
    const small = await generateUploads({ root: dir('small'), from: '2026-11-20', to: '2026-11-20', scale: 0.5 });
    const large = await generateUploads({ root: dir('large'), from: '2026-11-20', to: '2026-11-20', scale: 4 });
    expect(small.uploads.length).toBeGreaterThan(800);
    expect(small.uploads.length).toBeLessThan(1_600);
    expect(large.uploads.length / small.uploads.length).toBeGreaterThan(6);
    const at = (hour: number) => large.uploads.filter((upload) => new Date(upload.uploadedAt).getUTCHours() === hour).length;
    expect(at(16)).toBeGreaterThan(2 * at(4));
  });

  it('holds back late lines, which deliverLate lands so each window ends as it would have without them', async () => {
    const late = await generateUploads({ root: dir('late'), from: '2026-11-20', to: '2026-11-20', seed: 3, late: 3 });
    expect(late.held.size).toBe(3);
    for (const [window, held] of late.held) {
      const lines = (await read(dir('late'), manifestPath(window))).trim().split('\n');
      expect(lines).not.toContain(held[0]!.lines[0]);
    }
    expect(await read(dir('late'), controlPath('2026-11-20'))).toBe(await read(dir('control'), controlPath('2026-11-20')));
    const delivered = await deliverLate({ root: dir('late'), from: '2026-11-20', to: '2026-11-20', seed: 3, late: 3 });
    expect(delivered.map((file) => file.partition).sort()).toEqual([...late.held.keys()].sort());
    for (const window of late.held.keys()) expect(await read(dir('late'), manifestPath(window))).toBe(await read(dir('control'), manifestPath(window)));
  });

  it('writes only the windows that ended by endedBy, and the control files of ended days', async () => {
    const partial = await generateUploads({ root: dir('partial'), from: '2026-11-20', to: '2026-11-21', endedBy: Date.UTC(2026, 10, 21, 6, 10) });
    expect(partial.files.filter((file) => file.kind === 'control').map((file) => file.partition)).toEqual(['2026-11-20']);
    const windows = partial.files.filter((file) => file.kind === 'manifest').map((file) => file.partition);
    expect(windows).toHaveLength(96 + 24);
    expect(windows.at(-1)).toBe('2026-11-21T05:45');
  });

  it('refuses bad options, naming them', async () => {
    await expect(generateUploads({ root: dir('bad'), from: '2026-11-21', to: '2026-11-20' })).rejects.toThrow('from (2026-11-21) is after to (2026-11-20)');
    await expect(generateUploads({ root: dir('bad'), from: '2026-11-20', to: '2026-11-20', scale: 0 })).rejects.toThrow('scale: expected a positive number, got 0');
    await expect(generateUploads({ root: dir('bad'), from: 'today', to: '2026-11-20' })).rejects.toThrow('from: expected a date YYYY-MM-DD, got "today"');
  });
});

describe('the generator command line', () => {
  it('writes the days, prints each control file and a total, and lands late lines with --deliver-late', async () => {
    const lines: string[] = [];
    const root = dir('cli');
    expect(await main(['--root', root, '--from', '2026-11-20', '--to', '2026-11-20', '--scale', '0.25', '--late', '1'], (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toBe(`wrote ${join(root, 'pixelforge/control/2026-11-20.csv')}  5 rows`);
    expect(lines[1]).toMatch(/^1 days, 96 manifests, [\d,]+ uploads \(1 held back: --deliver-late lands them\) in [\d.]+ s$/);
    lines.length = 0;
    expect(await main(['--root', root, '--from', '2026-11-20', '--to', '2026-11-20', '--scale', '0.25', '--late', '1', '--deliver-late'], (line) => lines.push(line))).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('1 manifests re-sent with their late lines');
    await expect(main(['--root', root], () => undefined)).rejects.toThrow(/^usage: cli.ts --root DIR/);
  });
});

describe('the PixelForge config and its demo preparation', () => {
  it('loads with `--config`, and fills the landing directory with the windows that have ended', async () => {
    const config = await loadConfig('assets/pixelforge/daybook.config.ts');
    expect(config.definitions.assets.map((asset) => asset.key)).toEqual(pixelforge.map((asset) => asset.key));
    const log: string[] = [];
    const landing = dir('demo');
    const now = Date.UTC(2026, 10, 21, 0, 40);
    await config.demo!({ landing, now, log: (line) => log.push(line) });
    expect(log).toEqual([`generated 99 PixelForge landing files for 2 days (2026-11-20 .. 2026-11-21, windows through 2026-11-21T00:15) under ${landing}/`]);
    await config.demo!({ landing, now, log: (line) => log.push(line) });
    expect(log[1]).toBe('PixelForge manifests present for 98 windows (2026-11-20T00:00 .. 2026-11-21T00:15)');
  });
});
