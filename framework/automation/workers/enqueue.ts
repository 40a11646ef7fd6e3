import { sql } from 'kysely';
import type { Engine } from '../../executor/engine.ts';
import { newRunOf, planRun, type RunRequest } from '../../executor/plan-run.ts';
import { newId } from '../../store/ids.ts';
import type { RunRecord } from '../../store/schema.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { DefinitionError } from '../../util/errors.ts';
import { notifyWorkers, queueTransaction } from './queue-transaction.ts';
import { queueEvents } from './wake.ts';

/** The tag that puts an asset's steps in a pool, e.g. `tags: { pool: 'redshift' }`. */
export const POOL_TAG = 'pool';

export interface EnqueueOptions extends RunRequest {
  /** The run's id, when chosen before (a schedule tick's claim); default a new one. */
  runId?: string;
  /** 0 to 1000; higher is claimed first. Default 500. */
  priority?: number;
  /**
   * How long a waiting step takes to gain one point of priority, so that low priority never starves:
   * a step of priority 0 goes before priority-1000 steps enqueued 1000 × `agingMs` after it. Default 1000.
   */
  agingMs?: number;
}

/** A stored, queued run. */
export interface EnqueuedRun {
  readonly run: RunRecord;
  /** Its steps, all queued (none when every requested partition is fresh: the run has then succeeded). */
  readonly steps: number;
}

/**
 * Plans a run exactly as `materialize()` does and stores it for workers to execute, without running
 * anything: the run (`queued`) and its steps, and in the same transaction each step's queue row
 * (priority, pool, group, how many upstream steps it waits for) and the edges between them.
 *
 * @example
 * const { run } = await enqueueRun(engine, { selection: 'northbridge/positions+', partitions: { partition: '2026-11-20' }, priority: 800 });
 * const summary = await runQueued(engine, run.id, { workers: 2 }); // or `daybook worker` processes on PostgreSQL
 */
export async function enqueueRun(engine: Engine, options: EnqueueOptions = {}): Promise<EnqueuedRun> {
  const { priority = 500, agingMs = 1000 } = options;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1000) {
    throw new DefinitionError('invalid-config', `enqueueRun: priority must be an integer from 0 to 1000, got ${priority}`, { field: 'priority' });
  }
  if (!(agingMs > 0)) throw new DefinitionError('invalid-config', `enqueueRun: agingMs must be positive, got ${agingMs}`, { field: 'agingMs' });
  const { definitions, store } = engine;
  const planned = await planRun(engine, options);
  const { steps } = planned;
  const enqueued = await queueTransaction(store, async ({ trx, apply }) => {
    const newRun = { ...newRunOf(planned, options, 'queued'), id: options.runId ?? newId(store.now()) };
    const writes: StoreWrite[] = [{ kind: 'create-run', ...newRun }];
    if (steps.length === 0) writes.push({ kind: 'update-run', runId: newRun.id, status: 'succeeded', message: 'nothing to do, every requested partition is fresh' });
    const [created, ended] = (await apply(writes)) as [{ run: RunRecord; steps: { id: string }[] }, RunRecord | undefined];
    if (ended) return { run: ended, steps: 0 };
    const ids = created.steps.map((step) => step.id);
    const now = new Date(store.now());
    const due = new Date(now.getTime() - priority * agingMs);
    const assets = steps.map((step) => definitions.assets[step.assetId]!);
    await sql`insert into step_queue (step_id, run_id, pool, queue_group, priority, enqueued_at, due_at, ready_at, blockers)
      select step_id, ${created.run.id}::uuid, pool, queue_group, ${priority}::integer, ${now}::timestamptz, ${due}::timestamptz, ${now}::timestamptz, blockers
      from unnest(${ids}::uuid[], ${assets.map((asset) => asset.tags[POOL_TAG] ?? null)}::text[], ${assets.map((asset) => asset.group)}::text[],
        ${steps.map((step) => new Set(step.upstream).size)}::integer[])
        as q(step_id, pool, queue_group, blockers)`.execute(trx);
    const upstream: string[] = [];
    const downstream: string[] = [];
    for (const step of steps) {
      for (const producer of new Set(step.upstream)) {
        upstream.push(ids[producer]!);
        downstream.push(ids[step.id]!);
      }
    }
    if (upstream.length > 0) {
      await sql`insert into step_edges (upstream, downstream) select * from unnest(${upstream}::uuid[], ${downstream}::uuid[])`.execute(trx);
    }
    await sql`insert into run_queue (run_id, remaining) values (${created.run.id}::uuid, ${steps.length})`.execute(trx);
    await notifyWorkers(store, trx);
    return { run: created.run, steps: steps.length };
  });
  if (enqueued.steps > 0) queueEvents(store).emit('work');
  else queueEvents(store).emit('run-ended', enqueued.run.id);
  return enqueued;
}
