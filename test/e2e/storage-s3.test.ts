// NorthBridge materialized with partition storage in a real S3 server (s3rver): the same data versions
// as on local storage, every partition in the bucket, and inputs read back from S3 when the cache is gone.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { createS3PartitionStorage, defineDefinitions, materialize } from '../../framework/index.ts';
import { NORTHBRIDGE_ASSETS } from '../support/northbridge.ts';
import { listKeys } from '../support/s3-published.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { filesUnder, openTestEngine, type TestEngine } from '../support/test-engine.ts';

const RANGE = { from: '2026-11-16', to: '2026-11-17' };
const BUCKET = 'nb-storage';
const PREFIX = 'daybook';

/** Every current materialization's data version and location, by `asset[partition]`. */
async function versions(engine: TestEngine): Promise<Map<string, { dataVersion: string; location: string }>> {
  const all = new Map<string, { dataVersion: string; location: string }>();
  for (const asset of NORTHBRIDGE_ASSETS) {
    for (const m of await engine.store.currentMaterializations(asset)) all.set(`${asset}[${m.partition}]`, { dataVersion: m.dataVersion, location: m.location! });
  }
  return all;
}

describe('materializing NorthBridge with partition storage on S3', () => {
  let server: TestS3Server;
  let engine: TestEngine;
  let local: Map<string, { dataVersion: string; location: string }>;
  const cacheDir = (root: string) => join(root, 'storage-cache');

  beforeAll(async () => {
    server = await startS3Server([BUCKET]);
    // The same landing data on local storage first, to compare with.
    const reference = await openTestEngine({ definitions: defineDefinitions(northbridge) });
    try {
      await generateLanding({ root: reference.landing, from: RANGE.from, to: RANGE.to, seed: 5 });
      expect((await materialize(reference, { partitions: RANGE })).problems).toEqual([]);
      local = await versions(reference);
    } finally {
      await reference.close();
    }
    engine = await openTestEngine({
      definitions: defineDefinitions(northbridge),
      storage: (root) => createS3PartitionStorage({ bucket: BUCKET, prefix: PREFIX, clientConfig: server.clientConfig, cacheDir: cacheDir(root) }),
    });
    await generateLanding({ root: engine.landing, from: RANGE.from, to: RANGE.to, seed: 5 });
  });
  afterAll(async () => {
    await engine?.close();
    await server?.dispose();
  });

  it('stores every partition in the bucket, each object holding the bytes of its data version, the same as on local storage', async () => {
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.problems).toEqual([]);
    const stored = await versions(engine);
    expect(stored.size).toBe(local.size);
    expect(stored.size).toBeGreaterThan(30);
    for (const [id, { dataVersion, location }] of stored) {
      expect(dataVersion, id).toBe(local.get(id)!.dataVersion);
      expect(location.startsWith(`s3://${BUCKET}/${PREFIX}/`), location).toBe(true);
      const head = await server.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: location.slice(`s3://${BUCKET}/`.length) }));
      expect(`sha256:${head.Metadata!['daybook-sha256']}`, id).toBe(dataVersion);
    }
    expect(await listKeys(server.client, BUCKET, `${PREFIX}/`)).toEqual([...stored.values()].map(({ location }) => location.slice(`s3://${BUCKET}/`.length)).sort());
  });

  it('reads its inputs back from the bucket when the local cache is gone', async () => {
    await rm(cacheDir(engine.root), { recursive: true, force: true });
    const run = await materialize(engine, { selection: 'northbridge/finance-pnl-file', partitions: RANGE, force: true });
    expect(run).toMatchObject({ status: 'succeeded', steps: 2 });
    for (const [id, { dataVersion }] of await versions(engine)) expect(dataVersion, id).toBe(local.get(id)!.dataVersion);
    // finance reads pnl, which came back from S3 into the cache, and its own new file is cached.
    const cached = await filesUnder(cacheDir(engine.root));
    expect(cached.filter((file) => file.includes('/northbridge/pnl/'))).toHaveLength(2 * 5);
    expect(cached.filter((file) => file.includes('/northbridge/finance-pnl-file/'))).toHaveLength(2);
  });
});
