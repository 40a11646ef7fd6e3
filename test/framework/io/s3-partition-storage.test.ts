import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  createS3PartitionStorage,
  defineAsset,
  MaterializationError,
  multi,
  quoteLiteral,
  sessions,
  staticKeys,
  type S3PartitionStorageOptions,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { partitionStorageContract } from '../../contracts/partition-storage.contract.ts';
import { getBytes, listKeys } from '../../support/s3-published.ts';
import { startS3Server, type TestS3Server } from '../../support/s3-server.ts';
import { filesUnder } from '../../support/test-engine.ts';
import { scratchDirectories } from './scratch.ts';

const BUCKET = 'daybook-storage';
const MIB = 1024 * 1024;
let server: TestS3Server;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
});
afterAll(async () => {
  await server?.dispose();
});

const scratch = scratchDirectories('s3-storage');
partitionStorageContract({
  name: 'S3 bucket on s3rver',
  newStorage: async () =>
    createS3PartitionStorage({ bucket: BUCKET, prefix: `contract-${++prefixes}`, clientConfig: server.clientConfig, cacheDir: await scratch.make() }),
  cleanup: scratch.removeAll,
});

const days = sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' });
const positions = defineAsset({ key: 'northbridge/positions', partitions: multi({ date: days, portfolio: staticKeys(['PF001', 'PF002']) }) });
const address = { asset: positions, partition: '2026-11-20|PF001' };
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const writing = (text: string) => (temp: string) => writeFile(temp, text);

describe('createS3PartitionStorage', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = `unit-${++prefixes}`;
  });
  afterEach(() => scratch.removeAll());
  /** A storage on the test's prefix with a cache of its own, as another machine would have. */
  const storage = async (options: Partial<S3PartitionStorageOptions> = {}) =>
    createS3PartitionStorage({ bucket: BUCKET, prefix, clientConfig: server.clientConfig, cacheDir: await scratch.make(), ...options });
  const key = `/northbridge/positions/date=2026-11-20/portfolio=PF001/data.parquet`;

  it('stores a partition under its Hive-style key with its SHA-256, and keeps the file in the cache under that hash', async () => {
    const cacheDir = await scratch.make();
    const stored = await (await storage({ cacheDir })).write(address, writing('rows of PF001'));
    expect(stored).toEqual({ location: `s3://${BUCKET}/${prefix}${key}`, dataVersion: `sha256:${sha256('rows of PF001')}`, bytes: 13 });
    expect(await listKeys(server.client, BUCKET, `${prefix}/`)).toEqual([`${prefix}${key}`]);
    const head = await server.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}${key}` }));
    expect(head.Metadata).toEqual({ 'daybook-sha256': sha256('rows of PF001') });
    expect(await filesUnder(cacheDir)).toEqual([`${BUCKET}/${prefix}/northbridge/positions/date=2026-11-20/portfolio=PF001/${sha256('rows of PF001')}.parquet`]);
  });

  it('downloads into an empty cache on open, and opens the cached copy without downloading again', async () => {
    await (await storage()).write(address, writing('version one'));
    const reader = await storage();
    const path = await reader.open(address);
    expect(await readFile(path, 'utf8')).toBe('version one');
    // A copy in the cache is trusted only while it is the object's current version: changing the
    // cached bytes shows that the second open did not download.
    await writeFile(path, 'VERSION ONE');
    expect(await reader.open(address)).toBe(path);
    expect(await readFile(path, 'utf8')).toBe('VERSION ONE');
  });

  it('downloads again when another writer has replaced the object, and drops the stale copy', async () => {
    const writer = await storage();
    const cacheDir = await scratch.make();
    const reader = await storage({ cacheDir });
    await writer.write(address, writing('version one'));
    expect(await readFile(await reader.open(address), 'utf8')).toBe('version one');
    await writer.write(address, writing('version two, corrected'));
    expect(await readFile(await reader.open(address), 'utf8')).toBe('version two, corrected');
    expect((await filesUnder(cacheDir)).map((file) => file.split('/').at(-1))).toEqual([`${sha256('version two, corrected')}.parquet`]);
  });

  it('refuses a download whose bytes are not the hash stored with the object', async () => {
    await server.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${key}`, Body: 'tampered', Metadata: { 'daybook-sha256': sha256('original') } }),
    );
    const failure = await (await storage()).open(address).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MaterializationError);
    expect((failure as Error).message).toBe(
      `asset "northbridge/positions" partition "2026-11-20|PF001": s3://${BUCKET}/${prefix}${key} changed while it was being downloaded, twice`,
    );
  });

  it('keeps the previous object and cached copy when the upload fails, naming asset, partition and URI', async () => {
    const cacheDir = await scratch.make();
    const writer = await storage({ cacheDir, clientConfig: { ...server.clientConfig, maxAttempts: 1 } });
    await writer.write(address, writing('good'));
    await server.stop();
    let failure: unknown;
    try {
      failure = await writer.write(address, writing('newer')).catch((error: unknown) => error);
    } finally {
      await server.restart();
    }
    expect(failure).toBeInstanceOf(MaterializationError);
    expect(failure).toMatchObject({ code: 'storage-failed', asset: 'northbridge/positions', partition: '2026-11-20|PF001' });
    expect((failure as Error).message).toContain(`asset "northbridge/positions" partition "2026-11-20|PF001": uploading to s3://${BUCKET}/${prefix}${key} failed`);
    expect((await getBytes(server.client, BUCKET, `${prefix}${key}`)).toString()).toBe('good');
    expect(await readFile(await writer.open(address), 'utf8')).toBe('good');
    expect((await filesUnder(cacheDir)).map((file) => file.split('/').at(-1))).toEqual([`${sha256('good')}.parquet`]);
  });

  it('uploads a large partition in parts and opens it byte for byte elsewhere', async () => {
    const db = await createDuckDB({ threads: 2 });
    try {
      await db.withConnection(async (connection) => {
        const writer = await storage({ partSizeBytes: 5 * MIB });
        const stored = await writer.write(address, (temp) =>
          connection
            .run(`copy (select i, md5(i::varchar) || md5((i + 1)::varchar) as text from range(250000) t(i)) to ${quoteLiteral(temp)} (format parquet, compression 'uncompressed')`)
            .then(() => undefined),
        );
        expect(stored.bytes).toBeGreaterThan(2 * 5 * MIB);
        const path = await (await storage()).open(address);
        expect(`sha256:${sha256(await readFile(path))}`).toBe(stored.dataVersion);
        const [row] = await connection.query<{ n: bigint }>(`select count(*) as n from read_parquet(${quoteLiteral(path)})`);
        expect(row!.n).toBe(250000n);
        expect(await server.unfinishedUploads(BUCKET)).toEqual([]);
      });
    } finally {
      db.close();
    }
  });

  it('removes the object and its cached copies', async () => {
    const cacheDir = await scratch.make();
    const writer = await storage({ cacheDir });
    await writer.write(address, writing('x'));
    await writer.remove(address);
    expect(await writer.exists(address)).toBe(false);
    expect(await listKeys(server.client, BUCKET, `${prefix}/`)).toEqual([]);
    expect(await readdir(join(cacheDir, BUCKET, prefix, 'northbridge/positions/date=2026-11-20')).catch(() => [])).toEqual([]);
  });
});
