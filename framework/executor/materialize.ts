import type { AssetDefinition } from '../definitions/asset.ts';
import type { StorePlannerState } from '../store/planner-state.ts';
import type { RunRecord, StepRecord, StepStatus } from '../store/schema.ts';
import type { StoreWrite } from '../store/writes.ts';
import { ConnectionPool } from './connection-pool.ts';
import { deferRunning } from './deferred-running.ts';
import type { Engine } from './engine.ts';
import { newRunOf, planRun, type RunRequest } from './plan-run.ts';
import { runSchedule, type SchedulerEvent } from './scheduler.ts';
import type { ExecutionStep } from './step-graph.ts';
import type { ConsumedVersions } from './step-inputs.ts';
import { createStepRunner, HELD_BACK, isRetryable, type RunnerStep } from './step-runner.ts';

export interface MaterializeOptions extends RunRequest {
  /** Ctrl-C: running steps are aborted and nothing new starts. */
  signal?: AbortSignal;
  /** Called on every step status change, after it is stored. */
  onStep?: (event: StepEvent) => void;
  /** Called once the plan is known, with the number of steps. */
  onPlan?: (steps: number) => void;
  /** Called once the run and its steps are stored, before any step starts: e.g. to report the run id. */
  onRun?: (run: RunRecord, steps: readonly StepRecord[]) => void;
}

export interface StepEvent {
  readonly asset: string;
  readonly partition: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly message?: string;
}

/** What a run did. */
export interface RunSummary {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly steps: number;
  readonly byStatus: Readonly<Partial<Record<StepStatus, number>>>;
  readonly rows: number;
  /** Steps that did not succeed or skip, with why. */
  readonly problems: readonly { asset: string; partition: string; status: StepStatus; message: string }[];
}

/**
 * Observes the sources a selection reads, plans it, and runs the plan: each step computes into
 * partition storage, then records its materialization with its success in one store transaction
 * (see step-runner.ts). `enqueueRun()` stores the same plan for workers instead.
 */
export async function materialize(engine: Engine, options: MaterializeOptions = {}): Promise<RunSummary> {
  const { store } = engine;
  const planned = await planRun(engine, options);
  const { steps, state } = planned;
  options.onPlan?.(steps.length);
  const { run, steps: records } = await store.createRun(newRunOf(planned, options, 'running'));
  options.onRun?.(run, records);
  const runnerSteps: RunnerStep[] = steps.map((step) => ({ ...step, stepId: records[step.id]!.id }));
  const runnerStep = (step: ExecutionStep) => runnerSteps[step.id]!;
  const running = deferRunning({
    now: () => store.now(),
    running: (stepId, at) => [{ kind: 'update-step', stepId, status: 'running', at }],
    write: (writes) => store.commit(writes),
  });
  const commit = async (step: RunnerStep, writes: StoreWrite[]) => store.commit(await running.settle(step.stepId, writes));
  const connections = new ConnectionPool(engine.duckdb);
  const runner = createStepRunner({
    engine,
    run,
    connections,
    dataVersion: (asset, index) => state.dataVersion?.(asset, index),
    upToDate: (asset, index, consumed) => isUpToDate(state, asset, index, consumed),
    observations: planned.observations,
    commit,
  });

  const onEvent = async (event: SchedulerEvent) => {
    const step = runnerStep(event.step);
    if (event.status === 'running') running.start(step.stepId);
    else if (event.status === 'failed' || (event.status === 'pending' && event.error !== undefined)) {
      await runner.fail(step, event.attempt, event.error, event.status === 'failed');
    } else if (
      event.status === 'cancelled' ||
      (event.attempt === 0 && (event.status === 'upstream-failed' || event.status === 'waiting' || event.status === 'blocked-by-check'))
    ) {
      const message = HELD_BACK[event.status];
      runner.setMessage(step, message);
      await commit(step, [{ kind: 'update-step', stepId: step.stepId, status: event.status, message }]);
      if (event.status === 'cancelled') runner.notifier.ended(step, event.attempt, 'cancelled', undefined);
    }
    const message = runner.message(step);
    options.onStep?.({
      asset: event.step.asset,
      partition: event.step.partition,
      status: event.status,
      attempt: event.attempt,
      ...(message === undefined ? {} : { message }),
    });
  };

  const statuses = await runSchedule({
    steps,
    execute: (step, attempt) => runner.execute(runnerStep(step), attempt),
    onEvent,
    concurrency: engine.concurrency,
    retry: engine.retry,
    timeoutMs: engine.timeoutMs,
    retryable: isRetryable,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  connections.close();
  const byStatus: Partial<Record<StepStatus, number>> = {};
  for (const status of statuses) byStatus[status] = (byStatus[status] ?? 0) + 1;
  const failed = statuses.some((status) => status === 'failed' || status === 'upstream-failed' || status === 'blocked-by-check');
  const status = options.signal?.aborted ? 'cancelled' : failed ? 'failed' : 'succeeded';
  await store.updateRun({ runId: run.id, status });
  const problems = steps
    .filter((step) => !['succeeded', 'skipped'].includes(statuses[step.id]!))
    .map((step) => ({ asset: step.asset, partition: step.partition, status: statuses[step.id]!, message: runner.message(runnerStep(step)) ?? '' }));
  return { runId: run.id, status, steps: steps.length, byStatus, rows: runner.rows, problems };
}

/** Memoization: the latest materialization read exactly these input versions with the current code. */
function isUpToDate(state: StorePlannerState, asset: AssetDefinition, index: number, consumed: ConsumedVersions): boolean {
  const own = state.asset(asset.key);
  if (!own || index >= own.materializedSeq.length || own.materializedSeq[index] === 0 || own.failed[index] === 1) return false;
  if (asset.codeVersion !== undefined && own.codeVersions[own.codeVersion[index]!] !== asset.codeVersion) return false;
  for (const [upstream, versions] of Object.entries(consumed)) {
    for (const [key, version] of Object.entries(versions)) {
      if (state.consumedVersion?.(asset.key, index, upstream, key) !== version) return false;
    }
  }
  return true;
}

