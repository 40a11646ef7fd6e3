import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { partitionStorageFromEnv } from '../../../framework/cli/storage-from-env.ts';
import { defineAsset, DefinitionError, staticKeys } from '../../../framework/index.ts';
import { listKeys } from '../../support/s3-published.ts';
import { startS3Server, type TestS3Server } from '../../support/s3-server.ts';
import { scratchDirectories } from '../io/scratch.ts';

const BUCKET = 'daybook-env';
const asset = defineAsset({ key: 'nb/prices', partitions: staticKeys(['D1']) });
const address = { asset, partition: 'D1' };
const scratch = scratchDirectories('storage-env');
let server: TestS3Server;

beforeAll(async () => {
  server = await startS3Server([BUCKET]);
});
afterAll(async () => {
  await server?.dispose();
});
afterEach(() => scratch.removeAll());

describe('partitionStorageFromEnv', () => {
  it('stores under <home>/storage when DAYBOOK_STORAGE_URL is unset', async () => {
    const home = await scratch.make();
    const storage = partitionStorageFromEnv(home, {});
    expect(storage.locate(address)).toBe(join(home, 'storage/nb/prices/partition=D1/data.parquet'));
  });

  it('stores in a directory given as a path or a file:// URL', async () => {
    const home = await scratch.make();
    const elsewhere = await scratch.make();
    expect(partitionStorageFromEnv(home, { DAYBOOK_STORAGE_URL: elsewhere }).locate(address)).toBe(join(elsewhere, 'nb/prices/partition=D1/data.parquet'));
    expect(partitionStorageFromEnv(home, { DAYBOOK_STORAGE_URL: pathToFileURL(elsewhere).href }).locate(address)).toBe(
      join(elsewhere, 'nb/prices/partition=D1/data.parquet'),
    );
  });

  it('stores in S3 for an s3:// URL, at DAYBOOK_S3_ENDPOINT with path-style URLs, cached under <home>/storage-cache', async () => {
    const home = await scratch.make();
    // The SDK's own credential chain reads these from the process environment.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    try {
      const storage = partitionStorageFromEnv(home, { DAYBOOK_STORAGE_URL: `s3://${BUCKET}/team/storage`, DAYBOOK_S3_ENDPOINT: server.endpoint });
      expect(storage.name).toBe(`S3 storage at s3://${BUCKET}/team/storage`);
      const stored = await storage.write(address, (temp) => writeFile(temp, 'prices'));
      expect(stored.location).toBe(`s3://${BUCKET}/team/storage/nb/prices/partition=D1/data.parquet`);
      expect(await listKeys(server.client, BUCKET, 'team/')).toEqual(['team/storage/nb/prices/partition=D1/data.parquet']);
      const path = await storage.open(address);
      expect(path.startsWith(join(home, 'storage-cache', BUCKET, 'team/storage/nb/prices/partition=D1/'))).toBe(true);
      expect(await readFile(path, 'utf8')).toBe('prices');
    } finally {
      for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it.each([
    ['gs://bucket/prefix', /DAYBOOK_STORAGE_URL "gs:\/\/bucket\/prefix": expected s3:\/\/bucket\/prefix, file:\/\/\/path or a directory/],
    ['s3://Bad_Bucket/x', /DAYBOOK_STORAGE_URL "s3:\/\/Bad_Bucket\/x": S3 partition storage: bucket "Bad_Bucket" is not a valid S3 bucket name/],
    ['s3://bucket/../up', /prefix "..\/up" must be segments/],
  ])('refuses %s as an invalid config naming the variable', (url, message) => {
    const attempt = () => partitionStorageFromEnv('.daybook', { DAYBOOK_STORAGE_URL: url });
    expect(attempt).toThrowError(DefinitionError);
    expect(attempt).toThrowError(message);
  });
});
