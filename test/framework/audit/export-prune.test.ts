// Audit retention end to end on real DuckDB, PGlite (and PostgreSQL when DAYBOOK_TEST_DATABASE_URL is
// set) and a real S3 server: real runs, two chained exports, a prune, a reload of the store, and
// verification of the archives and the store together; then tampering with the archives.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAuditArchive, type AuditArchive } from '../../../framework/audit/archive.ts';
import { exportAudit } from '../../../framework/audit/export.ts';
import { verifyAuditChainParallel } from '../../../framework/audit/parallel-verify.ts';
import { partitionHistory } from '../../../framework/audit/partition-history.ts';
import { pruneAudit } from '../../../framework/audit/prune.ts';
import { s3AuditArchive } from '../../../framework/audit/s3-archive.ts';
import { verifyAuditArchives } from '../../../framework/audit/verify-archives.ts';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  fixedClock,
  materialize,
  timeWindows,
  type DuckDB,
  type Engine,
  type MetadataStore,
} from '../../../framework/index.ts';
import { startS3Server, type TestS3Server } from '../../support/s3-server.ts';
import { migratedPgliteStore } from '../../support/pglite-template.ts';
import { storeKinds, testDatabaseUrl, type StoreKind } from '../../support/test-stores.ts';

const days = timeWindows({ cadence: 'daily', timeZone: 'UTC', start: '2026-09-01', end: '2027-01-01' });
const definitions = defineDefinitions([defineAsset({ key: 't/prices', partitions: days, compute: 'select 1 as x', codeVersion: '1' })]);

/** A store that can be closed and opened again on the same data, on a clock the test moves. */
async function reopenableStore(kind: StoreKind, root: string, clock: ReturnType<typeof fixedClock>) {
  if (kind === 'pglite') {
    const directory = await migratedPgliteStore(join(root, 'store'));
    return { open: () => createStore({ url: '', directory, clock, actor: 'ops' }), drop: async () => undefined };
  }
  const schema = `audit_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    open: () => createStore({ url: testDatabaseUrl!, schema, clock, actor: 'ops' }),
    drop: async () => {
      const client = new pg.Client({ connectionString: testDatabaseUrl! });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

function engineOf(store: MetadataStore, duckdb: DuckDB, root: string): Engine {
  return {
    definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(root, 'storage'), durable: false }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: 2,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
  };
}

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server(['audit']);
});
afterAll(() => s3.dispose());

for (const kind of storeKinds('audit export and prune')) {
  describe(`audit export, prune and verification on ${kind}`, () => {
    it('exports two chained months, prunes the older one, and verifies the archives and the store after a reload', async () => {
      const root = await mkdtemp(join(tmpdir(), 'daybook-audit-e2e-'));
      const clock = fixedClock(Date.parse('2026-10-06T12:00:00Z'));
      const stores = await reopenableStore(kind, root, clock);
      const duckdb = await createDuckDB({ threads: 2 });
      const archive = localAuditArchive({ directory: join(root, 'storage', '_audit') });
      let store = await stores.open();
      try {
        // October: five partitions, then two forced reruns of one, the first with the operator's reason.
        await materialize(engineOf(store, duckdb, root), { partitions: { from: '2026-10-01', to: '2026-10-05', endedBy: clock.now() } });
        clock.set(Date.parse('2026-10-07T09:00:00Z'));
        const rerun = await materialize(engineOf(store, duckdb, root), { partitions: { partition: '2026-10-03', endedBy: clock.now() }, force: true, actor: 'carol' });
        await store.recordOperatorAction({ actor: 'carol', action: 'rematerialize', runId: rerun.runId, asset: 't/prices', partition: '2026-10-03', reason: 'vendor restated prices' });
        clock.set(Date.parse('2026-10-08T09:00:00Z'));
        await materialize(engineOf(store, duckdb, root), { partitions: { partition: '2026-10-03', endedBy: clock.now() }, force: true, actor: 'dave' });
        // November.
        clock.set(Date.parse('2026-11-04T12:00:00Z'));
        await materialize(engineOf(store, duckdb, root), { partitions: { from: '2026-11-01', to: '2026-11-03', endedBy: clock.now() } });

        clock.set(Date.parse('2026-11-10T12:00:00Z'));
        await expect(exportAudit({ store, archive, duckdb, from: '2026-10-07', to: '2026-10-31', now: clock.now() })).rejects.toThrow(/are before --from 2026-10-07 and not exported yet; export from 2026-10-06/);
        const october = await exportAudit({ store, archive, duckdb, to: '2026-10-31', actor: 'auditor', now: clock.now() });
        expect(october.archive).toMatchObject({ number: 1, firstSeq: 1, from: '2026-10-06', to: '2026-10-31', runs: 3, exportedBy: 'auditor' });
        expect(october.manifest.chain.firstPrevHash).toBe('0'.repeat(64));
        expect(Object.keys(october.manifest.files).sort()).toEqual(['check_results.parquet', 'events.parquet', 'materializations.parquet', 'publishes.parquet', 'runs.parquet', 'steps.parquet']);
        expect(october.manifest.files['steps.parquet']).toMatchObject({ rows: 7 });
        expect(october.manifest.files['materializations.parquet']).toMatchObject({ rows: 7 });
        // Every October event, and no November one.
        const octoberEvents = await store.listAuditEvents({ limit: october.archive.lastSeq });
        expect(octoberEvents.every((event) => event.at < new Date('2026-11-01T00:00:00Z'))).toBe(true);
        expect((await store.listAuditEvents({ afterSeq: october.archive.lastSeq, limit: 1 }))[0]!.at >= new Date('2026-11-01T00:00:00Z')).toBe(true);

        clock.set(Date.parse('2026-12-02T12:00:00Z'));
        await expect(exportAudit({ store, archive, duckdb, to: '2026-10-31', now: clock.now() })).rejects.toThrow('no unexported audit events before the end of 2026-10-31');
        const november = await exportAudit({ store, archive, duckdb, from: '2026-11-01', to: '2026-11-30', now: clock.now() });
        expect(november.archive).toMatchObject({ number: 2, firstSeq: october.archive.lastSeq + 1, firstPrevHash: october.archive.lastHash });
        expect(november.manifest.previous).toEqual({ name: october.archive.name, manifestSha256: october.archive.manifestSha256 });
        expect(await archive.list()).toEqual([october.archive.name, november.archive.name]);

        const before = await verifyAuditArchives({ store, archive, duckdb });
        expect(before).toMatchObject({ ok: true, archives: [{ name: october.archive.name, ok: true }, { name: november.archive.name, ok: true }], unregistered: [] });

        // Thirty days' retention on 2026-12-05: October is older, November holds events of 2026-11-10.
        clock.set(Date.parse('2026-12-05T12:00:00Z'));
        const pruned = await pruneAudit({ store, archive, duckdb, retentionDays: 30, now: clock.now() });
        // Carol's rerun is gone: dave's replaced its one materialization. The first run and dave's hold current ones and stay.
        expect(pruned.pruned).toMatchObject({ through: october.archive.lastSeq, archive: october.archive.name, events: october.archive.lastSeq, runs: 1, steps: 1, materializations: 1 });
        expect(await store.getRun(rerun.runId)).toBeUndefined();
        expect(pruned.verification).toMatchObject({ ok: true });
        const again = await pruneAudit({ store, archive, duckdb, retentionDays: 30, now: clock.now() });
        expect(again.pruned).toBeUndefined();
        expect(again.message).toContain('nothing pruned');

        // Reload: a new store on the same data verifies from the archived anchor.
        await store.close();
        store = await stores.open();
        expect(await store.auditAnchor()).toEqual({ seq: october.archive.lastSeq, hash: october.archive.lastHash, archive: october.archive.name });
        const hot = await store.verifyAuditChain();
        expect(hot).toMatchObject({ ok: true });
        expect(await verifyAuditChainParallel(store, { parallelism: 2, batchSize: 7 })).toEqual(hot);
        const after = await verifyAuditArchives({ store, archive, duckdb });
        // The November events are still in the store too: they are checked in the archive and in the store.
        expect(after).toMatchObject({ ok: true, checked: october.archive.events + november.archive.events + hot.checked });

        // The pruned partition's whole history comes back from the archive, with who reran it and why.
        const history = await partitionHistory({ store, archive, duckdb, asset: 't/prices', partition: '2026-10-03' });
        expect(history.events.map((event) => [event.action, event.actor, event.source])).toEqual([
          ['asset.materialized', 'ops', october.archive.name],
          ['asset.materialized', 'ops', october.archive.name],
          ['operator.rematerialize', 'carol', october.archive.name],
          ['asset.materialized', 'ops', october.archive.name],
        ]);
        expect(history.runs[rerun.runId]).toMatchObject({ trigger: 'manual', triggeredBy: 'carol', reason: 'vendor restated prices' });

        // A tampered archived file is named; so is a replaced manifest.
        const events = join(root, 'storage', '_audit', october.archive.name, 'events.parquet');
        await appendFile(events, Buffer.from([0]));
        expect((await verifyAuditArchives({ store, archive, duckdb })).broken).toMatchObject({
          where: october.archive.name,
          reason: 'file-mismatch',
          message: `audit archive ${october.archive.name}: events.parquet does not match the SHA-256 in its manifest (it was altered)`,
        });
        await expect(pruneAudit({ store, archive, duckdb, retentionDays: 1, now: clock.now() })).rejects.toThrow(/prune refused, nothing was removed: audit archive 000001_/);
      } finally {
        await store.close();
        duckdb.close();
        await stores.drop();
        await rm(root, { recursive: true, force: true });
      }
    });
  });
}

describe('audit archive on S3', () => {
  it('exports to a bucket, reads it back, verifies it, and refuses to overwrite an archived file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'daybook-audit-s3-'));
    const clock = fixedClock(Date.parse('2026-10-06T12:00:00Z'));
    const directory = await migratedPgliteStore(join(root, 'store'));
    const store = await createStore({ url: '', directory, clock, actor: 'ops' });
    const duckdb = await createDuckDB({ threads: 2 });
    const archive: AuditArchive = s3AuditArchive({ bucket: 'audit', prefix: 'storage/_audit', clientConfig: s3.clientConfig });
    try {
      await materialize(engineOf(store, duckdb, root), { partitions: { from: '2026-10-01', to: '2026-10-05', endedBy: clock.now() } });
      clock.set(Date.parse('2026-11-02T00:00:00Z'));
      const { archive: record } = await exportAudit({ store, archive, duckdb, to: '2026-10-31', now: clock.now() });
      expect(record.location).toBe(`s3://audit/storage/_audit/${record.name}`);
      expect(await archive.list()).toEqual([record.name]);
      const scratch = join(root, 'scratch');
      const manifest = JSON.parse(await readFile(await archive.get(record.name, 'manifest.json', scratch), 'utf8'));
      expect(manifest.chain).toMatchObject({ firstSeq: 1, lastSeq: record.lastSeq, lastHash: record.lastHash });
      expect(await verifyAuditArchives({ store, archive, duckdb })).toMatchObject({ ok: true, archives: [{ name: record.name, ok: true }] });
      await expect(archive.put(record.name, 'events.parquet', join(scratch, record.name, 'manifest.json'))).rejects.toThrow(
        `audit archive: s3://audit/storage/_audit/${record.name}/events.parquet already exists; an archived file is never replaced`,
      );
    } finally {
      await store.close();
      duckdb.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
