import type { AssetDefinition } from '../../definitions/asset.ts';
import { ConnectionPool } from '../../executor/connection-pool.ts';
import { deferRunning } from '../../executor/deferred-running.ts';
import type { Engine } from '../../executor/engine.ts';
import { backoff, raceAbort, StepTimeoutError, type AttemptOutcome } from '../../executor/scheduler.ts';
import type { ConsumedVersions } from '../../executor/step-inputs.ts';
import { createStepRunner, isRetryable, type RunnerStep, type StepRunner } from '../../executor/step-runner.ts';
import type { StepReason } from '../../planner/reason.ts';
import { GroupCommit } from '../../store/group-commit.ts';
import { prepareWrite } from '../../store/prepare-write.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { MaterializationError } from '../../util/errors.ts';
import type { ClaimedStep } from './claim.ts';
import { finishSteps, LOST } from './finish.ts';
import { queueEvents } from './wake.ts';

/** How a claimed step's attempt ended for its worker; `lost` when its lease ran out and its work was discarded. */
export type ClaimedOutcome = AttemptOutcome | 'failed' | 'retrying' | 'lost';

export interface ClaimedStepsOptions {
  engine: Engine;
  worker: string;
  random?: () => number;
}

/** Runners per run: a worker runs steps of many runs at once. Only the most recent are kept. */
const RUNNERS_KEPT = 64;

/**
 * Executes the steps a worker claimed, with the same step runner as `materialize()`. Their changes go
 * through a group commit of the worker's own whose transactions check its leases (see finish.ts): a
 * step whose lease ran out is discarded, since its retry elsewhere recomputes the same partition file
 * and finds its publishes already done.
 */
export function createClaimedSteps({ engine, worker, random = Math.random }: ClaimedStepsOptions) {
  const { definitions, store } = engine;
  const connections = new ConnectionPool(engine.duckdb);
  const versions = new Map<string, string>();
  const runners = new Map<string, StepRunner>();
  const retryAt = new Map<string, number>();
  const events = queueEvents(store);
  const commits = new GroupCommit({
    where: store.location,
    apply: async (writes) => {
      const outcome = await finishSteps(store, writes, { worker, retryAt });
      if (outcome.claimable > 0) events.emit('work');
      for (const runId of outcome.runsEnded) {
        runners.delete(runId);
        events.emit('run-ended', runId);
      }
      return outcome.results;
    },
  });
  const submit = (writes: StoreWrite[]) => {
    const context = { now: store.now(), actor: store.actor };
    return commits.submit(writes.map((write) => prepareWrite(write, context)));
  };
  // Claimed steps of runs that had not started, by step: the first change of one of them starts the run.
  const starting = new Map<string, string>();
  const runStart = (stepId: string): StoreWrite[] => {
    const runId = starting.get(stepId);
    if (runId === undefined) return [];
    for (const [other, run] of starting) if (run === runId) starting.delete(other);
    return [{ kind: 'update-run', runId, status: 'running' }];
  };
  const running = deferRunning({
    now: () => store.now(),
    running: (stepId, at) => [...runStart(stepId), { kind: 'update-step', stepId, status: 'running', worker, at }],
    write: submit,
  });
  const commit = async (step: RunnerStep, writes: StoreWrite[]) => {
    const settled = (await running.settle(step.stepId, writes)).map((write) => (write.kind === 'succeed-step' && write.startedAt !== undefined ? { ...write, worker } : write));
    const results = await submit([...runStart(step.stepId), ...settled]);
    retryAt.delete(step.stepId);
    if (results.includes(LOST)) {
      throw new MaterializationError('lease-lost', `worker ${worker} lost the lease of asset "${step.asset}" partition "${step.partition}": another worker runs it`, {
        asset: step.asset,
        partition: step.partition,
      });
    }
    return results;
  };

  const upToDate = async (asset: AssetDefinition, index: number, consumed: ConsumedVersions) => {
    const key = asset.partitions.keyAt(index);
    const [state] = await store.partitionStates(asset.key, [key]);
    const [current] = await store.currentMaterializations(asset.key, { partitions: [key] });
    if (!state || !current || state.failed || state.currentSeq !== current.seq) return false;
    if (asset.codeVersion !== undefined && current.codeVersion !== asset.codeVersion) return false;
    return Object.entries(consumed).every(([upstream, read]) => Object.entries(read).every(([k, version]) => current.consumed[upstream]?.[k] === version));
  };
  const runnerFor = (claimed: ClaimedStep): StepRunner => {
    let runner = runners.get(claimed.runId);
    if (!runner) {
      runner = createStepRunner({
        engine,
        run: { id: claimed.runId, selection: claimed.selection },
        connections,
        dataVersion: (asset, index) => versions.get(`${asset}\u0000${index}`),
        upToDate,
        commit,
      });
      runners.set(claimed.runId, runner);
      if (runners.size > RUNNERS_KEPT) runners.delete(runners.keys().next().value!);
    }
    return runner;
  };

  /** Reads the current data versions of the partitions the claimed steps read, in one query per upstream asset. */
  const prefetch = async (steps: readonly RunnerStep[]) => {
    const wanted = new Map<string, Map<string, number>>();
    for (const step of steps) {
      for (const edge of definitions.depsOf(step.assetId)) {
        const upstream = definitions.assets[edge.upstream]!;
        if (upstream.kind === 'source') continue;
        let keys = wanted.get(upstream.key);
        if (!keys) wanted.set(upstream.key, (keys = new Map()));
        edge.mapping.forEachUpstream(step.partitionIndex, (index) => keys.set(upstream.partitions.keyAt(index), index));
      }
    }
    if (versions.size > 100_000) versions.clear();
    for (const [asset, keys] of wanted) {
      for (const state of await store.partitionStates(asset, [...keys.keys()])) {
        if (state.dataVersion !== null) versions.set(`${asset}\u0000${keys.get(state.partition)}`, state.dataVersion);
      }
    }
  };

  /** The claimed step as the runner takes it; undefined, after recording the failure, when this worker's definitions lack its asset or partition. */
  const resolve = async (claimed: ClaimedStep): Promise<RunnerStep | undefined> => {
    const assetId = definitions.has(claimed.asset) ? definitions.idOf(claimed.asset) : -1;
    const asset = definitions.assets[assetId];
    const index = asset ? asset.partitions.tryIndexOf(claimed.partition) : -1;
    if (claimed.runQueued) starting.set(claimed.stepId, claimed.runId);
    const reason = (claimed.reason ?? 'missing') as StepReason;
    const step = { stepId: claimed.stepId, asset: claimed.asset, assetId, partition: claimed.partition, partitionIndex: index, reason };
    if (asset && index >= 0) return step;
    const message = asset
      ? `partition "${claimed.partition}" is not a partition of asset "${claimed.asset}" in worker ${worker}'s definitions`
      : `asset "${claimed.asset}" is not in worker ${worker}'s definitions: the worker runs other code than the one that planned the run`;
    await commit(step, [{ kind: 'fail-step', stepId: claimed.stepId, status: 'failed', error: { message } }]).catch(() => undefined);
    return undefined;
  };

  /** Runs one attempt of a claimed step and commits its outcome. */
  const run = async (claimed: ClaimedStep, step: RunnerStep): Promise<ClaimedOutcome> => {
    const runner = runnerFor(claimed);
    if (claimed.attempt > 1) runner.resumeLog(step, claimed.logTail);
    running.start(step.stepId);
    const controller = new AbortController();
    const timer = engine.timeoutMs > 0 ? setTimeout(() => controller.abort(new StepTimeoutError(engine.timeoutMs)), engine.timeoutMs) : undefined;
    try {
      return await raceAbort(runner.execute(step, { number: claimed.attempt, signal: controller.signal }), controller.signal);
    } catch (error) {
      if (error instanceof MaterializationError && error.code === 'lease-lost') return 'lost';
      const final = claimed.attempt >= engine.retry.attempts || !isRetryable(error);
      if (!final) retryAt.set(step.stepId, store.now() + backoff(engine.retry, claimed.attempt, random));
      try {
        await runner.fail(step, claimed.attempt, error, final);
      } catch (failure) {
        if (failure instanceof MaterializationError && failure.code === 'lease-lost') return 'lost';
        throw failure;
      }
      return final ? 'failed' : 'retrying';
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    resolve,
    prefetch,
    run,
    /** Why the step ended as it did, once it did. */
    message: (claimed: ClaimedStep) => runners.get(claimed.runId)?.message({ stepId: claimed.stepId } as RunnerStep),
    async close() {
      await commits.close();
      connections.close();
    },
  };
}
