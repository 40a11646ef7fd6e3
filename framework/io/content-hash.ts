import { hashOnThread } from './file-threads.ts';

/** The content hash of a file, as a data version. */
export interface ContentHash {
  /** `sha256:` and 64 hex digits. */
  readonly dataVersion: string;
  readonly bytes: number;
}

/**
 * Hashes a file's bytes with SHA-256 on a file thread (file-threads.ts), reading it in large chunks
 * into one reused buffer: partition files reach hundreds of MB, and the thread that runs the steps
 * stays free. With `sync`, also flushes the file to disk.
 *
 * @example
 * const { dataVersion, bytes } = await hashFile('.daybook/storage/northbridge/prices/partition=2026-11-20/data.parquet');
 */
export function hashFile(path: string, { sync = false }: { sync?: boolean } = {}): Promise<ContentHash> {
  return hashOnThread(path, sync);
}
