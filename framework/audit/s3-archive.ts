import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { hashFile } from '../io/content-hash.ts';
import { headObject, isNotFound, lazyClient, SHA256_METADATA, type S3ClientOptions } from '../io/s3/client.ts';
import { s3LocationProblem, trimPrefix } from '../io/s3/keys.ts';
import { createUploader } from '../io/s3/upload.ts';
import { AuditError, DefinitionError } from '../util/errors.ts';
import { checkArchivePath, EXPORT_NAME, type AuditArchive } from './archive.ts';

export interface S3AuditArchiveOptions extends S3ClientOptions {
  bucket: string;
  /** Key prefix of the archive, e.g. `storage/_audit`. */
  prefix?: string;
}

/**
 * An archive in an S3 bucket: `<prefix>/<export>/<file>`, each object carrying its SHA-256 in
 * metadata. An object that exists is never overwritten (checked with HEAD before the upload). For
 * retention enforced by S3 itself, put the prefix under an Object Lock or lifecycle rule (docs/audit.md).
 *
 * @example
 * const archive = s3AuditArchive({ bucket: 'nb-daybook', prefix: 'storage/_audit' });
 */
export function s3AuditArchive({ bucket, prefix = '', client, clientConfig }: S3AuditArchiveOptions): AuditArchive {
  const trimmed = trimPrefix(prefix);
  const problem = s3LocationProblem(bucket, trimmed);
  if (problem) throw new DefinitionError('invalid-config', `S3 audit archive: ${problem.message}`, { field: problem.field });
  const s3 = lazyClient({ client, clientConfig });
  const uploader = createUploader(s3);
  const keyOf = (exportName: string, file?: string): string => {
    checkArchivePath(exportName, file);
    return [...(trimmed === '' ? [] : [trimmed]), exportName, ...(file === undefined ? [] : [file])].join('/');
  };
  const uri = (key: string) => `s3://${bucket}/${key}`;
  const failed = (key: string, what: string, cause: unknown) =>
    new AuditError('audit-archive-failed', `audit archive: cannot ${what} ${uri(key)}: ${cause instanceof Error ? cause.message : String(cause)}`, { field: uri(key), cause });

  return {
    name: uri(trimmed),
    locate: (exportName, file) => uri(keyOf(exportName, file)),
    async put(exportName, file, localPath) {
      const key = keyOf(exportName, file);
      const existing = await headObject(s3(), bucket, key).catch((cause: unknown) => {
        throw failed(key, 'check', cause);
      });
      if (existing) throw new AuditError('audit-archive-failed', `audit archive: ${uri(key)} already exists; an archived file is never replaced`, { field: uri(key) });
      const { bytes, dataVersion } = await hashFile(localPath);
      const contentType = file.endsWith('.json') ? 'application/json' : 'application/vnd.apache.parquet';
      await uploader.upload({ bucket, key, file: localPath, bytes, metadata: { [SHA256_METADATA]: dataVersion.replace(/^sha256:/, '') }, contentType }).catch((cause: unknown) => {
        throw failed(key, 'upload', cause);
      });
    },
    async get(exportName, file, scratch) {
      const key = keyOf(exportName, file);
      const target = join(scratch, exportName, file);
      await mkdir(join(scratch, exportName), { recursive: true });
      try {
        const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await pipeline(object.Body as Readable, createWriteStream(target));
      } catch (cause) {
        if (isNotFound(cause)) throw new AuditError('audit-archive-failed', `audit archive: ${uri(key)} is missing`, { field: uri(key), cause });
        throw failed(key, 'download', cause);
      }
      await stat(target);
      return target;
    },
    async list() {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3()
          .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: trimmed === '' ? '' : `${trimmed}/`, Delimiter: '/', ContinuationToken: token }))
          .catch((cause: unknown) => {
            throw failed(trimmed, 'list', cause);
          });
        for (const common of page.CommonPrefixes ?? []) {
          const name = (common.Prefix ?? '').slice(trimmed === '' ? 0 : trimmed.length + 1).replace(/\/$/, '');
          if (EXPORT_NAME.test(name)) names.push(name);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return names.sort();
    },
  };
}
