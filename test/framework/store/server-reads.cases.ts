// What the HTTP server reads and writes: paged partition states with their materialization times,
// the audit head, the actor filter, and API tokens.
import { describe, expect, it } from 'vitest';
import type { WithStore } from './store.contract.ts';

const HASH = (n: number) => n.toString(16).padStart(64, '0');

export function serverReadsCases(withStore: WithStore): void {
  describe('reads for the server', () => {
    it('pages partition states in key order, each with the time of its current materialization, as partitionStates gives them', () =>
      withStore(async (store) => {
        const keys = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
        const { steps } = await store.createRun({ selection: 'nb/prices', status: 'running', steps: keys.map((partition) => ({ asset: 'nb/prices', partition })) });
        for (const [i, step] of steps.entries()) {
          if (i === 3) await store.recordFailure({ stepId: step.id, error: { message: 'boom "quoted"\n\tand tabbed' } });
          else await store.recordSuccess({ stepId: step.id, dataVersion: `sha256:${HASH(i)}`, codeVersion: '2' });
        }
        await store.recordObservations([{ asset: 'nb/files', partition: '2026-11-20|GSCO', dataVersion: 'etag-1' }]);
        const pages = [];
        let afterKey: string | undefined;
        for (;;) {
          const page = await store.scanPartitionStates('nb/prices', { ...(afterKey === undefined ? {} : { afterKey }), limit: 2 });
          pages.push(page.map((state) => state.partition));
          if (page.length < 2) break;
          afterKey = page.at(-1)!.partition;
        }
        expect(pages).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4)]);
        const scanned = await store.scanPartitionStates('nb/prices', { limit: 100 });
        expect(scanned).toEqual(await store.partitionStates('nb/prices'));
        const materialized = await store.currentMaterializations('nb/prices');
        expect(scanned[4]).toMatchObject({ dataVersion: `sha256:${HASH(4)}`, codeVersion: '2', failed: false, materializedAt: materialized.find((m) => m.partition === keys[4])!.createdAt });
        expect(scanned[3]).toMatchObject({ currentSeq: 0, failed: true, failure: 'boom "quoted"\n\tand tabbed', materializedAt: null, failedStepId: steps[3]!.id });
        const [source] = await store.scanPartitionStates('nb/files', { limit: 10 });
        expect(source).toMatchObject({ dataVersion: 'etag-1', materializedAt: expect.any(Date) });
        expect(await store.scanPartitionStates('nb/none', { limit: 10 })).toEqual([]);
      }));

    it('gives the audit head, and filters audit events by actor', () =>
      withStore(async (store) => {
        expect(await store.auditHead()).toEqual({ seq: 0, hash: '0'.repeat(64) });
        await store.appendAudit([{ action: 'api.materialize', actor: 'ci-bot' }, { action: 'api.materialize', actor: 'someone' }]);
        const head = await store.auditHead();
        const events = await store.listAuditEvents();
        expect(head).toEqual({ seq: events.at(-1)!.seq, hash: events.at(-1)!.hash });
        expect((await store.listAuditEvents({ actor: 'ci-bot' })).map((e) => [e.action, e.actor])).toEqual([['api.materialize', 'ci-bot']]);
      }));

    it('stores API tokens by hash, refuses a second live token of one name, and revokes by name or id', () =>
      withStore(async (store) => {
        const first = await store.createApiToken({ name: 'ci-bot', role: 'operator', tokenHash: HASH(1), prefix: 'dbk_aaaaaa' }, { actor: 'admin' });
        expect(first).toMatchObject({ name: 'ci-bot', role: 'operator', tokenHash: HASH(1), createdBy: 'admin', revokedAt: null });
        await expect(store.createApiToken({ name: 'ci-bot', role: 'viewer', tokenHash: HASH(2), prefix: 'dbk_bbbbbb' })).rejects.toMatchObject({
          code: 'store-invalid-write',
          field: 'name',
          message: 'an api token named "ci-bot" already exists; revoke it or pick another name',
        });
        await expect(store.createApiToken({ name: 'x', role: 'root' as 'admin', tokenHash: HASH(3), prefix: 'dbk_c' })).rejects.toMatchObject({ field: 'role' });
        await expect(store.createApiToken({ name: 'x', role: 'admin', tokenHash: 'not-a-hash', prefix: 'dbk_c' })).rejects.toMatchObject({ field: 'tokenHash' });
        const revoked = await store.revokeApiToken('ci-bot', { actor: 'admin' });
        expect(revoked).toMatchObject({ id: first.id, revokedBy: 'admin', revokedAt: expect.any(Date) });
        const second = await store.createApiToken({ name: 'ci-bot', role: 'viewer', tokenHash: HASH(4), prefix: 'dbk_dddddd' });
        expect((await store.revokeApiToken(second.id)).name).toBe('ci-bot');
        await expect(store.revokeApiToken(second.id)).rejects.toMatchObject({ code: 'store-not-found' });
        expect((await store.listApiTokens()).map((t) => [t.name, t.role, t.revokedAt !== null])).toEqual([
          ['ci-bot', 'operator', true],
          ['ci-bot', 'viewer', true],
        ]);
        expect((await store.listAuditEvents()).map((e) => [e.action, e.actor, e.payload.name])).toEqual([
          ['token.created', 'admin', 'ci-bot'],
          ['token.revoked', 'admin', 'ci-bot'],
          ['token.created', 'daybook', 'ci-bot'],
          ['token.revoked', 'daybook', 'ci-bot'],
        ]);
      }));
  });
}
