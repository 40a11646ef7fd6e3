import { createHash } from 'node:crypto';
import { hashOnThread, hashRangeOnThread, type Digest } from './file-threads.ts';

/** The content hash of a file, as a data version. */
export interface ContentHash {
  /** `sha256:` and 64 hex digits; for a data version of a file over 16 MiB, `sha256-chunked:` and 64 (see fileDataVersion). */
  readonly dataVersion: string;
  readonly bytes: number;
}

/**
 * Files larger than this are hashed as chunks of this size, several at a time: a 321 MiB landing
 * file takes half the time on two cores.
 */
export const CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Hashes a file's bytes with SHA-256 on a file thread (file-threads.ts), reading it in large chunks
 * into one reused buffer: partition files reach hundreds of MB, and the thread that runs the steps
 * stays free. With `sync`, also flushes the file to disk. This is the digest `sha256sum` prints, as
 * audit manifests and S3 metadata need.
 *
 * @example
 * const { dataVersion, bytes } = await hashFile('.daybook/audit/exports/2026-11/events.parquet');
 */
export async function hashFile(path: string, { sync = false }: { sync?: boolean } = {}): Promise<ContentHash> {
  return digestVersion(await hashOnThread(path, sync));
}

/**
 * A file's data version: its SHA-256 (`sha256:…`, as hashFile gives) up to 16 MiB; above that, the
 * SHA-256 of its 16 MiB chunks' SHA-256 digests, one after another (`sha256-chunked:…`), which file
 * threads compute side by side. Equal bytes give equal versions either way. S3 names its composite
 * checksums of multipart uploads the same way.
 *
 * @example
 * const { dataVersion } = await fileDataVersion('landing/executions/GSCO/2026-11-20.csv');
 */
export async function fileDataVersion(path: string): Promise<ContentHash> {
  const hashed = await hashOnThread(path, false, CHUNK_BYTES);
  return 'sha256' in hashed ? digestVersion(hashed) : chunkedVersion(path, hashed.size);
}

/** The `sha256-chunked:` version of the first `size` bytes of a file; `bytes` counts what was read, less if it shrank meanwhile. */
export async function chunkedVersion(path: string, size: number): Promise<ContentHash> {
  const chunks: Promise<Digest>[] = [];
  for (let start = 0; start < size; start += CHUNK_BYTES) chunks.push(hashRangeOnThread(path, start, Math.min(size, start + CHUNK_BYTES)));
  const combined = createHash('sha256');
  let bytes = 0;
  for (const chunk of await Promise.all(chunks)) {
    combined.update(Buffer.from(chunk.sha256, 'hex'));
    bytes += chunk.bytes;
  }
  return { dataVersion: `sha256-chunked:${combined.digest('hex')}`, bytes };
}

/** The `sha256:` data version of a file thread's digest of a whole file. */
export function digestVersion({ sha256, bytes }: Digest): ContentHash {
  return { dataVersion: `sha256:${sha256}`, bytes };
}
