// Audit retention in the store: archives registered in order, prunes of archived events only, the
// anchor a pruned chain verifies from, operator actions, and definition changes.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fixedClock, GENESIS_HASH, StoreError } from '../../../framework/index.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import type { WithStore } from './store.contract.ts';

const count = async (store: MetadataStore, table: string): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(store.db)).rows[0]!.n;

/** One finished run that materializes `partition` of nb/prices. */
async function materializeOnce(store: MetadataStore, partition: string, version: string): Promise<string> {
  const { run, steps } = await store.createRun({ selection: 'nb/prices', status: 'running', steps: [{ asset: 'nb/prices', partition, reason: 'missing' }] });
  await store.recordSuccess({ stepId: steps[0]!.id, dataVersion: version, rowCount: 3 });
  await store.commit([
    { kind: 'check-results', results: [{ runId: run.id, stepId: steps[0]!.id, asset: 'nb/prices', partition, check: 'rows', severity: 'error', blocking: true, passed: true, message: 'ok' }] },
    { kind: 'publishes', publishes: [{ runId: run.id, stepId: steps[0]!.id, asset: 'nb/prices', partition, target: 'warehouse', uri: 'duckdb:///w', dataVersion: version, published: true }] },
  ]);
  await store.updateRun({ runId: run.id, status: 'succeeded' });
  return run.id;
}

/** Registers the whole chain so far as the next archive, as an export would after writing it. */
async function archiveChain(store: MetadataStore, name: string, from: string, to: string) {
  const previous = (await store.listAuditArchives()).at(-1);
  const events = await store.listAuditEvents({ afterSeq: previous?.lastSeq ?? 0, limit: 10_000 });
  const first = events[0]!;
  const last = events.at(-1)!;
  return store.registerAuditArchive({
    number: (previous?.number ?? 0) + 1,
    name,
    firstSeq: first.seq,
    lastSeq: last.seq,
    firstPrevHash: first.prevHash,
    lastHash: last.hash,
    minAt: first.at,
    maxAt: last.at,
    from,
    to,
    location: `/archive/${name}`,
    manifestSha256: 'a'.repeat(64),
    events: events.length,
    runs: 1,
  });
}

export function auditRetentionCases(withStore: WithStore): void {
  describe('audit retention', () => {
    it('registers archives only in order: the next number, the next seq, chained to the previous one', async () => {
      const clock = fixedClock(Date.parse('2026-10-05T12:00:00Z'));
      await withStore(
        async (store) => {
          await materializeOnce(store, '2026-10-05', 'v1');
          const first = await archiveChain(store, '000001_2026-10-01_2026-10-31', '2026-10-01', '2026-10-31');
          expect(first).toMatchObject({ number: 1, firstSeq: 1, firstPrevHash: GENESIS_HASH, from: '2026-10-01', to: '2026-10-31', exportedBy: 'ops' });
          const exported = (await store.listAuditEvents({ action: 'audit.exported' }))[0]!;
          expect(exported).toMatchObject({ seq: first.lastSeq + 1, actor: 'ops', payload: { archive: first.name, lastSeq: first.lastSeq, lastHash: first.lastHash } });

          const head = await store.auditHead();
          const base = { ...first, name: 'x', firstSeq: first.lastSeq + 1, lastSeq: head.seq, firstPrevHash: first.lastHash, lastHash: head.hash };
          await expect(store.registerAuditArchive({ ...base, number: 3 })).rejects.toThrow('its number is 3, the next is 2');
          await expect(store.registerAuditArchive({ ...base, number: 2, firstSeq: first.lastSeq + 2 })).rejects.toThrow(`the previous archive ends at ${first.lastSeq}`);
          await expect(store.registerAuditArchive({ ...base, number: 2, firstPrevHash: GENESIS_HASH })).rejects.toThrow('does not point at the last hash of 000001_2026-10-01_2026-10-31');
          await expect(store.registerAuditArchive({ ...base, number: 2, lastSeq: head.seq + 5 })).rejects.toThrow(`after the chain's head ${head.seq}`);
          expect(await store.listAuditArchives()).toHaveLength(1);
          await expect(sql`delete from audit_archives`.execute(store.db)).rejects.toThrow('audit_archives is append-only: DELETE refused');
        },
        { clock, actor: 'ops' },
      );
    });

    it('prunes archived events and finished runs, keeps current rows, and verifies from the archive afterwards', async () => {
      const clock = fixedClock(Date.parse('2026-10-05T12:00:00Z'));
      await withStore(
        async (store) => {
          const oldRun = await materializeOnce(store, '2026-10-05', 'v1');
          const replaced = await materializeOnce(store, '2026-10-06', 'v1');
          clock.set(Date.parse('2026-10-07T12:00:00Z'));
          const current = await materializeOnce(store, '2026-10-06', 'v2');
          const archive = await archiveChain(store, '000001_2026-10-01_2026-10-31', '2026-10-01', '2026-10-31');
          clock.set(Date.parse('2026-12-01T12:00:00Z'));
          const later = await materializeOnce(store, '2026-12-01', 'v1');
          const eventsBefore = await count(store, 'audit_events');

          await expect(store.pruneAudit({ through: archive.lastSeq - 1, cutoff: new Date('2026-11-01T00:00:00Z') })).rejects.toThrow(
            `no audit archive ends at seq ${archive.lastSeq - 1}`,
          );
          await expect(store.pruneAudit({ through: archive.lastSeq, cutoff: new Date('2026-10-06T00:00:00Z') })).rejects.toThrow('not older than 2026-10-06T00:00:00.000Z');

          const result = await store.pruneAudit({ through: archive.lastSeq, cutoff: new Date('2026-11-01T00:00:00Z') });
          // The first run is kept: its materialization of 2026-10-05 is still current. The second's was replaced.
          expect(result).toMatchObject({ through: archive.lastSeq, archive: archive.name, events: archive.lastSeq, runs: 1, steps: 1, materializations: 1, checkResults: 1, publishes: 1 });
          expect(await store.getRun(replaced)).toBeUndefined();
          expect(await store.getRun(oldRun)).toBeDefined();
          expect(await store.getRun(current)).toBeDefined();
          expect(await store.getRun(later)).toBeDefined();
          expect((await store.materializationHistory('nb/prices', '2026-10-06')).map((m) => m.dataVersion)).toEqual(['v2']);
          expect(await count(store, 'audit_events')).toBe(eventsBefore - archive.lastSeq + 1);

          expect(await store.auditAnchor()).toEqual({ seq: archive.lastSeq, hash: archive.lastHash, archive: archive.name });
          const verified = await store.verifyAuditChain();
          expect(verified).toMatchObject({ ok: true, checked: eventsBefore - archive.lastSeq + 1 });
          const pruned = (await store.listAuditEvents({ action: 'audit.pruned' }))[0]!;
          expect(pruned.payload).toMatchObject({ through: archive.lastSeq, archive: archive.name, cutoff: '2026-11-01T00:00:00.000Z' });
        },
        { clock },
      );
    });

    it('refuses to delete audit events that no archive holds, with or without the prune setting', () =>
      withStore(async (store) => {
        await materializeOnce(store, '2026-10-05', 'v1');
        await expect(sql`delete from audit_events where seq = 1`.execute(store.db)).rejects.toThrow('audit_events is append-only: DELETE refused');
        await expect(
          store.db.transaction().execute(async (trx) => {
            await sql`select set_config('daybook.prune_through', '2', true)`.execute(trx);
            await sql`delete from audit_events where seq <= 2`.execute(trx);
          }),
        ).rejects.toThrow('audit events after seq 0 are not archived: pruning through seq 2 refused');
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));

    it('records operator actions with their actor, and refuses one without an actor or carrying a secret', () =>
      withStore(async (store) => {
        const seq = await store.recordOperatorAction({ actor: 'carol', action: 'rematerialize', asset: 'nb/prices', partition: '2026-11-20', reason: 'corrected file', details: { selection: 'nb/prices' } });
        const [event] = await store.listAuditEvents({ action: 'operator.rematerialize' });
        expect(event).toMatchObject({ seq, actor: 'carol', asset: 'nb/prices', partition: '2026-11-20', payload: { reason: 'corrected file', selection: 'nb/prices' } });
        await expect(store.recordOperatorAction({ actor: ' ', action: 'cancel' })).rejects.toMatchObject({ code: 'store-invalid-write', field: 'actor' });
        await expect(store.recordOperatorAction({ actor: 'carol', action: 'Token Create' })).rejects.toThrow(StoreError);
        await expect(store.recordOperatorAction({ actor: 'carol', action: 'token.create', details: { name: 'ci', auth: { token: 'dbk_secret' } } })).rejects.toMatchObject({
          field: 'details.auth.token',
        });
        expect(await store.listAuditEvents({ actor: 'carol' })).toHaveLength(1);
      }));

    it('records a definition when first seen, a code-version change and a config change once each, naming the fields', () =>
      withStore(async (store) => {
        const seen = (codeVersion: string, checks: string[]) => ({
          asset: 'nb/prices',
          codeVersion,
          fingerprint: `${codeVersion}:${checks.join(',')}`.padEnd(64, '0'),
          spec: { codeVersion, checks, compute: 'sha256:1' },
        });
        expect(await store.recordAssetDefinitions([seen('1', ['rows'])])).toMatchObject([{ action: 'asset.definition-added', fields: ['checks', 'codeVersion', 'compute'] }]);
        expect(await store.recordAssetDefinitions([seen('1', ['rows'])])).toEqual([]);
        expect(await store.recordAssetDefinitions([seen('2', ['rows'])])).toMatchObject([{ action: 'asset.code-version-changed', codeVersion: '2', previousCodeVersion: '1', fields: ['codeVersion'] }]);
        expect(await store.recordAssetDefinitions([seen('2', ['rows', 'unique'])])).toMatchObject([{ action: 'asset.config-changed', fields: ['checks'] }]);
        const events = await store.listAuditEvents({ asset: 'nb/prices' });
        expect(events.map((e) => [e.action, e.payload.codeVersion])).toEqual([
          ['asset.definition-added', '1'],
          ['asset.code-version-changed', '2'],
          ['asset.config-changed', '2'],
        ]);
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));
  });
}
