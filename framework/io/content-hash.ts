import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** The content hash of a file, as a data version. */
export interface ContentHash {
  /** `sha256:` and 64 hex digits. */
  readonly dataVersion: string;
  readonly bytes: number;
}

/**
 * Large reads into one reused buffer: partition files reach hundreds of MB, and hashing is part of
 * every write's cost, so it avoids a stream's per-chunk allocations and keeps memory flat.
 */
const BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Hashes a file's bytes with SHA-256, reading it in large chunks. With `sync`, also flushes the file
 * to disk through the same handle, as a durable write must before it renames the file into place.
 *
 * @example
 * const { dataVersion, bytes } = await hashFile('.daybook/storage/northbridge/prices/partition=2026-11-20/data.parquet');
 */
export async function hashFile(path: string, { sync = false }: { sync?: boolean } = {}): Promise<ContentHash> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(BUFFER_BYTES, size)));
    let bytes = 0;
    while (bytes < size) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    if (sync) await handle.sync();
    return { dataVersion: `sha256:${hash.digest('hex')}`, bytes };
  } finally {
    await handle.close();
  }
}
