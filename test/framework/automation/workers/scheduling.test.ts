// How workers pick steps: a pool's limit caps its steps across all workers, and aging lets a
// low-priority step run before a stream of high-priority ones that keeps arriving.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../../../framework/automation/workers/enqueue.ts';
import { setPoolLimits } from '../../../../framework/automation/workers/pools.ts';
import { runQueued } from '../../../../framework/automation/workers/run-queued.ts';
import { createWorker } from '../../../../framework/automation/workers/worker.ts';
import { defineAsset } from '../../../../framework/definitions/asset.ts';
import { defineDefinitions } from '../../../../framework/definitions/definitions.ts';
import { staticKeys } from '../../../../framework/partitions/definitions/static.ts';
import type { StepRecord } from '../../../../framework/store/schema.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';

const keys = (prefix: string, count: number) => staticKeys(Array.from({ length: count }, (_, n) => `${prefix}${String(n).padStart(3, '0')}`));
const slow = (ms: number) => async () => {
  await sleep(ms);
  return 'select 1 as x';
};

/** The most steps running at once, from their start and finish times (a step ending when another starts does not overlap it). */
function maxConcurrent(steps: readonly StepRecord[]): number {
  const edges = steps.flatMap((step) => [
    [step.startedAt!.getTime(), 1],
    [step.finishedAt!.getTime(), -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let running = 0;
  let most = 0;
  for (const [, delta] of edges) most = Math.max(most, (running += delta!));
  return most;
}

describe.each(storeKinds('test/framework/automation/workers/scheduling'))('worker scheduling, store on %s', (kind) => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await openTestEngine({
      store: kind,
      definitions: defineDefinitions([
        defineAsset({ key: 'pools/narrow', partitions: keys('n', 10), tags: { pool: 'narrow' }, compute: slow(60) }),
        defineAsset({ key: 'pools/wide', partitions: keys('w', 10), compute: slow(60) }),
        defineAsset({ key: 'aging/low', partitions: keys('l', 1), compute: slow(20) }),
        defineAsset({ key: 'aging/high', partitions: keys('h', 80), compute: slow(40) }),
      ]),
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('runs at most a pool\'s limit of its steps at once across three workers, while steps outside the pool run wider', async () => {
    await setPoolLimits(engine.store, { narrow: 2 });
    const { run } = await enqueueRun(engine, { selection: 'pools/narrow,pools/wide' });
    const summary = await runQueued(engine, run.id, { workers: 3, concurrency: 4, batchSize: 4 });
    expect(summary).toMatchObject({ status: 'succeeded', steps: 20 });
    const steps = await engine.store.listSteps(run.id);
    expect(maxConcurrent(steps.filter((step) => step.asset === 'pools/narrow'))).toBe(2);
    expect(maxConcurrent(steps.filter((step) => step.asset === 'pools/wide'))).toBeGreaterThan(2);
    // Every worker took part, so the cap held across workers, not within one.
    expect(new Set(steps.map((step) => step.worker)).size).toBe(3);
    const [event] = await engine.store.listAuditEvents({ action: 'pool.limit-set' });
    expect(event?.payload).toMatchObject({ pool: 'narrow', limit: 2 });
  });

  it('runs a low-priority step before a stream of high-priority steps ends, once it has waited long enough', async () => {
    const worker = createWorker({ engine, concurrency: 1, batchSize: 1, pollMs: 50, onError: (error) => { throw error; } });
    // One point of priority per millisecond waited: priority 1000 is a 1 s head start.
    const aging = { agingMs: 1 };
    const high: string[] = [];
    const enqueueHigh = async (n: number) => {
      const { run } = await enqueueRun(engine, { selection: 'aging/high', partitions: { partition: `h${String(n).padStart(3, '0')}` }, priority: 1000, ...aging });
      high.push(run.id);
    };
    for (let n = 0; n < 5; n++) await enqueueHigh(n);
    const { run: low } = await enqueueRun(engine, { selection: 'aging/low', priority: 0, ...aging });
    await worker.start();
    // High-priority steps keep arriving faster than the worker runs them.
    for (let n = 5; n < 80; n++) {
      await enqueueHigh(n);
      await sleep(10);
    }
    const ended = async () => (await Promise.all([low.id, ...high].map((id) => engine.store.getRun(id)))).every((run) => run!.status === 'succeeded');
    for (let waited = 0; waited < 30_000 && !(await ended()); waited += 100) await sleep(100);
    await worker.stop();
    const lowStep = (await engine.store.listSteps(low.id))[0]!;
    const highSteps = (await Promise.all(high.map((id) => engine.store.listSteps(id)))).flat();
    expect([lowStep, ...highSteps].every((step) => step.status === 'succeeded')).toBe(true);
    const before = highSteps.filter((step) => step.startedAt !== null && step.startedAt < lowStep.startedAt!);
    const queuedAfterLowRan = highSteps.filter((step) => step.startedAt! > lowStep.startedAt!);
    // Priority counts: the high-priority steps already queued ran first …
    expect(before.length).toBeGreaterThanOrEqual(5);
    // … but the low-priority step did not wait for the stream to end.
    expect(queuedAfterLowRan.length).toBeGreaterThan(0);
  });
});
