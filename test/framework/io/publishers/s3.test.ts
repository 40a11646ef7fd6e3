import { createHash } from 'node:crypto';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  fixedClock,
  hashFile,
  PartitionError,
  PublishError,
  quoteLiteral,
  s3ObjectKey,
  s3Target,
  type DuckDB,
  type DuckDBConnection,
  type PublishRequest,
  type S3TargetOptions,
} from '../../../../framework/index.ts';
import { publisherContract } from '../../../contracts/publisher.contract.ts';
import { getBytes, listKeys, readPublished } from '../../../support/s3-published.ts';
import { startS3Server, type TestS3Server } from '../../../support/s3-server.ts';
import { scratchDirectories } from '../scratch.ts';

const BUCKET = 'daybook-publish';
const MIB = 1024 * 1024;
let server: TestS3Server;
let duckdb: DuckDB;
let connection: DuckDBConnection;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
  duckdb = await createDuckDB({ threads: 2 });
  connection = await duckdb.connect();
});
afterAll(async () => {
  duckdb?.close();
  await server?.dispose();
});

let contractPrefix = '';
publisherContract({
  name: 's3Target on s3rver',
  assetInUri: 'contract/positions',
  newTarget: async () => {
    contractPrefix = `contract-${++prefixes}`;
    return s3Target({ bucket: BUCKET, prefix: contractPrefix, clientConfig: server.clientConfig });
  },
  // As a Hive reader sees it: the file's columns, plus the partition's dimensions and key from the manifest.
  readRows: async (asset) => {
    const partitions = await readPublished({ client: server.client, bucket: BUCKET, prefix: contractPrefix, asset, connection });
    return partitions.flatMap(({ manifest, rows }) => rows.map((row) => ({ ...manifest.partitionColumns, ...row, _daybook_partition: manifest.partition })));
  },
});

describe('s3Target', () => {
  const scratch = scratchDirectories('s3-target');
  let root: string;
  let prefix: string;
  beforeEach(async () => {
    root = await scratch.make();
    prefix = `unit-${++prefixes}`;
  });
  afterEach(() => scratch.removeAll());

  const target = (options: Partial<S3TargetOptions> = {}) => s3Target({ bucket: BUCKET, prefix, clientConfig: server.clientConfig, ...options });
  /** A Parquet file of `rows` rows of random-looking text, about 70 bytes a row, so that it does not compress. */
  const parquet = async (name: string, rows: number, salt = name) => {
    const file = join(root, `${name}.parquet`);
    await connection.run(
      `copy (select i as id, md5(${quoteLiteral(salt)} || i) || md5(${quoteLiteral(salt)} || (i * 7)) as text from range(${rows}) t(i))
        to ${quoteLiteral(file)} (format parquet, compression 'uncompressed')`,
    );
    return file;
  };
  const request = async (file: string, rowCount: number, partitionColumns: Record<string, string> = { date: '2026-11-20', portfolio: 'PF001' }): Promise<PublishRequest> => ({
    asset: 'northbridge/positions',
    partition: Object.values(partitionColumns).join('|'),
    partitionColumns,
    dataVersion: (await hashFile(file)).dataVersion,
    file,
    rowCount,
    runId: 'run-7',
    reader: connection,
  });
  const head = (key: string) => server.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  const manifestOf = async (key: string) => JSON.parse((await getBytes(server.client, BUCKET, key.replace('part-0.parquet', '_manifest.json'))).toString('utf8'));

  it('publishes a partition to its deterministic key with a manifest of its version, rows, hash, size, run and time', async () => {
    const file = await parquet('a', 1000);
    const clock = fixedClock(Date.parse('2026-11-21T06:00:00Z'));
    const published = await target({ clock }).publish(await request(file, 1000));
    const key = `${prefix}/northbridge/positions/date=2026-11-20/portfolio=PF001/part-0.parquet`;
    expect(published).toEqual({ uri: `s3://${BUCKET}/${key}`, published: true });
    expect(await listKeys(server.client, BUCKET, `${prefix}/`)).toEqual([key.replace('part-0.parquet', '_manifest.json'), key]);
    const bytes = await readFile(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await getBytes(server.client, BUCKET, key)).toEqual(bytes);
    const object = await head(key);
    expect(object.Metadata).toMatchObject({ 'daybook-sha256': sha256 });
    expect(await manifestOf(key)).toEqual({
      manifestVersion: 1,
      asset: 'northbridge/positions',
      partition: '2026-11-20|PF001',
      partitionColumns: { date: '2026-11-20', portfolio: 'PF001' },
      key,
      dataVersion: `sha256:${sha256}`,
      sha256,
      bytes: bytes.length,
      rowCount: 1000,
      etag: object.ETag,
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'text', type: 'VARCHAR' },
      ],
      runId: 'run-7',
      publishedAt: '2026-11-21T06:00:00.000Z',
    });
  });

  it('builds keys for unpartitioned, single-dimension and encoded partitions, and refuses values that would leave theirs', () => {
    expect(s3ObjectKey({ asset: 'northbridge/securities', partitionColumns: {} })).toBe('northbridge/securities/part-0.parquet');
    expect(s3ObjectKey({ prefix: '/exports/daily/', asset: 'a/b', partitionColumns: { partition: '2026-11-20T14:15' } })).toBe(
      'exports/daily/a/b/partition=2026-11-20T14%3A15/part-0.parquet',
    );
    expect(s3ObjectKey({ asset: 'a', partitionColumns: { portfolio: "PF'1 é%" }, fileName: '_manifest.json' })).toBe('a/portfolio=PF%271%20%C3%A9%25/_manifest.json');
    for (const value of ['..', '.', '', '../x', 'x/..', 'a\\b', 'nul\0']) {
      expect(() => s3ObjectKey({ asset: 'a', partitionColumns: { date: value } }), JSON.stringify(value)).toThrowError(PartitionError);
    }
    expect(() => s3ObjectKey({ asset: '../a', partitionColumns: {} })).toThrowError(/malformed asset key/);
    expect(() => s3ObjectKey({ asset: 'a', partitionColumns: { 'x/..': '1' } })).toThrowError(/dimension name/);
    expect(() => s3ObjectKey({ asset: 'a', partitionColumns: {}, fileName: '../x' })).toThrowError(/file name/);
  });

  it('refuses a bad bucket, prefix or part size when it is made', () => {
    const made = (options: Partial<S3TargetOptions>) => () => s3Target({ bucket: BUCKET, ...options });
    expect(made({ bucket: 'No_Such' })).toThrowError(/bucket "No_Such" is not a valid S3 bucket name/);
    expect(made({ prefix: 'a/../b' })).toThrowError(/prefix "a\/..\/b"/);
    expect(made({ prefix: 'a b' })).toThrowError(PublishError);
    expect(made({ partSizeBytes: 1024 })).toThrowError(/partSizeBytes must be an integer from 5242880/);
  });

  it('fails a partition key that cannot become an S3 key, naming asset and partition, and writes nothing', async () => {
    const file = await parquet('a', 10);
    const failure = await target()
      .publish(await request(file, 10, { date: '..', portfolio: 'PF001' }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishError);
    expect(failure).toMatchObject({ code: 'publish-failed', asset: 'northbridge/positions', partition: '..|PF001' });
    expect((failure as Error).message).toMatch(/^asset "northbridge\/positions" partition "\.\.\|PF001": publishing to s3:\/\/daybook-publish\/unit-\d+ failed/);
    expect(await listKeys(server.client, BUCKET, `${prefix}/`)).toEqual([]);
  });

  it('uploads nothing for the version the manifest names, and uploads it again when its object has gone', async () => {
    const publisher = target();
    const file = await parquet('a', 100);
    const { uri } = await publisher.publish(await request(file, 100));
    const key = uri.slice(`s3://${BUCKET}/`.length);
    const before = { object: await head(key), manifest: await manifestOf(key) };
    expect(await publisher.publish(await request(file, 100))).toEqual({ uri, published: false });
    expect((await head(key)).LastModified).toEqual(before.object.LastModified);
    expect(await manifestOf(key)).toEqual(before.manifest);

    await server.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await publisher.publish(await request(file, 100))).toEqual({ uri, published: true });
    expect(await getBytes(server.client, BUCKET, key)).toEqual(await readFile(file));
  });

  it('refuses a new version whose columns differ from the published one, unless allowSchemaChange', async () => {
    await target().publish(await request(await parquet('a', 10), 10));
    const retyped = join(root, 'retyped.parquet');
    await connection.run(`copy (select 'x' || i as id, i as extra from range(3) t(i)) to ${quoteLiteral(retyped)} (format parquet)`);
    const failure = await target().publish(await request(retyped, 3)).catch((error: unknown) => error);
    expect((failure as Error).message).toContain('added extra BIGINT; removed text; retyped id: BIGINT → VARCHAR');
    const published = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(published.map((p) => p.manifest.rowCount)).toEqual([10]);
    expect((await target({ allowSchemaChange: true }).publish(await request(retyped, 3))).published).toBe(true);
    const replaced = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(replaced.map((p) => p.rows.map((row) => row.id))).toEqual([['x0', 'x1', 'x2']]);
  });

  it('uploads a file above the threshold in parts and it round-trips byte for byte', async () => {
    const file = await parquet('big', 200_000);
    const bytes = await readFile(file);
    expect(bytes.length).toBeGreaterThan(2 * 5 * MIB);
    const progress: number[] = [];
    const publisher = target({ partSizeBytes: 5 * MIB, queueSize: 2, onProgress: (p) => progress.push(p.uploadedBytes) });
    const { uri } = await publisher.publish(await request(file, 200_000));
    expect(progress).toHaveLength(Math.ceil(bytes.length / (5 * MIB)));
    expect(progress.at(-1)).toBe(bytes.length);
    const key = uri.slice(`s3://${BUCKET}/`.length);
    expect(createHash('sha256').update(await getBytes(server.client, BUCKET, key)).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    const [published] = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(published!.manifest).toMatchObject({ bytes: bytes.length, rowCount: 200_000 });
    expect(await server.unfinishedUploads(BUCKET)).toEqual([]);
  });

  it('aborts the multipart upload when a part fails while S3 is up, leaving the published version and no stored parts', async () => {
    const publisher = target({ partSizeBytes: 5 * MIB, queueSize: 1 });
    await publisher.publish(await request(await parquet('v1', 10), 10));
    const file = await parquet('v2', 200_000);
    const shrinking = s3Target({
      bucket: BUCKET,
      prefix,
      clientConfig: server.clientConfig,
      partSizeBytes: 5 * MIB,
      queueSize: 1,
      // The file loses its tail after the first part: the next part cannot be read.
      onProgress: () => void truncate(file, 6 * MIB),
    });
    const failure = await shrinking.publish(await request(file, 200_000)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as Error).message).toContain('uploading the object: the file ended at byte');
    expect(await server.unfinishedUploads(BUCKET)).toEqual([]);
    const [published] = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(published!.manifest.rowCount).toBe(10);
  });

  it('fails clearly when S3 dies mid-upload, keeps the published version whole, and a retry after the restart publishes and aborts the orphan', async () => {
    let armed = false;
    let killed: Promise<void> | undefined;
    const publisher = target({
      partSizeBytes: 5 * MIB,
      queueSize: 2,
      onProgress: () => {
        if (armed) killed ??= server.kill();
      },
    });
    const v1 = await parquet('v1', 10);
    await publisher.publish(await request(v1, 10));
    armed = true;
    const v2 = await parquet('v2', 200_000);
    const failure = await publisher.publish(await request(v2, 200_000)).catch((error: unknown) => error);
    await killed;
    expect(failure).toBeInstanceOf(PublishError);
    expect(failure).toMatchObject({ code: 'publish-failed', asset: 'northbridge/positions', partition: '2026-11-20|PF001' });
    expect((failure as Error).message).toContain(
      `asset "northbridge/positions" partition "2026-11-20|PF001": publishing to s3://${BUCKET}/${prefix}/northbridge/positions/date=2026-11-20/portfolio=PF001/part-0.parquet failed: uploading the object:`,
    );
    await server.restart();
    // The abort could not reach S3 when the upload failed: the parts are still stored.
    expect(await server.unfinishedUploads(BUCKET)).toHaveLength(1);
    const [before] = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(before!.manifest).toMatchObject({ rowCount: 10, dataVersion: (await hashFile(v1)).dataVersion });

    expect((await publisher.publish(await request(v2, 200_000))).published).toBe(true);
    const [after] = await readPublished({ client: server.client, bucket: BUCKET, prefix, asset: 'northbridge/positions', connection });
    expect(after!.manifest).toMatchObject({ rowCount: 200_000, dataVersion: (await hashFile(v2)).dataVersion });
    expect(await server.unfinishedUploads(BUCKET)).toEqual([]);
  });

  it('names no credentials when it cannot reach S3', async () => {
    const unreachable = s3Target({
      bucket: BUCKET,
      clientConfig: { ...server.clientConfig, endpoint: 'http://127.0.0.1:1', maxAttempts: 1, credentials: { accessKeyId: 'AKIAEXAMPLEKEYID', secretAccessKey: 'very-secret-key' } },
    });
    const failure = await unreachable.publish(await request(await parquet('a', 1), 1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishError);
    expect((failure as Error).message).toContain(`publishing to s3://${BUCKET}/northbridge/positions/date=2026-11-20/portfolio=PF001/part-0.parquet failed: reading the manifest`);
    expect(JSON.stringify({ message: (failure as Error).message, field: (failure as PublishError).field })).not.toMatch(/very-secret-key|AKIAEXAMPLEKEYID/);
  });
});
