import { sql } from 'kysely';
import type { Engine } from '../../executor/engine.ts';
import type { RunSummary } from '../../executor/materialize.ts';
import type { StepStatus } from '../../store/schema.ts';
import { StoreError } from '../../util/errors.ts';
import { queueEvents } from './wake.ts';
import { createWorker, type WorkerOptions } from './worker.ts';

export interface RunQueuedOptions extends Omit<WorkerOptions, 'engine' | 'id'> {
  /** In-process workers; default 2. */
  workers?: number;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Runs a queued run to its end with workers in this process, the same code path as `daybook worker`
 * processes on PostgreSQL: what embedded PGlite (one process) uses, and tests. Resolves with the
 * run's summary, as `materialize()` gives it. Other queued runs' steps may run meanwhile too. A
 * failed claim or commit rejects, unless `onError` says otherwise.
 *
 * @example
 * const { run } = await enqueueRun(engine, { selection: 'northbridge/pnl+' });
 * const summary = await runQueued(engine, run.id, { workers: 2 });
 */
export async function runQueued(engine: Engine, runId: string, { workers = 2, ...options }: RunQueuedOptions = {}): Promise<RunSummary> {
  const { store } = engine;
  const events = queueEvents(store);
  let ended: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    ended = resolve;
    failed = reject;
  });
  const onEnded = (id: string) => id === runId && ended();
  events.on('run-ended', onEnded);
  const pool = Array.from({ length: workers }, (_, n) => createWorker({ onError: failed, ...options, engine, id: `${process.pid}-${runId.slice(-6)}-${n + 1}` }));
  // Another process may end the run (PostgreSQL): look now and then too.
  const poll = setInterval(() => void store.getRun(runId).then((run) => run && ENDED.has(run.status) && ended(), () => undefined), options.pollMs ?? 1_000);
  try {
    const run = await store.getRun(runId);
    if (!run) throw new StoreError('store-not-found', `run ${runId} does not exist`, { field: 'runId' });
    if (!ENDED.has(run.status)) {
      for (const worker of pool) await worker.start();
      await done;
    }
  } finally {
    clearInterval(poll);
    events.off('run-ended', onEnded);
    for (const worker of pool) await worker.stop();
  }
  return summarize(engine, runId);
}

/** A run's summary from the store: its steps by status, its problems and the rows it wrote. */
export async function summarize(engine: Engine, runId: string): Promise<RunSummary> {
  const { store } = engine;
  const run = (await store.getRun(runId))!;
  const steps = await store.listSteps(runId);
  const byStatus: Partial<Record<StepStatus, number>> = {};
  for (const step of steps) byStatus[step.status] = (byStatus[step.status] ?? 0) + 1;
  const written = await sql<{ rows: number | null }>`select sum(row_count)::bigint as rows from materializations where run_id = ${runId}::uuid`.execute(store.db);
  return {
    runId,
    status: run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled' ? run.status : 'failed',
    steps: steps.length,
    byStatus,
    rows: Number(written.rows[0]?.rows ?? 0),
    problems: steps
      .filter((step) => step.status !== 'succeeded' && step.status !== 'skipped')
      .map((step) => ({ asset: step.asset, partition: step.partition, status: step.status, message: step.errorMessage ?? '' })),
  };
}
