// Observations, dynamic keys, backfills, check results, queries and stored text.
import { describe, expect, it } from 'vitest';
import { defineAsset, defineDefinitions, dynamicKeys, fixedClock } from '../../../framework/index.ts';
import type { WithStore } from './store.contract.ts';

export function recordsCases(withStore: WithStore): void {
  describe('observations', () => {
    it('records an observation only when the data version changes, and lists them newest first', () =>
      withStore(async (store) => {
        const [first] = await store.recordObservations([
          { asset: 'nb/files', partition: '2026-11-20|GSCO', dataVersion: 'sha256:01', bytes: 2048, etag: 'e1', mtime: Date.parse('2026-11-20T05:00:00Z'), location: 'landing/GSCO/2026-11-20.csv' },
        ]);
        expect(first).toMatchObject({ changed: true, asset: 'nb/files', partition: '2026-11-20|GSCO' });
        const [again] = await store.recordObservations([{ asset: 'nb/files', partition: '2026-11-20|GSCO', dataVersion: 'sha256:01', bytes: 2048 }]);
        expect(again).toEqual({ ...first, changed: false });
        const [resent] = await store.recordObservations([{ asset: 'nb/files', partition: '2026-11-20|GSCO', dataVersion: 'sha256:02', bytes: 2050 }]);
        expect(resent!.changed).toBe(true);
        expect(resent!.seq).toBeGreaterThan(first!.seq);

        const listed = await store.listObservations('nb/files');
        expect(listed.map((o) => [o.seq, o.dataVersion, o.bytes])).toEqual([
          [resent!.seq, 'sha256:02', 2050],
          [first!.seq, 'sha256:01', 2048],
        ]);
        expect(listed[1]).toMatchObject({ etag: 'e1', mtime: new Date('2026-11-20T05:00:00Z'), location: 'landing/GSCO/2026-11-20.csv' });
        const [state] = await store.partitionStates('nb/files');
        expect(state).toMatchObject({ currentSeq: resent!.seq, versionSeq: resent!.seq, dataVersion: 'sha256:02', failed: false });
      }));
  });

  describe('dynamic partition keys', () => {
    it('adds keys once, in order, restores them into a definition, and refuses an invalid key', () =>
      withStore(async (store) => {
        expect(await store.addDynamicKeys('pixelforge/files', ['f-001.png', 'f-002.png'])).toEqual(['f-001.png', 'f-002.png']);
        expect(await store.addDynamicKeys('pixelforge/files', ['f-002.png', 'f-003.png', 'f-003.png'])).toEqual(['f-003.png']);
        expect(await store.addDynamicKeys('pixelforge/other', ['f-003.png'])).toEqual(['f-003.png']);
        expect(await store.listDynamicKeys('pixelforge/files')).toEqual(['f-001.png', 'f-002.png', 'f-003.png']);
        await expect(store.addDynamicKeys('pixelforge/files', ['ok.png', '../etc/passwd'])).rejects.toMatchObject({ code: 'invalid-partition-key', field: 'keys' });
        expect(await store.listDynamicKeys('pixelforge/files')).toHaveLength(3);

        const files = dynamicKeys('pixelforge/files');
        files.add(['f-002.png']);
        await store.restoreDynamicKeys(defineDefinitions([defineAsset({ key: 'pixelforge/metadata', partitions: files })]));
        // A key the process already had keeps its index; the others follow in stored order.
        expect([0, 1, 2].map((index) => files.keyAt(index))).toEqual(['f-002.png', 'f-001.png', 'f-003.png']);
        const partitionsAdded = await store.listAuditEvents({ action: 'partitions.added' });
        expect(partitionsAdded.map((event) => event.payload)).toEqual([
          { definition: 'pixelforge/files', keys: ['f-001.png', 'f-002.png'] },
          { definition: 'pixelforge/files', keys: ['f-003.png'] },
          { definition: 'pixelforge/other', keys: ['f-003.png'] },
        ]);
      }));
  });

  describe('backfills and run queries', () => {
    it('records a backfill with its runs in order, and lists runs newest first with filters', async () => {
      const clock = fixedClock(Date.parse('2026-11-21T01:00:00Z'));
      await withStore(
        async (store) => {
          const backfill = await store.createBackfill({ selection: 'nb/*', partitionRequest: { from: '2026-01-02', to: '2026-11-20' }, triggeredBy: 'bob' });
          expect(backfill).toMatchObject({ status: 'requested', triggeredBy: 'bob', runIds: [], partitionRequest: { from: '2026-01-02', to: '2026-11-20' } });
          const runs = [];
          for (let i = 0; i < 3; i++) {
            clock.set(Date.parse('2026-11-21T01:00:00Z') + (i + 1) * 60_000);
            runs.push((await store.createRun({ selection: 'nb/*', backfillId: backfill.id, trigger: 'backfill' })).run);
          }
          clock.set(Date.parse('2026-11-21T01:10:00Z'));
          const other = (await store.createRun({ selection: 'nb/prices' })).run;
          await store.updateRun({ runId: runs[1]!.id, status: 'running' });
          await store.updateBackfill({ backfillId: backfill.id, status: 'running' });
          const done = await store.updateBackfill({ backfillId: backfill.id, status: 'failed', message: '2 partitions failed' });
          expect(done).toMatchObject({ status: 'failed', message: '2 partitions failed', runIds: runs.map((run) => run.id) });
          expect(done.finishedAt).toEqual(new Date(clock.now()));
          expect(await store.getBackfill(backfill.id)).toEqual(done);
          expect((await store.listBackfills()).map((b) => b.runIds)).toEqual([runs.map((run) => run.id)]);

          expect((await store.listRuns()).map((run) => run.id)).toEqual([other.id, runs[2]!.id, runs[1]!.id, runs[0]!.id]);
          expect((await store.listRuns({ backfillId: backfill.id, limit: 2 })).map((run) => run.id)).toEqual([runs[2]!.id, runs[1]!.id]);
          expect((await store.listRuns({ status: 'running' })).map((run) => run.id)).toEqual([runs[1]!.id]);
          expect((await store.listRuns({ before: runs[1]!.createdAt })).map((run) => run.id)).toEqual([runs[0]!.id]);
          await expect(store.createRun({ selection: 'x', backfillId: '01890000-0000-7000-8000-000000000000' })).rejects.toMatchObject({ code: 'store-not-found' });
        },
        { clock },
      );
    });
  });

  describe('check results and stored text', () => {
    it('stores check results with an audit event each', () =>
      withStore(async (store) => {
        const { run, steps } = await store.createRun({ selection: 'nb/executions', steps: [{ asset: 'nb/executions', partition: '2026-11-20|GSCO' }] });
        const stored = await store.recordCheckResults([
          { runId: run.id, stepId: steps[0]!.id, asset: 'nb/executions', partition: '2026-11-20|GSCO', check: 'row_count', severity: 'error', blocking: true, passed: true, message: '1204 rows', metrics: { rowCount: 1204 } },
          { runId: run.id, stepId: steps[0]!.id, asset: 'nb/executions', partition: '2026-11-20|GSCO', check: 'control_total', severity: 'error', blocking: true, passed: false, message: 'notional off by 12.50', metrics: { expected: 100, actual: 112.5 }, sample: [{ trade_id: 'T1', notional: 12.5 }] },
        ]);
        expect(stored).toBe(2);
        const results = await store.listCheckResults({ stepId: steps[0]!.id });
        expect(results.map((r) => [r.check, r.passed, r.metrics])).toEqual([
          ['control_total', false, { expected: 100, actual: 112.5 }],
          ['row_count', true, { rowCount: 1204 }],
        ]);
        expect(results[0]!.sample).toEqual([{ trade_id: 'T1', notional: 12.5 }]);
        expect((await store.listAuditEvents({ asset: 'nb/executions', partition: '2026-11-20|GSCO' })).map((e) => e.action)).toEqual(['check.passed', 'check.failed']);
      }));

    it('stores text PostgreSQL refuses (NUL, lone surrogates) with U+FFFD, and keeps the end of a long log tail', () =>
      withStore(async (store) => {
        const { steps } = await store.createRun({ selection: 'a', steps: [{ asset: 'nb/a', partition: 'p' }] });
        const tail = `${'x'.repeat(70_000)}last line`;
        const failed = await store.recordFailure({
          stepId: steps[0]!.id,
          error: { message: 'bad byte \u0000 and \ud800 here', stack: 'at \u0000' },
          logTail: tail,
        });
        expect(failed.errorMessage).toBe('bad byte \ufffd and \ufffd here');
        const stored = await store.getStep(steps[0]!.id);
        expect(stored!.errorMessage).toBe('bad byte \ufffd and \ufffd here');
        expect(stored!.errorStack).toBe('at \ufffd');
        expect(stored!.logTail!.endsWith('last line')).toBe(true);
        expect(stored!.logTail!.startsWith('… [')).toBe(true);
        expect(stored!.logTail!.length).toBeLessThan(70_000);
        expect((await store.partitionStates('nb/a'))[0]!.failure).toBe('bad byte \ufffd and \ufffd here');
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));
  });
}
