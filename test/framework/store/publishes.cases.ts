// Publishes: recorded with a step's success, in one transaction, and read back per partition.
import { describe, expect, it } from 'vitest';
import type { WithStore } from './store.contract.ts';

export function publishesCases(withStore: WithStore): void {
  describe('publishes', () => {
    it('records publishes with the step success and lists the latest one per partition and target', () =>
      withStore(async (store) => {
        const { run, steps } = await store.createRun({
          selection: 'nb/report',
          status: 'running',
          steps: [{ asset: 'nb/report', partition: '2026-11-19' }, { asset: 'nb/report', partition: '2026-11-20' }, { asset: 'nb/report', partition: '2026-11-18' }],
        });
        const succeed = async (index: number, dataVersion: string, published: boolean) => {
          const step = steps[index]!;
          const [, count] = await store.commit([
            { kind: 'succeed-step', stepId: step.id, dataVersion, rowCount: 5 },
            {
              kind: 'publishes',
              publishes: [{ asset: 'nb/report', partition: step.partition, target: 'warehouse', uri: 'duckdb:///w.duckdb#main.nb__report', dataVersion, runId: run.id, stepId: step.id, published }],
            },
          ] as const);
          return count;
        };
        expect(await succeed(0, 'sha256:a', true)).toBe(1);
        expect(await succeed(1, 'sha256:b', true)).toBe(1);
        const latest = await store.latestPublishes('nb/report');
        expect(latest.map((p) => [p.partition, p.target, p.dataVersion, p.published, p.runId, p.stepId])).toEqual([
          ['2026-11-20', 'warehouse', 'sha256:b', true, run.id, steps[1]!.id],
          ['2026-11-19', 'warehouse', 'sha256:a', true, run.id, steps[0]!.id],
        ]);
        expect(latest[0]!.uri).toBe('duckdb:///w.duckdb#main.nb__report');
        expect(latest[0]!.at).toBeInstanceOf(Date);

        const events = await store.listAuditEvents({ action: 'asset.published' });
        expect(events.map((e) => [e.partition, e.payload.target, e.payload.dataVersion])).toEqual([
          ['2026-11-19', 'warehouse', 'sha256:a'],
          ['2026-11-20', 'warehouse', 'sha256:b'],
        ]);
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));

    it('keeps only the newest publish of a partition as its latest, and records an unchanged one as not published', () =>
      withStore(async (store) => {
        const { run } = await store.createRun({ selection: 'nb/report', status: 'running' });
        const input = (dataVersion: string, published: boolean) => ({
          asset: 'nb/report', partition: '2026-11-20', target: 'warehouse', uri: 'duckdb:///w.duckdb#main.nb__report', dataVersion, runId: run.id, published,
        });
        await store.recordPublishes([input('sha256:a', true)]);
        await store.recordPublishes([input('sha256:a', false)]);
        const [latest, ...rest] = await store.latestPublishes('nb/report', { partition: '2026-11-20' });
        expect(rest).toEqual([]);
        expect(latest).toMatchObject({ dataVersion: 'sha256:a', published: false });
        expect(await store.listAuditEvents({ action: 'asset.publish-unchanged' })).toHaveLength(1);
      }));

    it('writes no publish when the step success in the same commit is refused', () =>
      withStore(async (store) => {
        const { run, steps } = await store.createRun({ selection: 'nb/report', status: 'running', steps: [{ asset: 'nb/report', partition: '2026-11-20' }] });
        const step = steps[0]!;
        await store.updateStep({ stepId: step.id, status: 'cancelled' });
        await expect(
          store.commit([
            { kind: 'succeed-step', stepId: step.id, dataVersion: 'sha256:a' },
            { kind: 'publishes', publishes: [{ asset: 'nb/report', partition: '2026-11-20', target: 'warehouse', uri: 'u', dataVersion: 'sha256:a', runId: run.id, stepId: step.id, published: true }] },
          ]),
        ).rejects.toMatchObject({ code: 'store-invalid-write' });
        expect(await store.latestPublishes('nb/report')).toEqual([]);
      }));
  });
}
