import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLocalPartitionStorage,
  defineAsset,
  fileDataVersion,
  fixedClock,
  multi,
  PartitionError,
  sessions,
  staticKeys,
  timeWindows,
  type PartitionsDefinition,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { partitionStorageContract } from '../../contracts/partition-storage.contract.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('storage');
partitionStorageContract({
  name: 'local directory',
  newStorage: async () => createLocalPartitionStorage({ root: await scratch.make() }),
  cleanup: scratch.removeAll,
});

const days = sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' });
const prices = defineAsset({ key: 'northbridge/prices', partitions: days });
const positions = defineAsset({ key: 'northbridge/positions', partitions: multi({ date: days, portfolio: staticKeys(['PF001', 'PF002']) }) });
const write = (text: string) => (temp: string) => writeFile(temp, text);

/** Every file under a directory, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('createLocalPartitionStorage', () => {
  afterEach(scratch.removeAll);

  it('lays files out as <asset key>/<dimension>=<value>/data.parquet', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    await storage.write({ asset: positions, partition: '2026-11-20|PF001' }, write('a'));
    await storage.write({ asset: prices, partition: '2026-11-20' }, write('b'));
    await storage.write({ asset: defineAsset({ key: 'northbridge/instruments' }), partition: '' }, write('c'));
    expect(await filesUnder(root)).toEqual([
      'northbridge/instruments/data.parquet',
      'northbridge/positions/date=2026-11-20/portfolio=PF001/data.parquet',
      'northbridge/prices/partition=2026-11-20/data.parquet',
    ]);
  });

  it('puts a file over 16 MiB in place with its chunked version, flushed, and no temporary file left', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    const bytes = randomBytes(20 * 2 ** 20);
    const stored = await storage.write({ asset: prices, partition: '2026-11-20' }, (temp) => writeFile(temp, bytes));
    expect(stored.dataVersion).toMatch(/^sha256-chunked:/);
    expect(stored).toEqual({ location: storage.locate({ asset: prices, partition: '2026-11-20' }), ...(await fileDataVersion(stored.location)) });
    expect(await filesUnder(root)).toEqual(['northbridge/prices/partition=2026-11-20/data.parquet']);
    expect((await readFile(stored.location)).equals(bytes)).toBe(true);
  });

  it('percent-encodes characters of sub-daily keys that are unsafe in paths', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    const quarters = defineAsset({
      key: 'pixelforge/arrivals',
      partitions: timeWindows({ cadence: '15-minute', start: '2026-11-01', end: '2026-11-03', timeZone: 'America/New_York' }),
    });
    expect(relative(root, storage.locate({ asset: quarters, partition: '2026-11-02T14:15' }))).toBe(
      'pixelforge/arrivals/partition=2026-11-02T14%3A15/data.parquet',
    );
  });

  it('leaves one file and no temporary files when a partition is rewritten', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    for (const text of ['one', 'two', 'three']) await storage.write({ asset: prices, partition: '2026-11-20' }, write(text));
    expect(await filesUnder(root)).toEqual(['northbridge/prices/partition=2026-11-20/data.parquet']);
  });

  it('leaves no temporary file behind when the producer fails after writing part of it', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    await expect(
      storage.write({ asset: prices, partition: '2026-11-20' }, async (temp) => {
        await writeFile(temp, 'partial');
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('writes the temporary file beside the target, so the rename cannot cross file systems', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    let seen = '';
    const stored = await storage.write({ asset: prices, partition: '2026-11-20' }, async (temp) => {
      seen = temp;
      await writeFile(temp, 'x');
    });
    expect(join(seen, '..')).toBe(join(stored.location, '..'));
    expect(seen).not.toBe(stored.location);
  });

  it('sweeps temporary files that a crashed write left more than an hour ago, on the next write', async () => {
    const root = await scratch.make();
    const clock = fixedClock(Date.now());
    const storage = createLocalPartitionStorage({ root, clock });
    const address = { asset: prices, partition: '2026-11-20' };
    const stored = await storage.write(address, write('x'));
    const directory = join(stored.location, '..');
    const crashed = join(directory, '.tmp-crashed.parquet');
    const recent = join(directory, '.tmp-still-writing.parquet');
    await writeFile(crashed, 'half');
    await writeFile(recent, 'half');
    const twoHoursAgo = (clock.now() - 2 * 60 * 60 * 1000) / 1000;
    await utimes(crashed, twoHoursAgo, twoHoursAgo);
    await storage.write(address, write('y'));
    expect((await readdir(directory)).sort()).toEqual(['.tmp-still-writing.parquet', 'data.parquet']);
  });

  it('prunes the emptied partition directories on remove, keeping the rest of the asset', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    await storage.write({ asset: positions, partition: '2026-11-20|PF001' }, write('a'));
    await storage.write({ asset: positions, partition: '2026-11-23|PF001' }, write('b'));
    await storage.remove({ asset: positions, partition: '2026-11-20|PF001' });
    expect(await filesUnder(root)).toEqual(['northbridge/positions/date=2026-11-23/portfolio=PF001/data.parquet']);
    await expect(stat(join(root, 'northbridge/positions/date=2026-11-20'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses keys a lax definition lets through when they cannot be a path segment', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    // A definition that accepts any string, as a careless custom definition might.
    const anything: PartitionsDefinition = { ...staticKeys(['x']), indexOf: () => 0, tryIndexOf: () => 0 };
    const lax = defineAsset({ key: 'lax/asset', partitions: anything });
    for (const key of ['..', '.', 'a/b', 'a\\b', 'nul\0byte', '../../../../etc/passwd']) {
      expect(() => storage.locate({ asset: lax, partition: key }), key).toThrow(PartitionError);
    }
    expect(storage.locate({ asset: lax, partition: 'a..b' })).toBe(join(root, 'lax/asset/partition=a..b/data.parquet'));
  });

  it('resolves a relative root against the working directory and names it', () => {
    const storage = createLocalPartitionStorage({ root: 'relative/storage' });
    expect(storage.name).toBe(`local storage at ${join(process.cwd(), 'relative/storage')}`);
    expect(storage.locate({ asset: prices, partition: '2026-11-20' })).toBe(
      join(process.cwd(), 'relative/storage/northbridge/prices/partition=2026-11-20/data.parquet'),
    );
  });
});

describe('createLocalPartitionStorage when the process is killed mid-write', () => {
  afterEach(scratch.removeAll);

  it('keeps the previous file whole and leaves only a temporary file to sweep', async () => {
    const root = await scratch.make();
    const storage = createLocalPartitionStorage({ root });
    const address = { asset: prices, partition: '2026-11-20' };
    const before = await storage.write(address, write('the good file'));
    const child = join(await scratch.make(), 'writer.mts');
    await writeFile(
      child,
      [
        `import { writeFile } from 'node:fs/promises';`,
        `import { createLocalPartitionStorage, defineAsset, sessions } from ${JSON.stringify(join(process.cwd(), 'framework/index.ts'))};`,
        `import { xnys } from ${JSON.stringify(join(process.cwd(), 'calendars/index.ts'))};`,
        `const prices = defineAsset({ key: 'northbridge/prices', partitions: sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' }) });`,
        `await createLocalPartitionStorage({ root: ${JSON.stringify(root)} }).write({ asset: prices, partition: '2026-11-20' }, async (temp) => {`,
        `  await writeFile(temp, 'half of a new fi');`,
        `  process.stdout.write('writing\\n');`,
        `  await new Promise(() => {});`,
        `});`,
      ].join('\n'),
    );
    const writer = spawn(process.execPath, ['--import', 'tsx', child], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      writer.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('writing') && resolve());
      writer.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.on('exit', resolve));

    expect(await readFile(await storage.open(address), 'utf8')).toBe('the good file');
    const names = await readdir(join(before.location, '..'));
    expect(names.filter((name) => name !== 'data.parquet')).toEqual([expect.stringMatching(/^\.tmp-.*\.parquet$/)]);
  });
});
