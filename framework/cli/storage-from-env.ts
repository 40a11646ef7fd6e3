import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalPartitionStorage } from '../io/local-partition-storage.ts';
import type { PartitionStorage } from '../io/partition-storage.ts';
import { s3ClientConfigFromEnv } from '../io/s3/client.ts';
import { createS3PartitionStorage } from '../io/s3-partition-storage.ts';
import { DefinitionError } from '../util/errors.ts';

/**
 * The partition storage `DAYBOOK_STORAGE_URL` names, so that storage moves without a code change:
 * - unset: local files under `<home>/storage`;
 * - `s3://bucket/prefix`: an S3 bucket, reached with `s3ClientConfigFromEnv()` (`DAYBOOK_S3_ENDPOINT`
 *   for S3-compatible servers) and cached under `<home>/storage-cache`;
 * - `file:///path` or a plain path: local files there.
 *
 * @example
 * // DAYBOOK_STORAGE_URL=s3://nb-daybook/storage DAYBOOK_S3_ENDPOINT=http://127.0.0.1:9000 npx daybook materialize
 * const storage = partitionStorageFromEnv('.daybook');
 */
export function partitionStorageFromEnv(home: string, env: NodeJS.ProcessEnv = process.env): PartitionStorage {
  const url = env.DAYBOOK_STORAGE_URL ?? '';
  if (url === '') return createLocalPartitionStorage({ root: join(home, 'storage') });
  if (url.startsWith('s3://')) {
    const [bucket = '', ...prefix] = url.slice('s3://'.length).split('/');
    try {
      return createS3PartitionStorage({ bucket, prefix: prefix.join('/'), clientConfig: s3ClientConfigFromEnv(env), cacheDir: join(home, 'storage-cache') });
    } catch (cause) {
      throw invalid(url, cause instanceof Error ? cause.message : String(cause), cause);
    }
  }
  if (url.startsWith('file://')) return createLocalPartitionStorage({ root: fileURLToPath(url) });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw invalid(url, 'expected s3://bucket/prefix, file:///path or a directory');
  return createLocalPartitionStorage({ root: url });
}

function invalid(url: string, message: string, cause?: unknown): DefinitionError {
  return new DefinitionError('invalid-config', `DAYBOOK_STORAGE_URL ${JSON.stringify(url)}: ${message}`, { field: 'DAYBOOK_STORAGE_URL', cause });
}
