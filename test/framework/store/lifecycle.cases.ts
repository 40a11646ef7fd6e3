// Runs, steps, materializations and the group commit.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fixedClock, StoreError } from '../../../framework/index.ts';
import { migrateToLatest } from '../../../framework/store/migrate.ts';
import { migrationProvider } from '../../../framework/store/migrations/index.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import type { WithStore } from './store.contract.ts';

const count = async (store: MetadataStore, table: string, where = sql`true`): Promise<number> => {
  const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(store.db);
  return result.rows[0]!.n;
};

/** A run with one pending step per partition of `asset`. */
async function planned(store: MetadataStore, asset: string, partitions: string[]) {
  return store.createRun({ selection: asset, status: 'running', steps: partitions.map((partition) => ({ asset, partition, reason: 'missing' })) });
}

export function lifecycleCases(withStore: WithStore): void {
  describe('runs and steps', () => {
    it('migrates an empty database to every table, and migrating again runs nothing', () =>
      withStore(async (store) => {
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = current_schema() order by table_name`.execute(store.db);
        expect(tables.rows.map((row) => row.table_name)).toEqual(
          expect.arrayContaining(['asset_partitions', 'audit_events', 'audit_head', 'backfills', 'check_results', 'dynamic_partition_keys', 'materializations', 'publishes', 'runs', 'source_observations', 'steps']),
        );
        const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
        expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
        expect(applied.rows[0]?.name).toBe('0001-initial');
        expect(await migrateToLatest(store.db as never, store.location)).toEqual([]);
      }));

    it('records a run and its steps through running, a retried failure and success, with timings and attempts', async () => {
      const clock = fixedClock(Date.parse('2026-11-20T10:00:00Z'));
      await withStore(
        async (store) => {
          const { run, steps } = await store.createRun({
            selection: 'nb/positions+',
            partitionRequest: { from: '2026-11-19', to: '2026-11-20' },
            trigger: 'manual',
            triggeredBy: 'alice',
            steps: [
              { asset: 'nb/positions', partition: '2026-11-19|PF001', reason: 'missing' },
              { asset: 'nb/positions', partition: '2026-11-20|PF001', reason: 'code-changed' },
            ],
          });
          expect(run).toMatchObject({ status: 'queued', selection: 'nb/positions+', triggeredBy: 'alice', trigger: 'manual', partitionRequest: { from: '2026-11-19', to: '2026-11-20' } });
          expect(steps.map((step) => [step.partition, step.status, step.reason, step.attempts])).toEqual([
            ['2026-11-19|PF001', 'pending', 'missing', 0],
            ['2026-11-20|PF001', 'pending', 'code-changed', 0],
          ]);
          const [first, second] = steps as [(typeof steps)[0], (typeof steps)[0]];
          clock.set(Date.parse('2026-11-20T10:00:01Z'));
          expect((await store.updateRun({ runId: run.id, status: 'running' })).startedAt).toEqual(new Date('2026-11-20T10:00:01Z'));
          const running = await store.updateStep({ stepId: first.id, status: 'running', worker: 'worker-1' });
          expect(running).toMatchObject({ status: 'running', attempts: 1, worker: 'worker-1', startedAt: new Date('2026-11-20T10:00:01Z') });

          clock.set(Date.parse('2026-11-20T10:00:02Z'));
          const retrying = await store.recordFailure({ stepId: first.id, status: 'pending', error: { message: 'connection reset', stack: 'Error: connection reset\n    at read' } });
          expect(retrying).toMatchObject({ status: 'pending', attempts: 1, errorMessage: 'connection reset', finishedAt: null });
          clock.set(Date.parse('2026-11-20T10:00:05Z'));
          expect((await store.updateStep({ stepId: first.id, status: 'running', worker: 'worker-2' })).attempts).toBe(2);
          clock.set(Date.parse('2026-11-20T10:00:06Z'));
          const { step, materialization } = await store.recordSuccess({
            stepId: first.id,
            dataVersion: 'sha256:aa',
            codeVersion: '3',
            consumed: { 'nb/executions': { '2026-11-19|GSCO': 'sha256:e1' } },
            rowCount: 1204,
            bytes: 40_960,
            location: '.daybook/storage/nb/positions/2026-11-19|PF001.parquet',
            metadata: { notional: 12.5 },
            logTail: 'wrote 1204 rows',
          });
          expect(step).toMatchObject({ status: 'succeeded', attempts: 2, worker: 'worker-2', startedAt: new Date('2026-11-20T10:00:05Z'), finishedAt: new Date('2026-11-20T10:00:06Z') });
          expect(step.materializationSeq).toBe(materialization.seq);
          expect(materialization).toMatchObject({ asset: 'nb/positions', partition: '2026-11-19|PF001', dataVersion: 'sha256:aa', codeVersion: '3', rowCount: 1204, bytes: 40_960, runId: run.id, stepId: first.id });

          await store.updateStep({ stepId: second.id, status: 'upstream-failed' });
          clock.set(Date.parse('2026-11-20T10:00:07Z'));
          const finished = await store.updateRun({ runId: run.id, status: 'failed', message: '1 step upstream-failed' });
          expect(finished).toMatchObject({ status: 'failed', finishedAt: new Date('2026-11-20T10:00:07Z'), message: '1 step upstream-failed' });

          expect(await store.getRun(run.id)).toEqual(finished);
          const stored = await store.listSteps(run.id);
          expect(stored.map((s) => [s.partition, s.status, s.attempts])).toEqual([
            ['2026-11-19|PF001', 'succeeded', 2],
            ['2026-11-20|PF001', 'upstream-failed', 0],
          ]);
          expect(stored[0]).toMatchObject({ errorMessage: 'connection reset', errorStack: 'Error: connection reset\n    at read', logTail: 'wrote 1204 rows' });
          expect(await store.listSteps(run.id, { status: 'succeeded' })).toHaveLength(1);
          expect(await store.getStep(first.id)).toEqual(stored[0]);
          expect(await store.getRun('not-a-uuid')).toBeUndefined();
        },
        { clock },
      );
    });

    it('refuses a change to a finished step or run, naming the step, its asset and partition', () =>
      withStore(async (store) => {
        const { run, steps } = await planned(store, 'nb/prices', ['2026-11-20']);
        const stepId = steps[0]!.id;
        await store.recordSuccess({ stepId, dataVersion: 'v1' });
        const error = await store.updateStep({ stepId, status: 'running' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({ code: 'store-invalid-write', asset: 'nb/prices', partition: '2026-11-20' });
        expect((error as Error).message).toBe(`step ${stepId} (asset "nb/prices", partition "2026-11-20") is succeeded and cannot become running`);
        await expect(store.recordSuccess({ stepId, dataVersion: 'v2' })).rejects.toThrow(/is succeeded and cannot become succeeded/);
        await store.updateRun({ runId: run.id, status: 'succeeded' });
        await expect(store.updateRun({ runId: run.id, status: 'running' })).rejects.toThrow(`run ${run.id} is succeeded and cannot become running`);
        expect(await store.materializationHistory('nb/prices', '2026-11-20')).toHaveLength(1);
      }));

    it('reports a write to an unknown step or run as not found, and a malformed id as invalid', () =>
      withStore(async (store) => {
        const missing = '01890000-0000-7000-8000-000000000000';
        await expect(store.updateStep({ stepId: missing, status: 'running' })).rejects.toMatchObject({ code: 'store-not-found', message: `step ${missing} does not exist` });
        await expect(store.addSteps(missing, [{ asset: 'a', partition: 'p' }])).rejects.toMatchObject({ code: 'store-not-found', message: `run ${missing} does not exist` });
        await expect(store.recordSuccess({ stepId: 'step-1', dataVersion: 'v' })).rejects.toMatchObject({ code: 'store-invalid-write', field: 'stepId' });
        await expect(store.recordSuccess({ stepId: missing, dataVersion: 'v', rowCount: -1 })).rejects.toThrow(`step ${missing}: rowCount must be a non-negative integer, got -1`);
      }));
  });

  describe('materializations', () => {
    it('records a success and its materialization in one transaction: when the insert fails, neither is stored', () =>
      withStore(async (store) => {
        const { steps } = await planned(store, 'nb/boom', ['2026-11-20']);
        const stepId = steps[0]!.id;
        await store.updateStep({ stepId, status: 'running' });
        // A real failure inside the transaction, after the step row was written: the database refuses the materialization.
        await sql`create function refuse_boom() returns trigger language plpgsql as $$
          begin raise exception 'materializations of nb/boom are refused'; end $$`.execute(store.db);
        await sql`create trigger refuse_boom before insert on materializations for each row when (new.asset = 'nb/boom') execute function refuse_boom()`.execute(store.db);
        const events = (await store.listAuditEvents()).length;

        await expect(store.recordSuccess({ stepId, dataVersion: 'v1', rowCount: 3 })).rejects.toThrow(/materializations of nb\/boom are refused/);
        expect((await store.getStep(stepId))!.status).toBe('running');
        expect(await store.materializationHistory('nb/boom', '2026-11-20')).toEqual([]);
        expect(await store.partitionStates('nb/boom')).toEqual([]);
        expect(await store.listAuditEvents()).toHaveLength(events);
        expect((await store.verifyAuditChain()).ok).toBe(true);

        await sql`drop trigger refuse_boom on materializations`.execute(store.db);
        const { materialization } = await store.recordSuccess({ stepId, dataVersion: 'v1', rowCount: 3 });
        expect((await store.getStep(stepId))!.status).toBe('succeeded');
        expect((await store.currentMaterializations('nb/boom')).map((m) => m.seq)).toEqual([materialization.seq]);
      }));

    it('records a success straight from pending as one attempt that started when the caller says', () =>
      withStore(async (store) => {
        const run = await planned(store, 'nb/pnl', ['2026-11-20']);
        const startedAt = Date.UTC(2026, 10, 21, 10, 0, 0, 125);
        const { step } = await store.recordSuccess({ stepId: run.steps[0]!.id, dataVersion: 'v1', startedAt });
        expect(step.status).toBe('succeeded');
        expect(step.attempts).toBe(1);
        expect(step.startedAt!.getTime()).toBe(startedAt);
        expect(step.finishedAt!.getTime()).toBeGreaterThanOrEqual(step.startedAt!.getTime());
      }));

    it('replaces the current materialization on a rerun and keeps one current row per partition', () =>
      withStore(async (store) => {
        const first = await planned(store, 'nb/pnl', ['2026-11-19', '2026-11-20']);
        const a = await store.recordSuccess({ stepId: first.steps[0]!.id, dataVersion: 'v1' });
        await store.recordSuccess({ stepId: first.steps[1]!.id, dataVersion: 'w1' });
        const rerun = await planned(store, 'nb/pnl', ['2026-11-19']);
        const b = await store.recordSuccess({ stepId: rerun.steps[0]!.id, dataVersion: 'v2', codeVersion: '2' });

        expect(b.materialization.seq).toBeGreaterThan(a.materialization.seq);
        const current = await store.currentMaterializations('nb/pnl');
        expect(current.map((m) => [m.partition, m.dataVersion])).toEqual([
          ['2026-11-19', 'v2'],
          ['2026-11-20', 'w1'],
        ]);
        expect((await store.materializationHistory('nb/pnl', '2026-11-19')).map((m) => m.dataVersion)).toEqual(['v2', 'v1']);
        expect(await count(store, 'asset_partitions', sql`asset = 'nb/pnl' and partition_key = '2026-11-19'`)).toBe(1);
        expect(await count(store, 'materializations', sql`asset = 'nb/pnl'`)).toBe(3);
        expect(await store.currentMaterializations('nb/pnl', { partitions: ['2026-11-20'] })).toHaveLength(1);
      }));

    it('gives materializations and observations one seq that increases in commit order', () =>
      withStore(async (store) => {
        const { steps } = await planned(store, 'nb/prices', ['d1', 'd2', 'd3']);
        const seqs: number[] = [];
        seqs.push((await store.recordSuccess({ stepId: steps[0]!.id, dataVersion: 'a' })).materialization.seq);
        seqs.push(...(await store.recordObservations([{ asset: 'nb/files', partition: 'd1', dataVersion: 'f1' }])).map((o) => o.seq));
        seqs.push((await store.recordSuccess({ stepId: steps[1]!.id, dataVersion: 'b' })).materialization.seq);
        seqs.push(...(await store.recordObservations([{ asset: 'nb/files', partition: 'd2', dataVersion: 'f2' }, { asset: 'nb/files', partition: 'd3', dataVersion: 'f3' }])).map((o) => o.seq));
        seqs.push((await store.recordSuccess({ stepId: steps[2]!.id, dataVersion: 'c' })).materialization.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(seqs.length);
      }));
  });

  describe('group commit', () => {
    it('commits every write of 300 concurrent step lifecycles, several writers per transaction', () =>
      withStore(async (store) => {
        const { run } = await store.createRun({ selection: 'bench/noop', status: 'running' });
        const before = store.commitStats();
        const results = await Promise.all(
          Array.from({ length: 300 }, async (_, i) => {
            const [step] = await store.addSteps(run.id, [{ asset: 'bench/noop', partition: `p${i}` }]);
            await store.updateStep({ stepId: step!.id, status: 'running', worker: `w${i % 7}` });
            return store.recordSuccess({ stepId: step!.id, dataVersion: `v${i}` });
          }),
        );
        const after = store.commitStats();
        expect(after.writes - before.writes).toBe(900);
        expect(after.transactions - before.transactions).toBeLessThan(100);
        const seqs = results.map((result) => result.materialization.seq);
        expect(new Set(seqs).size).toBe(300);
        expect(results.map((result) => result.materialization.partition)).toEqual(Array.from({ length: 300 }, (_, i) => `p${i}`));
        expect(await store.listSteps(run.id, { status: 'succeeded' })).toHaveLength(300);
        expect(await count(store, 'materializations')).toBe(300);
        expect(await count(store, 'asset_partitions')).toBe(300);
        expect(await count(store, 'audit_events')).toBe(1 + 900);
        expect(await store.verifyAuditChain()).toMatchObject({ ok: true, checked: 901 });
      }));

    it('fails only the writer whose write is bad when writers share a transaction', () =>
      withStore(async (store) => {
        const { steps } = await planned(store, 'nb/prices', Array.from({ length: 21 }, (_, i) => `d${i}`));
        await store.recordSuccess({ stepId: steps[20]!.id, dataVersion: 'done' });
        const before = store.commitStats();
        const outcomes = await Promise.allSettled(steps.map((step, i) => store.recordSuccess({ stepId: step.id, dataVersion: `v${i}` })));
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(20);
        expect(outcomes[20]).toMatchObject({ status: 'rejected', reason: { code: 'store-invalid-write' } });
        expect(store.commitStats().writes - before.writes).toBe(20);
        expect((await store.currentMaterializations('nb/prices', { limit: 100 })).map((m) => m.dataVersion).sort()).toEqual(
          [...Array.from({ length: 20 }, (_, i) => `v${i}`), 'done'].sort(),
        );
        expect((await store.verifyAuditChain()).ok).toBe(true);
      }));

    it('commits a list of writes atomically: all of them or, when one is refused, none', () =>
      withStore(async (store) => {
        const { run, steps } = await planned(store, 'nb/prices', ['d1', 'd2']);
        const [success, finish] = await store.commit([
          { kind: 'succeed-step', stepId: steps[0]!.id, dataVersion: 'v1' },
          { kind: 'update-step', stepId: steps[1]!.id, status: 'skipped', message: 'up to date' },
          { kind: 'update-run', runId: run.id, status: 'succeeded' },
        ]).then(([a, , c]) => [a, c] as const);
        expect(success.materialization.dataVersion).toBe('v1');
        expect(finish.status).toBe('succeeded');

        const next = await planned(store, 'nb/prices', ['d3']);
        await expect(
          store.commit([
            { kind: 'succeed-step', stepId: next.steps[0]!.id, dataVersion: 'v3' },
            { kind: 'update-run', runId: run.id, status: 'running' },
          ]),
        ).rejects.toThrow(/is succeeded and cannot become running/);
        expect((await store.getStep(next.steps[0]!.id))!.status).toBe('pending');
        expect(await store.materializationHistory('nb/prices', 'd3')).toEqual([]);
      }));
  });
}
