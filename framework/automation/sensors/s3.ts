import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { lazyClient, type S3ClientOptions } from '../../io/s3/client.ts';
import { DaybookError, DefinitionError } from '../../util/errors.ts';
import { assertSensorName, type SensorCandidate, type SensorDefinition, type SensorProblem } from './sensor.ts';
import { sourcePatterns } from './source-patterns.ts';

export interface S3SensorOptions extends S3ClientOptions {
  /** Names the sensor's cursor in the store: letters, digits, `.`, `_` and `-`. */
  name: string;
  bucket: string;
  /** Where the landing directory's mirror starts in the bucket, e.g. `incoming/`; default the whole bucket. */
  prefix?: string;
  /** The sources to watch (selection syntax); default every source. */
  sources?: string;
  /** Keys per ListObjectsV2 page (S3 returns at most 1,000). */
  pageSize?: number;
  /** Objects downloaded at once. */
  concurrency?: number;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A sensor on an S3 prefix that mirrors the landing directory: `incoming/executions/GSCO/2026-11-20.csv`
 * under the prefix `incoming/` is the source file `executions/GSCO/2026-11-20.csv`. Each tick lists
 * the prefix (paged ListObjectsV2) and compares each object's ETag, size and LastModified with the
 * cursor. A new or changed object is downloaded into the landing directory, at the path its source
 * pattern expects, under a hidden temporary name that is flushed and then renamed into place, so the
 * observer never reads half a file. The runner then observes (hashes) the landed file exactly as for
 * a landing sensor: the data version is the content's, and an object re-uploaded with the same bytes
 * is no change. Keys are validated as partition keys before anything is written, so a key cannot
 * write outside the landing directory.
 *
 * @example
 * const sensor = s3Sensor({ name: 'broker-drop', bucket: 'nb-landing', prefix: 'incoming/' });
 * const tick = await runSensor({ engine, sensor });
 */
export function s3Sensor({ name, bucket, prefix = '', sources = '*', pageSize = 1_000, concurrency = 8, ...clientOptions }: S3SensorOptions): SensorDefinition {
  assertSensorName(name, 's3');
  if (!BUCKET.test(bucket)) {
    throw new DefinitionError('invalid-definition', `s3 sensor "${name}": invalid bucket ${JSON.stringify(bucket)}: 3 to 63 lowercase letters, digits, "." and "-"`, {
      field: 'bucket',
    });
  }
  const trimmed = prefix.replace(/^\/+/, '');
  const under = trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  const s3 = lazyClient(clientOptions);
  const uri = (key: string) => `s3://${bucket}/${key}`;

  const sensor: SensorDefinition = {
    name,
    kind: 's3',
    sources,
    async scan({ engine, sources: watched, files }) {
      const patterns = sourcePatterns(watched, engine.observer);
      const landing = engine.observer.landing;
      const changed: SensorCandidate[] = [];
      const problems: SensorProblem[] = [];
      const listed = new Set<string>();
      for await (const object of listObjects(s3(), { bucket, prefix: under, pageSize, uri })) {
        const path = uri(object.key);
        listed.add(path);
        const known = files.get(path);
        if (known?.etag === object.etag && known.size === object.size && known.mtimeMs === object.mtimeMs) continue;
        const file = object.key.slice(under.length);
        const match = patterns.match(file);
        if (match.problem !== undefined) problems.push({ path, message: `${path}: ${file} ${match.problem}` });
        else changed.push({ path, file, source: match.source, partition: match.partition, size: object.size, mtimeMs: object.mtimeMs, etag: object.etag });
      }
      const candidates: SensorCandidate[] = [];
      for (let start = 0; start < changed.length; start += concurrency) {
        const batch = changed.slice(start, start + concurrency);
        const landed = await Promise.all(
          batch.map((candidate) =>
            download(s3(), bucket, candidate.path.slice(`s3://${bucket}/`.length), join(landing, candidate.file)).then(
              () => undefined,
              (error: unknown) => `${candidate.path}: cannot download to ${join(landing, candidate.file)}: ${(error as Error).message}`,
            ),
          ),
        );
        batch.forEach((candidate, k) => {
          const problem = landed[k];
          if (problem === undefined) candidates.push(candidate);
          else problems.push({ path: candidate.path, message: problem });
        });
      }
      const gone = [...files.keys()].filter((path) => !listed.has(path));
      return { candidates, gone, problems };
    },
  };
  return Object.freeze(sensor);
}

interface ListedObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Every object under a prefix, a page at a time; "folder" markers (keys ending in `/`) are skipped. */
async function* listObjects(
  client: S3Client,
  { bucket, prefix, pageSize, uri }: { bucket: string; prefix: string; pageSize: number; uri: (key: string) => string },
): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token })).catch((cause: unknown) => {
      throw new DaybookError('storage-failed', `cannot list ${uri(prefix)}: ${(cause as Error).message}`, { field: uri(prefix), cause });
    });
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      yield { key: object.Key, etag: object.ETag ?? '', size: object.Size ?? 0, mtimeMs: object.LastModified?.getTime() ?? 0 };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Downloads an object to a hidden temporary file beside the target, flushes it, and renames it into place. */
async function download(client: S3Client, bucket: string, key: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.download`);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(object.Body as Readable, createWriteStream(temporary));
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
