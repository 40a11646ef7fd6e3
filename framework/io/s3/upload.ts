import { open, readFile, type FileHandle } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isNotFound } from './client.ts';

const MIB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them. */
const MIN_PART_BYTES = 5 * MIB;
const MAX_PART_BYTES = 5 * 1024 * MIB;
const MAX_PARTS = 10_000;

/** How an uploader splits and sends files. */
export interface UploadSettings {
  /** Bytes per part of a multipart upload; default 16 MiB, at least 5 MiB (S3's minimum). */
  partSizeBytes?: number;
  /** Files larger than this go up in parts; smaller ones in one PUT. Default `partSizeBytes`. */
  multipartThresholdBytes?: number;
  /** Parts in flight at once; default 4. Memory use is about `queueSize × partSizeBytes`. */
  queueSize?: number;
}

/** How far an upload has got, reported as each part finishes. */
export interface UploadProgress {
  readonly key: string;
  readonly uploadedBytes: number;
  readonly totalBytes: number;
}

export interface UploadRequest {
  readonly bucket: string;
  readonly key: string;
  readonly file: string;
  readonly bytes: number;
  readonly metadata: Record<string, string>;
  readonly contentType: string;
  readonly onProgress?: ((progress: UploadProgress) => void) | undefined;
}

export interface Uploader {
  /** Uploads a local file under a key and returns the new object's ETag. The object appears whole or not at all. */
  upload(request: UploadRequest): Promise<{ etag: string }>;
}

/** Checks upload settings, naming the field at fault; returns the message or `undefined`. */
export function uploadSettingsProblem({ partSizeBytes, multipartThresholdBytes, queueSize }: UploadSettings): { field: string; message: string } | undefined {
  if (partSizeBytes !== undefined && !(Number.isInteger(partSizeBytes) && partSizeBytes >= MIN_PART_BYTES && partSizeBytes <= MAX_PART_BYTES)) {
    return { field: 'partSizeBytes', message: `partSizeBytes must be an integer from ${MIN_PART_BYTES} (5 MiB) to ${MAX_PART_BYTES} (5 GiB), got ${partSizeBytes}` };
  }
  if (multipartThresholdBytes !== undefined && !(Number.isInteger(multipartThresholdBytes) && multipartThresholdBytes >= 0)) {
    return { field: 'multipartThresholdBytes', message: `multipartThresholdBytes must be a non-negative integer, got ${multipartThresholdBytes}` };
  }
  if (queueSize !== undefined && !(Number.isInteger(queueSize) && queueSize >= 1 && queueSize <= 64)) {
    return { field: 'queueSize', message: `queueSize must be an integer from 1 to 64, got ${queueSize}` };
  }
  return undefined;
}

/**
 * Uploads files to S3: one PUT up to the threshold, a multipart upload above it with at most
 * `queueSize` parts in flight, each read from the file at its offset. A multipart upload that fails
 * is aborted, so S3 keeps no stored parts. When the abort cannot reach S3 either, the uploader
 * tries it again before its next upload; a bucket lifecycle rule (`AbortIncompleteMultipartUpload`)
 * covers a process that dies first.
 */
export function createUploader(
  client: () => S3Client,
  { partSizeBytes = 16 * MIB, multipartThresholdBytes = partSizeBytes, queueSize = 4 }: UploadSettings = {},
): Uploader {
  const unaborted = new Map<string, { bucket: string; key: string }>();

  const abort = async (bucket: string, key: string, uploadId: string): Promise<void> => {
    try {
      await client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      unaborted.delete(uploadId);
    } catch (error) {
      if (isNotFound(error)) unaborted.delete(uploadId);
      else unaborted.set(uploadId, { bucket, key });
    }
  };

  const multipart = async ({ bucket, key, file, bytes, metadata, contentType, onProgress }: UploadRequest): Promise<{ etag: string }> => {
    const partSize = Math.max(partSizeBytes, Math.ceil(bytes / MAX_PARTS));
    const count = Math.ceil(bytes / partSize);
    const created = await client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata, ContentType: contentType }));
    const uploadId = created.UploadId!;
    const stop = new AbortController();
    const etags: string[] = [];
    let failure: { error: unknown } | undefined;
    let next = 0;
    let uploadedBytes = 0;
    const handle = await open(file, 'r');
    // Each worker reuses one buffer: the SDK is done with a part's body once its request resolves.
    const worker = async () => {
      const buffer = Buffer.allocUnsafe(Math.min(partSize, bytes));
      while (failure === undefined && next < count) {
        const index = next++;
        const start = index * partSize;
        const body = buffer.subarray(0, Math.min(partSize, bytes - start));
        try {
          await readFully(handle, body, start);
          const part = await client().send(
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: body, ContentLength: body.length }),
            { abortSignal: stop.signal },
          );
          etags[index] = part.ETag!;
        } catch (error) {
          failure ??= { error };
          stop.abort();
          return;
        }
        uploadedBytes += body.length;
        onProgress?.({ key, uploadedBytes, totalBytes: bytes });
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(queueSize, count) }, worker));
    } finally {
      await handle.close();
    }
    try {
      if (failure) throw failure.error;
      const completed = await client().send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((etag, index) => ({ ETag: etag, PartNumber: index + 1 })) },
        }),
      );
      return { etag: completed.ETag ?? '' };
    } catch (error) {
      await abort(bucket, key, uploadId);
      throw error;
    }
  };

  return {
    async upload(request) {
      for (const [uploadId, { bucket, key }] of unaborted) await abort(bucket, key, uploadId);
      if (request.bytes <= multipartThresholdBytes) {
        const body = await readFile(request.file);
        const put = await client().send(
          new PutObjectCommand({
            Bucket: request.bucket,
            Key: request.key,
            Body: body,
            ContentLength: body.length,
            ContentType: request.contentType,
            Metadata: request.metadata,
          }),
        );
        request.onProgress?.({ key: request.key, uploadedBytes: body.length, totalBytes: body.length });
        return { etag: put.ETag ?? '' };
      }
      return multipart(request);
    },
  };
}

/** Fills `buffer` from the file at `position`; a file shorter than expected is an error, not a short part. */
async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let filled = 0; filled < buffer.length; ) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`the file ended at byte ${position + filled}, before the ${buffer.length}-byte part at ${position} was read`);
    filled += bytesRead;
  }
}
