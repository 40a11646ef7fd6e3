import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver, { type S3rverMiddleware } from 's3rver';

/** A real S3 server for a test: s3rver on a loopback port, storing under a temporary directory. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** A client configured for this server (path style, checksums only when required). */
  readonly client: S3Client;
  /** The settings any other S3 client (the publisher under test) needs to reach this server. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    forcePathStyle: true;
    credentials: { accessKeyId: string; secretAccessKey: string };
    requestChecksumCalculation: 'WHEN_REQUIRED';
    responseChecksumValidation: 'WHEN_REQUIRED';
  };
  /** Stops the server; the objects stay on disk until `dispose()`. Requests already in flight finish. */
  stop(): Promise<void>;
  /** Kills the server as a crash would: requests in flight lose their connections. */
  kill(): Promise<void>;
  /** The multipart uploads of a bucket that were started and neither completed nor aborted. */
  unfinishedUploads(bucket: string): Promise<string[]>;
  /** Starts it again on the same port and directory, e.g. after a test killed it mid-publish. */
  restart(): Promise<void>;
  /** Stops the server (if running) and deletes its directory. */
  dispose(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 with the given buckets (names of 3 or more characters).
 * Paged ListObjectsV2 needs Node started with `--openssl-legacy-provider` (vitest.config.ts sets it).
 */
export async function startS3Server(buckets: string[] = ['daybook']): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'daybook-s3-'));
  const configureBuckets = buckets.map((name) => ({ name }));
  const create = (port: number): S3rver => {
    const made = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets });
    // Ahead of s3rver's router (the last middleware), which does not implement the call.
    made.middleware.splice(made.middleware.length - 1, 0, abortMultipartUpload(directory));
    return made;
  };
  let server: S3rver | undefined = create(0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true as const,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
  const client = new S3Client(clientConfig);
  const stop = async () => {
    const running = server;
    server = undefined;
    await running?.close();
  };
  return {
    endpoint,
    port,
    client,
    clientConfig,
    stop,
    async kill() {
      server?.httpServer?.closeAllConnections();
      await stop();
    },
    async unfinishedUploads(bucket) {
      return (await readdir(uploadsDirectory(directory, bucket)).catch(() => [] as string[])).sort();
    },
    async restart() {
      await stop();
      server = create(port);
      await server.run();
    },
    async dispose() {
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Where s3rver's filesystem store keeps a bucket's multipart uploads, one directory per upload id. */
const uploadsDirectory = (directory: string, bucket: string): string => join(directory, bucket, '._S3rver_uploads');

/**
 * AbortMultipartUpload (`DELETE /bucket/key?uploadId=…`), which s3rver 3.7 answers with 405: deletes
 * the upload's stored parts, as S3 does, or answers `NoSuchUpload`.
 */
function abortMultipartUpload(directory: string): S3rverMiddleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string') return next();
    const bucket = ctx.path.split('/')[1] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]+$/.test(bucket) || bucket.includes('..')) return next();
    const upload = join(uploadsDirectory(directory, bucket), uploadId);
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(upload).catch(() => undefined))) {
      ctx.status = 404;
      ctx.body = { Error: { Code: 'NoSuchUpload', Message: 'The specified upload does not exist.', UploadId: uploadId } };
      return;
    }
    await rm(upload, { recursive: true, force: true });
    ctx.status = 204;
  };
}
