// Retries and failure propagation end to end: a step that fails twice then succeeds, a step that
// always fails with its downstream held back, and an independent branch that carries on.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialize, type RunSummary } from '../../framework/executor/materialize.ts';
import { createStore } from '../../framework/store/create-store.ts';
import type { StepRecord } from '../../framework/store/schema.ts';
import { isolateCliState, runCli, type CliDirectories } from '../support/cli.ts';
import { filesUnder, openTestEngine, type TestEngine } from '../support/test-engine.ts';
import { storeKinds } from '../support/test-stores.ts';
import { FAILING_PIPELINE_OUTCOMES, failingPipeline, stepOutcomes } from './fixtures/failing-pipeline.ts';

const CONFIG = fileURLToPath(new URL('./fixtures/failing-pipeline.config.ts', import.meta.url));

describe.each(storeKinds('test/e2e/retries'))('retries and failure propagation, store on %s', (kind) => {
  let engine: TestEngine;
  let run: RunSummary;
  let steps: StepRecord[];

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: failingPipeline(), store: kind, concurrency: 2, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 } });
    run = await materialize(engine);
    steps = await engine.store.listSteps(run.runId);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('succeeds on the third attempt when a step fails twice, and records 3 attempts', async () => {
    expect(stepOutcomes(steps.filter((step) => step.asset === 'retries/flaky'))).toEqual({ 'retries/flaky[a]': 'succeeded ×3', 'retries/flaky[b]': 'succeeded ×3' });
    const [stored] = await engine.store.currentMaterializations('retries/flaky', { partitions: ['a'] });
    const rows = await engine.query<{ key: string; attempt: number }>(`select * from read_parquet('${stored!.location}', hive_partitioning = false)`);
    expect(rows).toEqual([{ key: 'a', attempt: 3 }]);
    const flaky = steps.find((step) => step.asset === 'retries/flaky' && step.partition === 'a')!;
    expect(flaky.logTail).toMatch(/attempt 1 failed: flaky source unavailable \(attempt 1\)[\s\S]*attempt 2 failed: flaky source unavailable \(attempt 2\)/);
  });

  it('fails a step after its last attempt, holds back its downstream as upstream-failed and runs the independent branch', async () => {
    expect(stepOutcomes(steps)).toEqual(FAILING_PIPELINE_OUTCOMES);
    expect(run.status).toBe('failed');
    expect(run.byStatus).toEqual({ succeeded: 7, failed: 1, 'upstream-failed': 2 });
    expect(run.problems).toEqual([
      { asset: 'retries/broken', partition: 'b', status: 'failed', message: expect.stringMatching(/^asset "retries\/broken" partition "b": .*boom: no value for b/) },
      { asset: 'retries/report', partition: 'b', status: 'upstream-failed', message: 'an upstream step failed' },
      { asset: 'retries/summary', partition: 'b', status: 'upstream-failed', message: 'an upstream step failed' },
    ]);
    const broken = steps.find((step) => step.asset === 'retries/broken' && step.partition === 'b')!;
    expect(broken.errorMessage).toContain('boom: no value for b');
    expect(broken.errorStack).not.toBeNull();
    expect((await engine.store.getRun(run.runId))!.status).toBe('failed');
  });

  it('stores nothing for the failed partition and its held-back downstream, and flags it failed', async () => {
    for (const asset of ['retries/broken', 'retries/report', 'retries/summary']) {
      expect((await engine.store.currentMaterializations(asset)).map((m) => m.partition), asset).toEqual(['a']);
    }
    const [state] = await engine.store.partitionStates('retries/broken', ['b']);
    expect(state).toMatchObject({ failed: true, currentSeq: 0 });
    expect(await filesUnder(engine.storageRoot)).toEqual(
      ['flaky/partition=a', 'flaky/partition=b', 'broken/partition=a', 'report/partition=a', 'summary/partition=a', 'independent/partition=a', 'independent/partition=b']
        .map((path) => `retries/${path}/data.parquet`)
        .sort(),
    );
  });

  it('plans only the failed partition and its downstream on the next run', async () => {
    const again = await materialize(engine);
    const rerun = await engine.store.listSteps(again.runId);
    expect(stepOutcomes(rerun)).toEqual({ 'retries/broken[b]': 'failed ×3', 'retries/report[b]': 'upstream-failed ×0', 'retries/summary[b]': 'upstream-failed ×0' });
    // Never materialized, so it is planned as missing (a failure after a success plans as failed).
    expect(rerun.map((step) => step.reason)).toEqual(['missing', 'missing', 'missing']);
  });
});

describe('daybook materialize with a failing step', () => {
  let cli: CliDirectories;
  beforeAll(async () => {
    cli = await isolateCliState('e2e-retries');
  });
  afterAll(async () => {
    await cli?.remove();
  });

  it('exits 1, prints the failed step and why, and records the same outcome as the engine', async () => {
    const result = await runCli(['--config', CONFIG, 'materialize']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^run \S+ failed: 10 steps \(.*failed 1.*\); \d+ rows written/m);
    expect(result.stdout).toMatch(/retries\/broken\s+b\s+failed\s+asset "retries\/broken" partition "b": .*boom: no value for b/);
    expect(result.stdout).toMatch(/retries\/report\s+b\s+upstream-failed\s+an upstream step failed/);
    expect(result.stderr.match(/^\[\d+\/10\] /gm)).toHaveLength(10);

    const store = await createStore({ url: '', directory: join(cli.home, 'store') });
    try {
      const [latest] = await store.listRuns({ limit: 1 });
      expect(latest!.status).toBe('failed');
      expect(stepOutcomes(await store.listSteps(latest!.id))).toEqual(FAILING_PIPELINE_OUTCOMES);
    } finally {
      await store.close();
    }
  });
});
