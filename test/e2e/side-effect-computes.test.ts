// A TypeScript compute that returns nothing stores nothing: it did its work as a side effect. Its step
// still records a materialization (no file, no rows) whose data version follows from its inputs, in
// materialize() and through the queue's workers alike; with checks or publish targets it fails clearly.
import { afterEach, describe, expect, it } from 'vitest';
import { rowCount } from '../../checks/index.ts';
import { defineAsset, defineDefinitions, enqueueRun, materialize, runQueued, staticKeys, type ComputeContext } from '../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';
import { storeKinds } from '../support/test-stores.ts';

const notified: string[] = [];
const pipeline = (extra: { checks?: boolean } = {}) =>
  defineDefinitions([
    defineAsset({ key: 'fx/rates', partitions: staticKeys(['a', 'b']), compute: "select getvariable('partition_key') as k, 1.25 as rate" }),
    defineAsset({
      key: 'fx/notify-risk',
      partitions: staticKeys(['a', 'b']),
      deps: ['fx/rates'],
      compute: ({ partitionKey }: ComputeContext) => {
        notified.push(partitionKey);
      },
      ...(extra.checks ? { checks: [rowCount({ min: 1 })] } : {}),
    }),
  ]);

describe.each(storeKinds('test/e2e/side-effect-computes'))('a compute that returns nothing, store on %s', (kind) => {
  let engine: TestEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    notified.length = 0;
  });

  it('runs once per partition after its inputs, and records a materialization with no file and an input-derived data version', async () => {
    engine = await openTestEngine({ definitions: pipeline(), store: kind });
    const summary = await materialize(engine);
    expect(summary.status).toBe('succeeded');
    expect(notified.sort()).toEqual(['a', 'b']);
    const [stored] = await engine.store.currentMaterializations('fx/notify-risk', { partitions: ['a'] });
    expect(stored).toMatchObject({ rowCount: 0, bytes: 0, location: null });
    expect(stored!.dataVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [rates] = await engine.store.currentMaterializations('fx/rates', { partitions: ['a'] });
    expect(stored!.consumed).toEqual({ 'fx/rates': { a: rates!.dataVersion } });

    // Forced again over the same inputs: the same data version, so its downstream would stay fresh.
    const again = await materialize(engine, { selection: 'fx/notify-risk', force: true });
    expect(again.status).toBe('succeeded');
    const [rerun] = await engine.store.currentMaterializations('fx/notify-risk', { partitions: ['a'] });
    expect(rerun!.seq).toBeGreaterThan(stored!.seq);
    expect(rerun!.dataVersion).toBe(stored!.dataVersion);
  });

  it('runs the same way through the queue, recording the worker that ran it', async () => {
    engine = await openTestEngine({ definitions: pipeline(), store: kind });
    const { run } = await enqueueRun(engine);
    const summary = await runQueued(engine, run.id, { workers: 2 });
    expect(summary.status).toBe('succeeded');
    expect(notified.sort()).toEqual(['a', 'b']);
    const steps = await engine.store.listSteps(run.id);
    expect(steps.every((step) => step.status === 'succeeded' && step.attempts === 1 && typeof step.worker === 'string')).toBe(true);
    expect((await engine.store.verifyAuditChain()).ok).toBe(true);
  });

  it('fails a step whose asset has checks, naming the asset, since there are no rows to check', async () => {
    engine = await openTestEngine({ definitions: pipeline({ checks: true }), store: kind, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const summary = await materialize(engine);
    expect(summary.status).toBe('failed');
    const problems = summary.problems.filter((problem) => problem.asset === 'fx/notify-risk');
    expect(problems).toHaveLength(2);
    expect(problems[0]!.message).toContain('asset "fx/notify-risk": its compute returned no SQL, so its 1 check(s) have no rows to check');
    expect(await engine.store.currentMaterializations('fx/notify-risk')).toEqual([]);
  });
});
