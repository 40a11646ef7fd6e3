import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

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
  /** Stops the server; the objects stay on disk until `dispose()`. */
  stop(): Promise<void>;
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
  let server: S3rver | undefined = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets });
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
    async restart() {
      await stop();
      server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets });
      await server.run();
    },
    async dispose() {
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
