import { stat } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PublishRequest, PublishResult, PublishTarget } from '../../definitions/publish-target.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { PublishError } from '../../util/errors.ts';
import { hashFile } from '../content-hash.ts';
import { getText, headObject, lazyClient, SHA256_METADATA, type S3ClientOptions } from '../s3/client.ts';
import { s3Key, s3LocationProblem, s3Uri, trimPrefix } from '../s3/keys.ts';
import { createUploader, uploadSettingsProblem, type UploadProgress, type UploadSettings } from '../s3/upload.ts';
import { S3_MANIFEST_FILE, S3_PART_FILE, parseS3Manifest, type S3Manifest } from './s3-manifest.ts';
import { parquetSource, publishFailure } from './target-table.ts';

export interface S3TargetOptions extends S3ClientOptions, UploadSettings {
  bucket: string;
  /** Key prefix for every asset, e.g. `exports/daily`; default none. */
  prefix?: string;
  /**
   * Publish a file whose columns differ from the version the partition holds. Off by default: like
   * the table targets, an S3 target does not change a published schema under its readers.
   */
  allowSchemaChange?: boolean;
  /** Stamps `publishedAt` in the manifest. */
  clock?: Clock;
  /** Called as each part of a large file finishes uploading. */
  onProgress?: (progress: UploadProgress) => void;
}

export interface S3ObjectKeyOptions {
  /** The target's prefix; default none. */
  prefix?: string;
  asset: string;
  /** The partition's dimension values, as in `PublishRequest.partitionColumns`; `{}` when unpartitioned. */
  partitionColumns: Readonly<Record<string, string>>;
  /** `part-0.parquet` (the default) or `_manifest.json`. */
  fileName?: string;
}

/**
 * The key an S3 target publishes a partition's file under:
 * `<prefix>/<asset key>/<dimension>=<value>/…/part-0.parquet`, values percent-encoded outside
 * `A-Z a-z 0-9 . _ -`. A single-dimension key's dimension is `partition`. Throws a PartitionError
 * for a value that cannot be a key segment.
 *
 * @example
 * s3ObjectKey({ prefix: 'exports', asset: 'northbridge/positions', partitionColumns: { date: '2026-11-20', portfolio: 'PF001' } });
 * // 'exports/northbridge/positions/date=2026-11-20/portfolio=PF001/part-0.parquet'
 */
export function s3ObjectKey({ prefix = '', asset, partitionColumns, fileName = S3_PART_FILE }: S3ObjectKeyOptions): string {
  const values = Object.entries(partitionColumns).map(([name, value]) => ({ name, value }));
  return s3Key({ prefix: trimPrefix(prefix), asset, values, fileName });
}

/**
 * Publishes each partition as one Parquet object plus a `_manifest.json` beside it (data version,
 * row count, SHA-256, bytes, ETag, columns, run, time). The object goes up first and the manifest
 * last, so a manifest only ever names a complete object: readers trust the manifest, and fetch the
 * object with `If-Match: <etag>`. A data version the manifest already names is not uploaded again.
 * Large files go up in parallel parts. The URI is `s3://bucket/<key>`.
 *
 * @example
 * defineAsset({ key: 'northbridge/risk-positions-file', publish: [warehouse(), s3Target({ bucket: 'nb-risk', prefix: 'daily' })], ... });
 */
export function s3Target({
  bucket,
  prefix = '',
  client,
  clientConfig,
  allowSchemaChange = false,
  clock = systemClock,
  onProgress,
  ...upload
}: S3TargetOptions): PublishTarget {
  const trimmed = trimPrefix(prefix);
  const problem = s3LocationProblem(bucket, trimmed) ?? uploadSettingsProblem(upload);
  if (problem) throw new PublishError('publish-invalid-target', `s3Target: ${problem.message}`, { field: problem.field });
  const name = s3Uri(bucket, trimmed);
  const s3 = lazyClient({ client, clientConfig });
  const uploader = createUploader(s3, upload);

  const publish = async (request: PublishRequest): Promise<PublishResult> => {
    let uri = name;
    let step = 'building the object key';
    try {
      const key = s3ObjectKey({ prefix: trimmed, asset: request.asset, partitionColumns: request.partitionColumns });
      const manifestKey = s3ObjectKey({ prefix: trimmed, asset: request.asset, partitionColumns: request.partitionColumns, fileName: S3_MANIFEST_FILE });
      uri = s3Uri(bucket, key);
      step = 'reading the manifest';
      const [manifestText, object] = await Promise.all([getText(s3(), bucket, manifestKey), headObject(s3(), bucket, key)]);
      const held = manifestText === undefined ? undefined : parseS3Manifest(manifestText);
      if (held?.dataVersion === request.dataVersion && object?.etag === held.etag) return { uri, published: false };

      step = 'reading the file';
      const columns = await fileColumns(request);
      const bytes = (await stat(request.file)).size;
      const sha256 = sha256Of(request.dataVersion) ?? (await hashFile(request.file)).dataVersion.slice('sha256:'.length);
      step = 'comparing the schema';
      const drift = held && !allowSchemaChange ? schemaDrift(held.columns, columns) : undefined;
      if (drift) throw new Error(`its columns differ from the published version's (${drift}); allowSchemaChange lets a new schema replace it`);

      // An earlier attempt may have uploaded these bytes and failed before its manifest.
      let etag = object?.sha256 === sha256 && object.bytes === bytes ? object.etag : undefined;
      if (etag === undefined) {
        step = 'uploading the object';
        const metadata = { [SHA256_METADATA]: sha256 };
        ({ etag } = await uploader.upload({ bucket, key, file: request.file, bytes, metadata, contentType: 'application/vnd.apache.parquet', onProgress }));
      }
      step = 'writing the manifest';
      const manifest: S3Manifest = {
        manifestVersion: 1,
        asset: request.asset,
        partition: request.partition,
        partitionColumns: { ...request.partitionColumns },
        key,
        dataVersion: request.dataVersion,
        sha256,
        bytes,
        rowCount: request.rowCount,
        etag,
        columns,
        runId: request.runId,
        publishedAt: new Date(clock.now()).toISOString(),
      };
      await s3().send(
        new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: `${JSON.stringify(manifest, null, 2)}\n`, ContentType: 'application/json' }),
      );
      return { uri, published: true };
    } catch (cause) {
      throw publishFailure(uri, request, step, cause);
    }
  };

  return { name, publish };
}

/** The hex digest inside a `sha256:` data version, which is the file's hash: no need to hash it again. */
function sha256Of(dataVersion: string): string | undefined {
  return /^sha256:([0-9a-f]{64})$/.exec(dataVersion)?.[1];
}

async function fileColumns(request: PublishRequest): Promise<{ name: string; type: string }[]> {
  const described = await request.reader.query<{ column_name: string; column_type: string }>(`describe select * from ${parquetSource(request.file)}`);
  return described.map((column) => ({ name: column.column_name, type: column.column_type }));
}

/** How two column lists differ, e.g. `retyped qty: BIGINT → VARCHAR; added note`; `undefined` when they do not. */
function schemaDrift(before: readonly { name: string; type: string }[], after: readonly { name: string; type: string }[]): string | undefined {
  const old = new Map(before.map((column) => [column.name, column.type]));
  const now = new Map(after.map((column) => [column.name, column.type]));
  const changes = [
    ...after.filter((column) => !old.has(column.name)).map((column) => `added ${column.name} ${column.type}`),
    ...before.filter((column) => !now.has(column.name)).map((column) => `removed ${column.name}`),
    ...after.filter((column) => old.has(column.name) && old.get(column.name) !== column.type).map((column) => `retyped ${column.name}: ${old.get(column.name)} → ${column.type}`),
  ];
  return changes.length === 0 ? undefined : changes.join('; ');
}
