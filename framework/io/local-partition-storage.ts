import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { assertAssetKey } from '../definitions/asset-key.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { MaterializationError } from '../util/errors.ts';
import { CHUNK_BYTES, chunkedVersion, digestVersion, type ContentHash } from './content-hash.ts';
import { placeOnThread, syncOnThread } from './file-threads.ts';
import type { PartitionStorage, StoredPartition, StoredPartitionAddress } from './partition-storage.ts';
import { encodePartitionValue, partitionValues } from './partition-values.ts';

export interface LocalPartitionStorageOptions {
  /** The directory holding every asset's partitions. */
  root?: string;
  /**
   * Flush each file and its directory to disk before `write()` resolves, so a power loss after a
   * materialization is recorded cannot leave a recorded but empty file. Off only for throwaway data.
   */
  durable?: boolean;
  /** Compared with file times to find temporary files that crashed writes left behind. */
  clock?: Clock;
}

const FILE_NAME = 'data.parquet';
const TEMP_PREFIX = '.tmp-';
/** A temporary file this old belongs to a write that crashed; a live write keeps touching its file. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Partition storage in a local directory: `<root>/<asset key>/<dimension>=<value>/…/data.parquet`,
 * e.g. `northbridge/positions/date=2026-11-20/portfolio=PF001/data.parquet`. A single-dimension key
 * is `partition=<key>`, and an unpartitioned asset's file is `<root>/<asset key>/data.parquet`.
 * Values are percent-encoded outside `A-Z a-z 0-9 . _ -` (`2026-11-20T14:15` → `2026-11-20T14%3A15`).
 * See docs/io.md.
 *
 * @example
 * const storage = createLocalPartitionStorage({ root: '.daybook/storage' });
 * const stored = await storage.write({ asset: prices, partition: '2026-11-20' }, (temp) => connection.run(`COPY … TO '${temp}'`).then(() => {}));
 */
export function createLocalPartitionStorage({
  root = '.daybook/storage',
  durable = true,
  clock = systemClock,
}: LocalPartitionStorageOptions = {}): PartitionStorage {
  const base = resolve(root);

  const locate = ({ asset, partition }: StoredPartitionAddress): string => {
    assertAssetKey(asset.key, 'partition storage');
    const segments = partitionValues(asset, partition).map(({ name, value }) => `${name}=${encodePartitionValue(value)}`);
    const path = join(base, ...asset.key.split('/'), ...segments, FILE_NAME);
    // The key rules above already make this impossible; the check keeps it so if they ever loosen.
    if (!path.startsWith(base + sep)) {
      throw new MaterializationError('storage-failed', `asset "${asset.key}" partition ${JSON.stringify(partition)}: path ${path} leaves ${base}`, {
        asset: asset.key,
        partition,
      });
    }
    return path;
  };

  /** Hashes, flushes, renames and flushes the directory: in one trip to a file thread, or for a large file, its chunks on several. */
  const place = async (temp: string, target: string): Promise<ContentHash> => {
    const placed = await placeOnThread(temp, target, durable, CHUNK_BYTES);
    if ('sha256' in placed) return digestVersion(placed);
    const [version] = await Promise.all([chunkedVersion(temp, placed.size), durable ? syncOnThread(temp) : null]);
    await placeOnThread(temp, target, durable, CHUNK_BYTES, true);
    return version;
  };

  const where = ({ asset, partition }: StoredPartitionAddress): string => `asset "${asset.key}" partition ${JSON.stringify(partition)}`;

  return {
    name: `local storage at ${base}`,
    locate,

    async write(address, produce): Promise<StoredPartition> {
      const target = locate(address);
      const directory = dirname(target);
      // A directory made just now holds no temporary files to sweep.
      const made = await mkdir(directory, { recursive: true });
      const temp = join(directory, `${TEMP_PREFIX}${randomUUID()}.parquet`);
      try {
        await produce(temp);
        const hash = await place(temp, target).catch((error: unknown) => {
          const { code, path } = error as NodeJS.ErrnoException;
          if (code !== 'ENOENT' || path !== temp) throw error;
          throw new MaterializationError('storage-failed', `${where(address)}: the compute finished without writing ${temp}`, {
            asset: address.asset.key,
            partition: address.partition,
            field: temp,
          });
        });
        if (made === undefined) await sweepStaleTemps(directory, clock.now());
        return { location: target, dataVersion: hash.dataVersion, bytes: hash.bytes };
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async exists(address) {
      const found = await stat(locate(address)).catch(() => undefined);
      return found?.isFile() ?? false;
    },

    async open(address) {
      const path = locate(address);
      const found = await stat(path).catch(() => undefined);
      if (!found?.isFile()) {
        throw new MaterializationError('partition-not-stored', `${where(address)}: no stored file at ${path}`, {
          asset: address.asset.key,
          partition: address.partition,
          field: path,
        });
      }
      return path;
    },

    async remove(address) {
      const path = locate(address);
      await rm(path, { force: true });
      // Prune the now-empty partition directories, stopping at the asset's own directory.
      const assetDirectory = join(base, ...address.asset.key.split('/'));
      for (let directory = dirname(path); directory.startsWith(assetDirectory + sep); directory = dirname(directory)) {
        const pruned = await rmdir(directory).then(
          () => true,
          () => false,
        );
        if (!pruned) break;
      }
    },
  };
}

/** Removes temporary files that crashed writes left in a partition directory. */
async function sweepStaleTemps(directory: string, now: number): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const path = join(directory, name);
    const found = await stat(path).catch(() => undefined);
    if (found && now - found.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
  }
}
