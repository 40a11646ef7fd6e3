import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  defineAsset,
  MaterializationError,
  multi,
  PartitionError,
  sessions,
  staticKeys,
  type DaybookError,
  type PartitionStorage,
  type StoredPartitionAddress,
} from '../../framework/index.ts';
import { xnys } from '../../calendars/index.ts';

/** What the contract needs from an implementation. */
export interface PartitionStorageContractOptions {
  /** Names the implementation in the suite's title. */
  name: string;
  /** A fresh, empty storage for each test. */
  newStorage: () => Promise<PartitionStorage>;
  /** Releases what `newStorage` made, after each test. */
  cleanup?: () => Promise<void>;
}

const days = sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' });
const prices = defineAsset({ key: 'northbridge/prices', partitions: days });
const positions = defineAsset({
  key: 'northbridge/positions',
  partitions: multi({ date: days, portfolio: staticKeys(['PF001', 'PF002']) }),
});
const instruments = defineAsset({ key: 'northbridge/instruments' });
const nested = defineAsset({ key: 'northbridge/prices/adjusted', partitions: days });

const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
const versionOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const writing =
  (text: string) =>
  (temp: string): Promise<void> =>
    writeFile(temp, text);

/**
 * The behaviour every PartitionStorage implementation must have. Each implementation's test file
 * calls this with a factory (STYLE.md rule 6).
 */
export function partitionStorageContract({ name, newStorage, cleanup }: PartitionStorageContractOptions): void {
  describe(`PartitionStorage contract: ${name}`, () => {
    let storage: PartitionStorage;
    beforeEach(async () => {
      storage = await newStorage();
    });
    afterEach(async () => {
      await cleanup?.();
    });

    const readStored = async (address: StoredPartitionAddress): Promise<string> => readFile(await storage.open(address), 'utf8');

    it('stores a partition and opens it with the bytes written, versioned by their SHA-256', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      expect(await storage.exists(address)).toBe(false);
      const stored = await storage.write(address, writing('first content'));
      expect(stored.dataVersion).toBe(versionOf(bytesOf('first content')));
      expect(stored.bytes).toBe(13);
      expect(stored.location).toBe(storage.locate(address));
      expect(await storage.exists(address)).toBe(true);
      expect(await readStored(address)).toBe('first content');
    });

    it('gives the same data version to the same bytes, whatever the partition, and another to other bytes', async () => {
      const a = await storage.write({ asset: prices, partition: '2026-11-19' }, writing('same'));
      const b = await storage.write({ asset: prices, partition: '2026-11-20' }, writing('same'));
      const c = await storage.write({ asset: prices, partition: '2026-11-23' }, writing('other'));
      expect(a.dataVersion).toBe(b.dataVersion);
      expect(c.dataVersion).not.toBe(a.dataVersion);
      expect(a.location).not.toBe(b.location);
    });

    it('replaces a partition when it is written again, at the same location', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      const first = await storage.write(address, writing('version one'));
      const second = await storage.write(address, writing('version two, corrected'));
      expect(second.location).toBe(first.location);
      expect(second.dataVersion).not.toBe(first.dataVersion);
      expect(await readStored(address)).toBe('version two, corrected');
    });

    it('keeps the previous file when a rewrite fails, and rethrows the failure', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      await storage.write(address, writing('good'));
      const failure = new Error('compute crashed halfway');
      await expect(
        storage.write(address, async (temp) => {
          await writeFile(temp, 'half a fi');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await readStored(address)).toBe('good');
    });

    it('stores nothing when the first write of a partition fails', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      await expect(storage.write(address, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await storage.exists(address)).toBe(false);
    });

    it('fails a write whose producer wrote no file, naming the asset and partition', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      await expect(storage.write(address, async () => {})).rejects.toThrow(/asset "northbridge\/prices" partition "2026-11-20"/);
      expect(await storage.exists(address)).toBe(false);
    });

    it('stores each partition of a multi-partitioned asset apart', async () => {
      const one = { asset: positions, partition: '2026-11-20|PF001' };
      const two = { asset: positions, partition: '2026-11-20|PF002' };
      await storage.write(one, writing('PF001 rows'));
      await storage.write(two, writing('PF002 rows'));
      expect(storage.locate(one)).not.toBe(storage.locate(two));
      expect(await readStored(one)).toBe('PF001 rows');
      expect(await readStored(two)).toBe('PF002 rows');
    });

    it('stores the one partition of an unpartitioned asset under the empty key', async () => {
      await storage.write({ asset: instruments, partition: '' }, writing('reference data'));
      expect(await readStored({ asset: instruments, partition: '' })).toBe('reference data');
    });

    it('keeps an asset and an asset nested under its key apart', async () => {
      await storage.write({ asset: prices, partition: '2026-11-20' }, writing('raw'));
      await storage.write({ asset: nested, partition: '2026-11-20' }, writing('adjusted'));
      expect(await readStored({ asset: prices, partition: '2026-11-20' })).toBe('raw');
      expect(await readStored({ asset: nested, partition: '2026-11-20' })).toBe('adjusted');
    });

    it('removes a partition, and removing it again does nothing', async () => {
      const address = { asset: prices, partition: '2026-11-20' };
      const other = { asset: prices, partition: '2026-11-23' };
      await storage.write(address, writing('x'));
      await storage.write(other, writing('y'));
      await storage.remove(address);
      await storage.remove(address);
      expect(await storage.exists(address)).toBe(false);
      expect(await readStored(other)).toBe('y');
    });

    it('refuses to open a partition that is not stored, with partition-not-stored naming asset and partition', async () => {
      const error = await storage.open({ asset: prices, partition: '2026-11-20' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MaterializationError);
      expect((error as MaterializationError).code).toBe('partition-not-stored');
      expect((error as MaterializationError).message).toMatch(/asset "northbridge\/prices" partition "2026-11-20"/);
    });

    it.each([
      ['a parent-directory key', prices, '../../etc/passwd'],
      ['a key of two dots', prices, '..'],
      ['a key with a slash', prices, '2026-11-20/../../x'],
      ['a key with a backslash', prices, '2026-11-20\\..\\x'],
      ['a key with NUL', prices, '2026-11-20\0'],
      ['a day that is not a session', prices, '2026-11-22'],
      ['an empty key of a partitioned asset', prices, ''],
      ['a multi key with a traversal part', positions, '2026-11-20|../PF001'],
      ['a multi key with too many parts', positions, '2026-11-20|PF001|x'],
      ['a key for an unpartitioned asset', instruments, '..'],
    ])('rejects %s before touching storage, naming the asset', async (_, asset, partition) => {
      const address = { asset, partition };
      const attempts: [string, () => unknown][] = [
        ['locate', () => storage.locate(address)],
        ['write', () => storage.write(address, writing('x'))],
        ['exists', () => storage.exists(address)],
        ['open', () => storage.open(address)],
        ['remove', () => storage.remove(address)],
      ];
      for (const [method, attempt] of attempts) {
        const error = await Promise.resolve()
          .then(attempt)
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect(error, method).toBeInstanceOf(PartitionError);
        expect((error as DaybookError).code, method).toBe('invalid-partition-key');
        expect((error as DaybookError).message, method).toContain(`asset "${asset.key}"`);
      }
    });

    it('writes and opens a Parquet file DuckDB produced and reads back', async () => {
      const db = await createDuckDB();
      try {
        await db.withConnection(async (connection) => {
          const address = { asset: prices, partition: '2026-11-20' };
          const stored = await storage.write(address, async (temp) => {
            await connection.run(`COPY (SELECT range AS n FROM range(1000)) TO '${temp.replaceAll("'", "''")}' (FORMAT parquet)`);
          });
          const path = await storage.open(address);
          expect(versionOf(await readFile(path))).toBe(stored.dataVersion);
          const [row] = await connection.query<{ n: bigint; total: bigint }>('SELECT count(*) AS n, sum(n) AS total FROM read_parquet(?)', [path]);
          expect(row).toEqual({ n: 1000n, total: 499500n });
        });
      } finally {
        db.close();
      }
    });

    it('writes many partitions at once without mixing their contents', async () => {
      const keys = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
      await Promise.all(keys.map((partition) => storage.write({ asset: prices, partition }, writing(`rows of ${partition}`))));
      for (const partition of keys) expect(await readStored({ asset: prices, partition })).toBe(`rows of ${partition}`);
    });
  });
}
