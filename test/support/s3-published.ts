import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { S3_MANIFEST_FILE, S3_PART_FILE, parseS3Manifest, quoteLiteral, type DuckDBConnection, type S3Manifest } from '../../framework/index.ts';

/** One partition as an S3 target published it, read back the way its docs tell readers to. */
export interface PublishedPartition {
  readonly manifest: S3Manifest;
  /** Every row of the object, each value as text. */
  readonly rows: Record<string, string | null>[];
}

export interface ReadPublishedOptions {
  client: S3Client;
  bucket: string;
  prefix: string;
  asset: string;
  /** Reads the downloaded objects. */
  connection: DuckDBConnection;
}

/**
 * Reads every partition of an asset from an S3 target, trusting only what a manifest names: it
 * lists the manifests under `<prefix>/<asset>/`, fetches each object with `If-Match: <etag>`, and
 * throws unless the object sits beside its manifest and its bytes, SHA-256 and row count are the
 * manifest's. Sorted by partition.
 */
export async function readPublished({ client, bucket, prefix, asset, connection }: ReadPublishedOptions): Promise<PublishedPartition[]> {
  const manifests = (await listKeys(client, bucket, `${prefix === '' ? '' : `${prefix}/`}${asset}/`)).filter((key) => key.endsWith(`/${S3_MANIFEST_FILE}`));
  const directory = await mkdtemp(join(tmpdir(), 'daybook-s3-read-'));
  try {
    const partitions: PublishedPartition[] = [];
    for (const manifestKey of manifests) {
      const manifest = parseS3Manifest(await getBytes(client, bucket, manifestKey).then((bytes) => bytes.toString('utf8')));
      if (!manifest) throw new Error(`${manifestKey} is not a manifest`);
      if (manifest.key !== manifestKey.replace(S3_MANIFEST_FILE, S3_PART_FILE)) throw new Error(`${manifestKey} names ${manifest.key}, not the object beside it`);
      const bytes = await getBytes(client, bucket, manifest.key, manifest.etag);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== manifest.bytes || sha256 !== manifest.sha256) {
        throw new Error(`${manifest.key}: ${bytes.length} bytes with SHA-256 ${sha256}, but its manifest says ${manifest.bytes} bytes, ${manifest.sha256}`);
      }
      const file = join(directory, `${partitions.length}.parquet`);
      await writeFile(file, bytes);
      const rows = await connection.query<Record<string, string | null>>(`select columns(*)::varchar from read_parquet(${quoteLiteral(file)}, hive_partitioning = false)`);
      if (rows.length !== manifest.rowCount) throw new Error(`${manifest.key}: ${rows.length} rows, but its manifest says ${manifest.rowCount}`);
      partitions.push({ manifest, rows });
    }
    return partitions.sort((a, b) => (a.manifest.partition < b.manifest.partition ? -1 : 1));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Every key under a prefix, over as many pages as it takes. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys.sort();
}

/** An object's bytes; with `etag`, only if it is still that version. */
export async function getBytes(client: S3Client, bucket: string, key: string, etag?: string): Promise<Buffer> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
  return Buffer.from(await object.Body!.transformToByteArray());
}
