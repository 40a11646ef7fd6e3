// The queue with in-process workers, the path embedded PGlite takes (and PostgreSQL runs too): a
// queued NorthBridge run ends as materialize() would have, in dependency order; retries and failure
// propagation behave as in materialize(); every claim and outcome is in the audit chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../../../assets/northbridge/index.ts';
import { enqueueRun } from '../../../../framework/automation/workers/enqueue.ts';
import { runQueued } from '../../../../framework/automation/workers/run-queued.ts';
import { defineDefinitions } from '../../../../framework/definitions/definitions.ts';
import { materialize } from '../../../../framework/executor/materialize.ts';
import { NORTHBRIDGE_ASSETS, partitionId } from '../../../support/northbridge.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { FAILING_PIPELINE_OUTCOMES, failingPipeline, stepOutcomes } from '../../../e2e/fixtures/failing-pipeline.ts';

const RANGE = { from: '2026-11-16', to: '2026-11-17' };

describe.each(storeKinds('test/framework/automation/workers/in-process'))('queued runs with in-process workers, store on %s', (kind) => {
  describe('NorthBridge over two sessions', () => {
    let queued: TestEngine;
    let direct: TestEngine;

    beforeAll(async () => {
      queued = await openTestEngine({ definitions: defineDefinitions(northbridge), store: kind });
      direct = await openTestEngine({ definitions: defineDefinitions(northbridge), store: 'pglite' });
      await generateLanding({ root: queued.landing, from: RANGE.from, to: RANGE.to, seed: 7 });
      await generateLanding({ root: direct.landing, from: RANGE.from, to: RANGE.to, seed: 7 });
    });
    afterAll(async () => {
      await queued?.close();
      await direct?.close();
    });

    it('stores a queued run without executing it, then runs it with 3 workers to the same data versions as materialize()', async () => {
      const { run, steps } = await enqueueRun(queued, { partitions: RANGE, priority: 700 });
      expect(run.status).toBe('queued');
      expect(steps).toBe(36);
      expect((await queued.store.listSteps(run.id)).every((step) => step.status === 'pending')).toBe(true);
      expect(await queued.store.currentMaterializations('northbridge/positions')).toEqual([]);

      const summary = await runQueued(queued, run.id, { workers: 3, concurrency: 3, batchSize: 4 });
      expect(summary).toMatchObject({ runId: run.id, status: 'succeeded', steps: 36, byStatus: { succeeded: 36 }, problems: [] });
      expect(summary.rows).toBeGreaterThan(0);
      const expected = await materialize(direct, { partitions: RANGE });
      expect(summary.rows).toBe(expected.rows);
      for (const asset of NORTHBRIDGE_ASSETS) {
        const versions = async (engine: TestEngine) =>
          Object.fromEntries((await engine.store.currentMaterializations(asset, { limit: 1_000 })).map((m) => [m.partition, m.dataVersion]));
        expect(await versions(queued), asset).toEqual(await versions(direct));
      }
    });

    it('starts every step after the steps it reads have succeeded, and records each claim with its worker', async () => {
      const [run] = await queued.store.listRuns({ limit: 1 });
      const steps = await queued.store.listSteps(run!.id);
      const byId = new Map(steps.map((step) => [partitionId(step.asset, step.partition), step]));
      // Positions of a session read the same session's executions and the previous session's positions.
      for (const step of steps.filter((s) => s.asset === 'northbridge/positions')) {
        const [date, portfolio] = step.partition.split('|');
        const executions = steps.filter((s) => s.asset === 'northbridge/executions' && s.partition.startsWith(`${date}|`));
        expect(executions.length).toBeGreaterThan(0);
        for (const upstream of executions) expect(upstream.finishedAt!.getTime()).toBeLessThanOrEqual(step.startedAt!.getTime());
        const previous = byId.get(partitionId('northbridge/positions', `2026-11-16|${portfolio}`))!;
        if (date === '2026-11-17') expect(previous.finishedAt!.getTime()).toBeLessThanOrEqual(step.startedAt!.getTime());
      }
      expect(new Set(steps.map((step) => step.worker)).size).toBeGreaterThan(1);
      // A step that runs a moment has a step.running event; a quicker one's success records its start: either names its worker.
      const events = await queued.store.listAuditEvents({ runId: run!.id, limit: 1000 });
      const workers = new Map<string, string>();
      for (const event of events) {
        const payload = event.payload as { step?: string; worker?: string };
        if ((event.action === 'step.running' || event.action === 'asset.materialized') && payload.step && payload.worker) workers.set(payload.step, payload.worker);
      }
      expect(steps).toHaveLength(36);
      for (const step of steps) expect(workers.get(step.id)).toBe(step.worker);
      expect((await queued.store.verifyAuditChain()).ok).toBe(true);
    });

    it('ends a queued run at once when every requested partition is fresh', async () => {
      const { run, steps } = await enqueueRun(queued, { partitions: RANGE });
      expect(steps).toBe(0);
      expect(run.status).toBe('succeeded');
      expect(await runQueued(queued, run.id)).toMatchObject({ status: 'succeeded', steps: 0 });
    });
  });

  describe('retries and failure propagation', () => {
    let engine: TestEngine;

    beforeAll(async () => {
      engine = await openTestEngine({ definitions: failingPipeline(), store: kind, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 } });
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('retries a failing step with backoff, fails a step after its last attempt and holds back its downstream, as materialize() does', async () => {
      const { run } = await enqueueRun(engine);
      const summary = await runQueued(engine, run.id, { workers: 2, concurrency: 2 });
      expect(stepOutcomes(await engine.store.listSteps(run.id))).toEqual(FAILING_PIPELINE_OUTCOMES);
      expect(summary.status).toBe('failed');
      expect(summary.byStatus).toEqual({ succeeded: 7, failed: 1, 'upstream-failed': 2 });
      expect(summary.problems).toEqual([
        { asset: 'retries/broken', partition: 'b', status: 'failed', message: expect.stringMatching(/boom: no value for b/) },
        { asset: 'retries/report', partition: 'b', status: 'upstream-failed', message: 'an upstream step failed' },
        { asset: 'retries/summary', partition: 'b', status: 'upstream-failed', message: 'an upstream step failed' },
      ]);
      expect((await engine.store.getRun(run.id))!.status).toBe('failed');
      const flaky = (await engine.store.listSteps(run.id)).find((step) => step.asset === 'retries/flaky' && step.partition === 'a')!;
      expect(flaky.logTail).toMatch(/attempt 1 failed: flaky source unavailable \(attempt 1\)[\s\S]*attempt 2 failed/);
      const queue = await engine.store.db.withTables<{ step_queue: { step_id: string } }>().selectFrom('step_queue').select('step_id').execute();
      expect(queue).toEqual([]);
    });
  });
});
