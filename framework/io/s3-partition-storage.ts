import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { systemClock, type Clock } from '../util/clock.ts';
import { DefinitionError, MaterializationError } from '../util/errors.ts';
import { hashFile } from './content-hash.ts';
import type { PartitionStorage, StoredPartition, StoredPartitionAddress } from './partition-storage.ts';
import { partitionValues } from './partition-values.ts';
import { headObject, lazyClient, SHA256_METADATA, type ObjectHead, type S3ClientOptions } from './s3/client.ts';
import { s3Key, s3LocationProblem, s3Uri, trimPrefix } from './s3/keys.ts';
import { createUploader, uploadSettingsProblem, type UploadSettings } from './s3/upload.ts';

export interface S3PartitionStorageOptions extends S3ClientOptions, UploadSettings {
  bucket: string;
  /** Key prefix for every asset, e.g. `daybook/storage`; default none. */
  prefix?: string;
  /** Local copies of stored partitions, which DuckDB reads; default `.daybook/storage-cache`. */
  cacheDir?: string;
  /** Compared with file times to find temporary files that crashed writes left in the cache. */
  clock?: Clock;
}

const FILE_NAME = 'data.parquet';
const TEMP_PREFIX = '.tmp-';
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Partition storage in an S3 bucket, laid out as local storage is:
 * `<prefix>/<asset key>/<dimension>=<value>/…/data.parquet`. `write()` lets DuckDB write a local
 * temporary file, hashes it and uploads it (in parts when large), then keeps it in the cache.
 * `open()` returns the cached copy, downloading it when it is absent or not the object's current
 * version (the SHA-256 stored with each object names the cached file). An upload that fails leaves
 * the previous object in place. `locate()` gives the `s3://` URI. See docs/io.md.
 *
 * @example
 * const storage = createS3PartitionStorage({ bucket: 'nb-daybook', prefix: 'storage', cacheDir: '.daybook/storage-cache' });
 */
export function createS3PartitionStorage({
  bucket,
  prefix = '',
  client,
  clientConfig,
  cacheDir = '.daybook/storage-cache',
  clock = systemClock,
  ...upload
}: S3PartitionStorageOptions): PartitionStorage {
  const trimmed = trimPrefix(prefix);
  const problem = s3LocationProblem(bucket, trimmed) ?? uploadSettingsProblem(upload);
  if (problem) throw new DefinitionError('invalid-config', `S3 partition storage: ${problem.message}`, { field: problem.field });
  const s3 = lazyClient({ client, clientConfig });
  const uploader = createUploader(s3, upload);
  const cacheRoot = resolve(cacheDir, bucket);

  const keyOf = ({ asset, partition }: StoredPartitionAddress): string =>
    s3Key({ prefix: trimmed, asset: asset.key, values: partitionValues(asset, partition), fileName: FILE_NAME });
  /** The cache directory of a partition, mirroring its key; each version in it is named by its hash. */
  const cacheDirectoryOf = (key: string): string => {
    const directory = join(cacheRoot, ...key.split('/').slice(0, -1));
    if (!directory.startsWith(cacheRoot + sep)) throw new Error(`cache directory ${directory} leaves ${cacheRoot}`);
    return directory;
  };
  const failure = (address: StoredPartitionAddress, code: 'storage-failed' | 'partition-not-stored', what: string, cause?: unknown) =>
    new MaterializationError(code, `asset "${address.asset.key}" partition ${JSON.stringify(address.partition)}: ${what}${reasonOf(cause)}`, {
      asset: address.asset.key,
      partition: address.partition,
      field: s3Uri(bucket, keyOf(address)),
      cause,
    });
  const head = async (address: StoredPartitionAddress, key: string): Promise<ObjectHead | undefined> => {
    try {
      return await headObject(s3(), bucket, key);
    } catch (cause) {
      throw failure(address, 'storage-failed', `cannot reach ${s3Uri(bucket, key)}`, cause);
    }
  };

  /** Downloads the object HEAD described into the cache, checking its size and hash on the way. */
  const download = async (key: string, object: ObjectHead, path: string, directory: string): Promise<'done' | 'changed'> => {
    await mkdir(directory, { recursive: true });
    const temp = join(directory, `${TEMP_PREFIX}${randomUUID()}.parquet`);
    try {
      const response = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: object.etag }));
      const hash = createHash('sha256');
      let bytes = 0;
      await pipeline(
        response.Body as Readable,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp),
      );
      if (bytes !== object.bytes || (object.sha256 !== undefined && hash.digest('hex') !== object.sha256)) {
        await rm(temp, { force: true });
        return 'changed';
      }
      await rename(temp, path);
      return 'done';
    } catch (error) {
      await rm(temp, { force: true });
      if ((error as { name?: string }).name === 'PreconditionFailed') return 'changed';
      throw error;
    }
  };

  return {
    name: `S3 storage at ${s3Uri(bucket, trimmed)}`,
    locate: (address) => s3Uri(bucket, keyOf(address)),

    async write(address, produce): Promise<StoredPartition> {
      const key = keyOf(address);
      const directory = cacheDirectoryOf(key);
      await mkdir(directory, { recursive: true });
      const temp = join(directory, `${TEMP_PREFIX}${randomUUID()}.parquet`);
      try {
        await produce(temp);
        const written = await stat(temp).catch(() => undefined);
        if (!written?.isFile()) throw failure(address, 'storage-failed', `the compute finished without writing ${temp}`);
        const { dataVersion, bytes } = await hashFile(temp);
        const sha256 = dataVersion.slice('sha256:'.length);
        try {
          await uploader.upload({ bucket, key, file: temp, bytes, metadata: { [SHA256_METADATA]: sha256 }, contentType: 'application/vnd.apache.parquet' });
        } catch (cause) {
          throw failure(address, 'storage-failed', `uploading to ${s3Uri(bucket, key)} failed`, cause);
        }
        const cached = `${sha256}.parquet`;
        await rename(temp, join(directory, cached));
        await tidyCache(directory, cached, clock.now());
        return { location: s3Uri(bucket, key), dataVersion, bytes };
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async exists(address) {
      const key = keyOf(address);
      return (await head(address, key)) !== undefined;
    },

    async open(address) {
      const key = keyOf(address);
      const directory = cacheDirectoryOf(key);
      // The object may be replaced between HEAD and GET; a second look settles on the new one.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const object = await head(address, key);
        if (!object) throw failure(address, 'partition-not-stored', `no stored object at ${s3Uri(bucket, key)}`);
        const cached = `${object.sha256 ?? `etag-${createHash('sha256').update(object.etag).digest('hex').slice(0, 32)}`}.parquet`;
        const path = join(directory, cached);
        const found = await stat(path).catch(() => undefined);
        if (found?.isFile() && found.size === object.bytes) return path;
        let outcome: 'done' | 'changed';
        try {
          outcome = await download(key, object, path, directory);
        } catch (cause) {
          throw failure(address, 'storage-failed', `downloading ${s3Uri(bucket, key)} failed`, cause);
        }
        if (outcome === 'done') {
          await tidyCache(directory, cached, clock.now());
          return path;
        }
      }
      throw failure(address, 'storage-failed', `${s3Uri(bucket, key)} changed while it was being downloaded, twice`);
    },

    async remove(address) {
      const key = keyOf(address);
      try {
        await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (cause) {
        throw failure(address, 'storage-failed', `deleting ${s3Uri(bucket, key)} failed`, cause);
      }
      const directory = cacheDirectoryOf(key);
      await tidyCache(directory, undefined, clock.now());
      await rmdir(directory).catch(() => undefined);
    },
  };
}

const reasonOf = (cause: unknown): string => (cause === undefined ? '' : `: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`);

/**
 * Deletes a partition's cached versions other than `keep`, and temporary files that crashed writes
 * left over an hour ago. The executor never writes a partition while a step reads it, so no reader
 * holds a version this deletes.
 */
async function tidyCache(directory: string, keep: string | undefined, now: number): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (name === keep || !name.endsWith('.parquet')) continue;
    const path = join(directory, name);
    if (name.startsWith(TEMP_PREFIX)) {
      const found = await stat(path).catch(() => undefined);
      if (!found || now - found.mtimeMs <= STALE_TEMP_MS) continue;
    }
    await rm(path, { force: true });
  }
}
