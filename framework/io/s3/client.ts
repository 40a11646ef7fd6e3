import { GetObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** How an S3 target or storage reaches S3: a client of the caller's, or the settings to make one. */
export interface S3ClientOptions {
  /** A client to use as it is; the caller closes it. */
  client?: S3Client;
  /** Settings for a client made on first use; default `s3ClientConfigFromEnv()`. */
  clientConfig?: S3ClientConfig;
}

/** The user-defined metadata holding an object's SHA-256 (hex), which S3's ETag is not for multipart uploads. */
export const SHA256_METADATA = 'daybook-sha256';

/**
 * S3 client settings from the environment. Credentials and region come from the AWS SDK's own chain
 * (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`, `AWS_REGION`, instance roles…). `DAYBOOK_S3_ENDPOINT` points
 * at an S3-compatible server (MinIO, Ceph, s3rver): it then uses path-style URLs, unless
 * `DAYBOOK_S3_FORCE_PATH_STYLE=false`, and sends checksums only when an operation requires them,
 * since many such servers do not accept the SDK's default checksum trailers.
 *
 * @example
 * // DAYBOOK_S3_ENDPOINT=http://127.0.0.1:9000
 * new S3Client(s3ClientConfigFromEnv());
 */
export function s3ClientConfigFromEnv(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.DAYBOOK_S3_ENDPOINT;
  const region = env.DAYBOOK_S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (endpoint === undefined || endpoint === '') return { region };
  return {
    region,
    endpoint,
    forcePathStyle: env.DAYBOOK_S3_FORCE_PATH_STYLE !== 'false',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** The client to use: the caller's, or one made from the settings on first use and kept. */
export function lazyClient({ client, clientConfig }: S3ClientOptions): () => S3Client {
  let made = client;
  return () => (made ??= new S3Client(clientConfig ?? s3ClientConfigFromEnv()));
}

/** True for S3's answers that mean the object is not there (`NoSuchKey`, or a 404 to HEAD). */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** What HEAD says of an object. */
export interface ObjectHead {
  readonly etag: string;
  readonly bytes: number;
  /** The hex SHA-256 Daybook stored with the object, when it wrote it. */
  readonly sha256: string | undefined;
}

/** HEADs an object; `undefined` when there is none. */
export async function headObject(client: S3Client, bucket: string, key: string): Promise<ObjectHead | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { etag: head.ETag ?? '', bytes: head.ContentLength ?? 0, sha256: head.Metadata?.[SHA256_METADATA] };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Reads a small object as text; `undefined` when there is none. */
export async function getText(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
