// The hash-chained audit log: what is recorded, what the database refuses, and what verify finds.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../../framework/store/store.ts';
import type { WithStore } from './store.contract.ts';

/** A run of two steps, one materialized and one failed: 7 events. */
async function history(store: MetadataStore): Promise<void> {
  const { run, steps } = await store.createRun({
    selection: 'nb/prices',
    triggeredBy: 'alice',
    actor: 'alice',
    steps: [
      { asset: 'nb/prices', partition: '2026-11-19' },
      { asset: 'nb/prices', partition: '2026-11-20' },
    ],
  });
  await store.updateRun({ runId: run.id, status: 'running' });
  await store.updateStep({ stepId: steps[0]!.id, status: 'running', worker: 'w1' });
  await store.recordSuccess({ stepId: steps[0]!.id, dataVersion: 'v1', rowCount: 10 });
  await store.updateStep({ stepId: steps[1]!.id, status: 'running', worker: 'w1' });
  await store.recordFailure({ stepId: steps[1]!.id, error: { message: 'price file has 0 rows' } });
  await store.updateRun({ runId: run.id, status: 'failed' });
}

/** Runs SQL on the audit table with its append-only trigger off, as an attacker with the owner's rights would. */
async function tamper(store: MetadataStore, statements: ReturnType<typeof sql>[]): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await sql`alter table audit_events disable trigger audit_events_append_only`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`alter table audit_events enable trigger audit_events_append_only`.execute(trx);
  });
}

export function auditCases(withStore: WithStore): void {
  describe('audit chain', () => {
    it('chains an event for every change, naming who did it and what it touched', () =>
      withStore(
        async (store) => {
          await history(store);
          await store.appendAudit([{ action: 'operator.rematerialize', actor: 'carol', asset: 'nb/prices', partition: '2026-11-20', payload: { reason: 'corrected file' } }]);
          const events = await store.listAuditEvents();
          expect(events.map((e) => [e.seq, e.action, e.actor, e.asset, e.partition])).toEqual([
            [1, 'run.created', 'alice', null, null],
            [2, 'run.running', 'system', null, null],
            [3, 'step.running', 'system', 'nb/prices', '2026-11-19'],
            [4, 'asset.materialized', 'system', 'nb/prices', '2026-11-19'],
            [5, 'step.running', 'system', 'nb/prices', '2026-11-20'],
            [6, 'step.failed', 'system', 'nb/prices', '2026-11-20'],
            [7, 'run.failed', 'system', null, null],
            [8, 'operator.rematerialize', 'carol', 'nb/prices', '2026-11-20'],
          ]);
          expect(events[3]!.payload).toMatchObject({ dataVersion: 'v1', rowCount: 10, versionChanged: true });
          expect(events[5]!.payload).toMatchObject({ error: 'price file has 0 rows', attempt: 1 });
          expect(events.slice(0, 7).every((e) => e.runId === events[0]!.runId)).toBe(true);
          for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
          expect(await store.verifyAuditChain()).toEqual({ ok: true, checked: 8, last: { seq: 8, hash: events[7]!.hash }, broken: undefined });
          const partition = await store.listAuditEvents({ asset: 'nb/prices', partition: '2026-11-20' });
          expect(partition.map((e) => e.action)).toEqual(['step.running', 'step.failed', 'operator.rematerialize']);
        },
        { actor: 'system' },
      ));

    it('hashes sha256(prev_hash + [seq, at, actor, action, asset, partition, run, payload]) as docs/store.md describes', () =>
      withStore(async (store) => {
        await history(store);
        const rows = await sql<{ seq: number; at: Date; actor: string; action: string; asset: string | null; partition_key: string | null; run_id: string | null; payload: string; prev_hash: string; hash: string }>`
          select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload, prev_hash, hash from audit_events order by seq`.execute(store.db);
        let previous = '0'.repeat(64);
        for (const row of rows.rows) {
          const fields = JSON.stringify([row.seq, row.at.toISOString(), row.actor, row.action, row.asset, row.partition_key, row.run_id]);
          const encoded = `${fields.slice(0, -1)},${row.payload}]`;
          expect(row.prev_hash).toBe(previous);
          expect(row.hash).toBe(createHash('sha256').update(previous + encoded, 'utf8').digest('hex'));
          previous = row.hash;
        }
        expect(rows.rows).toHaveLength(7);
      }));

    it('refuses UPDATE, DELETE and TRUNCATE on the audit table', () =>
      withStore(async (store) => {
        await history(store);
        await expect(sql`update audit_events set actor = 'mallory' where seq = 2`.execute(store.db)).rejects.toThrow('audit_events is append-only: UPDATE refused');
        await expect(sql`delete from audit_events where seq = 2`.execute(store.db)).rejects.toThrow('audit_events is append-only: DELETE refused');
        await expect(sql`truncate audit_events`.execute(store.db)).rejects.toThrow('audit_events is append-only: TRUNCATE refused');
        expect((await store.listAuditEvents()).map((e) => e.actor)).not.toContain('mallory');
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));

    it('names a tampered event: its fields no longer give its hash', () =>
      withStore(async (store) => {
        await history(store);
        await tamper(store, [sql`update audit_events set payload = '{"dataVersion":"forged"}' where seq = 4`]);
        const result = await store.verifyAuditChain();
        expect(result).toMatchObject({ ok: false, checked: 3, last: { seq: 3 }, broken: { seq: 4, reason: 'hash-mismatch' } });
        expect(result.broken!.message).toBe('audit event 4 (asset.materialized): its fields do not match its hash (it was altered)');
      }));

    it('names a deleted event by the gap it leaves', () =>
      withStore(async (store) => {
        await history(store);
        await tamper(store, [sql`delete from audit_events where seq = 3`]);
        const result = await store.verifyAuditChain();
        expect(result.broken).toEqual({ seq: 4, reason: 'seq-gap', message: 'audit event 4: event 3 is missing (deleted)' });
      }));

    it('names reordered events: the first one out of place no longer points at its predecessor', () =>
      withStore(async (store) => {
        await history(store);
        await tamper(store, [
          sql`update audit_events set seq = 1000 where seq = 3`,
          sql`update audit_events set seq = 3 where seq = 4`,
          sql`update audit_events set seq = 4 where seq = 1000`,
        ]);
        const result = await store.verifyAuditChain();
        expect(result.broken).toMatchObject({ seq: 3, reason: 'prev-hash-mismatch' });
        expect(result.broken!.message).toContain('does not match the hash of event 2 (an event was deleted, or events were reordered)');
      }));

    it('names events deleted from the end of the chain, and an event deleted and renumbered', () =>
      withStore(async (store) => {
        await history(store);
        await tamper(store, [sql`delete from audit_events where seq >= 6`]);
        expect((await store.verifyAuditChain()).broken).toMatchObject({ seq: 6, reason: 'head-mismatch', message: expect.stringContaining('events 6 to 7 are missing') });
      }).then(() =>
        withStore(async (store) => {
          await history(store);
          await tamper(store, [sql`delete from audit_events where seq = 2`, sql`update audit_events set seq = seq + 1000 where seq > 2`, sql`update audit_events set seq = seq - 1001 where seq > 1000`, sql`update audit_head set seq = seq - 1`]);
          expect((await store.verifyAuditChain()).broken).toMatchObject({ seq: 2, reason: 'prev-hash-mismatch' });
        }),
      ));

    it('verifies page by page, and from an anchor after exported events', () =>
      withStore(async (store) => {
        await history(store);
        await history(store);
        const full = await store.verifyAuditChain({ pageSize: 3 });
        expect(full).toMatchObject({ ok: true, checked: 14, last: { seq: 14 } });
        const anchor = (await store.listAuditEvents({ afterSeq: 9, limit: 1 }))[0]!;
        expect(await store.verifyAuditChain({ pageSize: 2, after: { seq: anchor.seq, hash: anchor.hash } })).toMatchObject({ ok: true, checked: 4 });
        expect((await store.verifyAuditChain({ after: { seq: anchor.seq, hash: 'f'.repeat(64) } })).broken).toMatchObject({ seq: 11, reason: 'prev-hash-mismatch' });
      }));
  });
}
