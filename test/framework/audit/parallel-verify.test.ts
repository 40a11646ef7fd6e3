// The parallel verifier gives the store verifier's verdicts, hashing in worker threads or in the
// database: the same first broken link for a tampered, a deleted and a reordered event, wherever the
// batch boundaries fall.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChainParallel } from '../../../framework/audit/parallel-verify.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import { pgliteHarness, postgresHarness, testDatabaseUrl, type StoreHarness } from '../../support/store-harness.ts';

/** 40 runs of one step each: 40 × (run.created, asset.materialized, run.succeeded) = 120 events, with text that needs escaping. */
async function history(store: MetadataStore): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const { run, steps } = await store.createRun({ selection: 'nb/prices', actor: `ops "${i}"\t\\\n é`, steps: [{ asset: 'nb/prices', partition: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}` }] });
    await store.recordSuccess({ stepId: steps[0]!.id, dataVersion: `v${i}\u00e9\u2028`, rowCount: i, location: `C:\\data\\${i}\t"quoted"` });
    await store.updateRun({ runId: run.id, status: 'succeeded', message: i % 7 === 0 ? 'ok \u{1F600} \\ \u0001' : undefined });
  }
}

/** Runs statements with the append-only trigger off, as the table's owner (a superuser on PostgreSQL) could. */
async function tamper(store: MetadataStore, statements: ReturnType<typeof sql>[]): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
    await sql`alter table audit_events disable trigger audit_events_prune_guard`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
    await sql`alter table audit_events enable trigger audit_events_prune_guard`.execute(trx);
  });
}

const HASHING = ['threads', 'database'] as const;
const harnesses: StoreHarness[] = [pgliteHarness()];
const url = testDatabaseUrl();
if (url) harnesses.push(postgresHarness(url));

for (const harness of harnesses) {
  describe(`parallel audit verification on ${harness.name}`, () => {
    afterAll(() => harness.cleanup());
    const withHistory = async (body: (store: MetadataStore) => Promise<void>) => {
      const store = await harness.open();
      try {
        await history(store);
        await body(store);
      } finally {
        await store.close();
      }
    };

    it('verifies an intact chain across batches and workers, with the store verifier’s counts', () =>
      withHistory(async (store) => {
        const expected = await store.verifyAuditChain();
        expect(expected).toMatchObject({ ok: true, checked: 120 });
        const rechecked: unknown[] = [];
        for (const hashing of HASHING) {
          for (const batchSize of [7, 50, 1_000]) expect(await verifyAuditChainParallel(store, { hashing, parallelism: 2, batchSize, onRecheck: (range) => rechecked.push(range) })).toEqual(expected);
        }
        // The database encodes every event, escapes included, as its hash covers it: no batch needed the slow path.
        expect(rechecked).toEqual([]);
      }));

    it('names a tampered event, a deleted one and reordered ones as the store verifier does, at a batch boundary or inside a batch', async () => {
      const cases: [string, ReturnType<typeof sql>[], Record<string, unknown>][] = [
        ['tampered', [sql`update audit_events set actor = 'mallory' where seq = 50`], { seq: 50, reason: 'hash-mismatch' }],
        ['tampered payload', [sql`update audit_events set payload = '{"rowCount":9999}' where seq = 71`], { seq: 71, reason: 'hash-mismatch' }],
        ['a null made a value', [sql`update audit_events set asset = 'N' where seq = 4`], { seq: 4, reason: 'hash-mismatch' }],
        // A raw line break in a payload splits its line: the batch is checked again event by event.
        ['a line break put into a payload', [sql`update audit_events set payload = (left(payload::text, -1) || E',\n"x":1}')::json where seq = 5`], { seq: 5, reason: 'hash-mismatch' }],
        ['deleted', [sql`delete from audit_events where seq = 50`], { seq: 51, reason: 'seq-gap', message: 'audit event 51: event 50 is missing (deleted)' }],
        [
          'reordered',
          [sql`update audit_events set seq = 1000 where seq = 49`, sql`update audit_events set seq = 49 where seq = 50`, sql`update audit_events set seq = 50 where seq = 1000`],
          { seq: 49, reason: 'prev-hash-mismatch' },
        ],
        ['truncated', [sql`delete from audit_events where seq > 110`], { seq: 111, reason: 'head-mismatch' }],
      ];
      for (const [name, statements, broken] of cases) {
        await withHistory(async (store) => {
          await tamper(store, statements);
          const expected = await store.verifyAuditChain();
          expect(expected.broken, name).toMatchObject(broken);
          // 49/50 and 50/51 fall on both sides of a boundary with batches of 49 and 50.
          for (const hashing of HASHING) {
            for (const batchSize of [49, 50, 1_000]) expect(await verifyAuditChainParallel(store, { hashing, parallelism: 2, batchSize }), `${name}, ${hashing}, batches of ${batchSize}`).toEqual(expected);
          }
        });
      }
    });
  });
}
