import { sql } from 'kysely';
import { HELD_BACK } from '../../executor/step-runner.ts';
import type { RunStatus } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { notifyWorkers, queueTransaction } from './queue-transaction.ts';

/** The result of a write dropped because its worker no longer held the step's lease. */
export const LOST: unique symbol = Symbol('lease lost');

type Hold = keyof typeof HELD_BACK;

export interface FinishContext {
  /** The worker committing: it must hold the lease of every step its writes change. */
  readonly worker: string;
  /** When each step put back for a retry may run again (epoch ms), by step id. */
  readonly retryAt: ReadonlyMap<string, number>;
}

/** What a finish transaction changed in the queue, once committed. */
export interface FinishOutcome {
  readonly results: unknown[];
  /** Steps that became claimable: made ready, or put back for a retry. */
  readonly claimable: number;
  /** Runs whose last step ended. */
  readonly runsEnded: string[];
}

/** The step ids a write refers to. */
function stepIdsOf(write: StoreWrite): string[] {
  if (write.kind === 'check-results') return write.results.flatMap((result) => (result.stepId === undefined ? [] : [result.stepId]));
  if (write.kind === 'publishes') return write.publishes.flatMap((publish) => (publish.stepId === undefined ? [] : [publish.stepId]));
  return 'stepId' in write ? [write.stepId] : [];
}

/** How a write leaves its step: done (downstream may go on), held (downstream is held back), retried, or still going. */
function outcomeOf(write: StoreWrite): { done: true } | { hold: Hold } | { retry: true } | undefined {
  if (write.kind === 'succeed-step') return { done: true };
  if (write.kind === 'update-step') {
    if (write.status === 'skipped') return { done: true };
    if (write.status === 'waiting' || write.status === 'cancelled') return { hold: write.status };
    return undefined;
  }
  if (write.kind === 'fail-step') {
    if (write.status === 'pending') return { retry: true };
    return { hold: write.status === 'blocked-by-check' ? 'blocked-by-check' : 'upstream-failed' };
  }
  return undefined;
}

/**
 * Commits workers' step changes (a group-commit batch) with their queue consequences, in one
 * transaction under the store's write lock:
 * - **Fencing.** Writes about a step whose lease the worker no longer holds (it ran out and another
 *   worker claimed the step) are dropped, and their results are `LOST`: that worker discards its work.
 * - A step that succeeded or was skipped leaves the queue and counts down its downstream steps' blockers.
 * - A step that failed for good, was blocked by a check, waits for a file or was cancelled leaves the
 *   queue, and so do its downstream steps, transitively: `upstream-failed`, `blocked-by-check`,
 *   `waiting` or `cancelled`, as `materialize()` marks them.
 * - A failed attempt with attempts left goes back to the queue, unleased, not before its backoff.
 * - A run whose last step ended becomes `succeeded`, `failed` or `cancelled`.
 */
export async function finishSteps(store: MetadataStore, writes: readonly StoreWrite[], { worker, retryAt }: FinishContext): Promise<FinishOutcome> {
  return queueTransaction(store, async ({ trx, apply }) => {
    const touched = [...new Set(writes.flatMap(stepIdsOf))];
    const leases = await sql<{ step_id: string; run_id: string; lease_owner: string | null }>`
      select step_id, run_id, lease_owner from step_queue where step_id = any(${touched}::uuid[]) for update`.execute(trx);
    const runOf = new Map(leases.rows.filter((row) => row.lease_owner === worker).map((row) => [row.step_id, row.run_id]));
    const kept = writes.filter((write) => stepIdsOf(write).every((id) => runOf.has(id)));
    const done: string[] = [];
    const held = new Map<string, Hold>();
    const retried: string[] = [];
    for (const write of kept) {
      const outcome = outcomeOf(write);
      if (outcome === undefined) continue;
      const stepId = (write as { stepId: string }).stepId;
      if ('done' in outcome) done.push(stepId);
      else if ('hold' in outcome) held.set(stepId, outcome.hold);
      else retried.push(stepId);
    }
    // Downstream of a held step is held the same way, transitively; a failure outranks the others.
    const heldBack: StoreWrite[] = [];
    for (const hold of ['upstream-failed', 'blocked-by-check', 'cancelled', 'waiting'] as const) {
      const roots = [...held].filter(([, how]) => how === hold).map(([id]) => id);
      if (roots.length === 0) continue;
      const downstream = await sql<{ step_id: string; run_id: string }>`
        with recursive down (step_id) as (
          select downstream from step_edges where upstream = any(${roots}::uuid[])
          union
          select e.downstream from step_edges e join down d on e.upstream = d.step_id
        )
        select q.step_id, q.run_id from down d join step_queue q on q.step_id = d.step_id`.execute(trx);
      for (const row of downstream.rows) {
        if (held.has(row.step_id)) continue;
        held.set(row.step_id, hold);
        runOf.set(row.step_id, row.run_id);
        heldBack.push({ kind: 'update-step', stepId: row.step_id, status: hold, message: HELD_BACK[hold] });
      }
    }
    let claimable = 0;
    if (done.length > 0) {
      const ready = await sql<{ step_id: string; blockers: number }>`
        update step_queue q set blockers = q.blockers - d.n
        from (select downstream, count(*)::integer as n from step_edges where upstream = any(${done}::uuid[]) group by downstream) d
        where q.step_id = d.downstream
        returning q.step_id, q.blockers`.execute(trx);
      claimable += ready.rows.filter((row) => row.blockers === 0).length;
    }
    if (retried.length > 0) {
      await sql`update step_queue q set lease_owner = null, lease_expires_at = null, ready_at = r.ready_at
        from unnest(${retried}::uuid[], ${retried.map((id) => new Date(retryAt.get(id) ?? store.now()).toISOString())}::timestamptz[]) as r(step_id, ready_at)
        where q.step_id = r.step_id`.execute(trx);
      claimable += retried.length;
    }
    const ended = [...done, ...held.keys()];
    const runEnds = ended.length === 0 ? [] : await countDownRuns(trx, ended, runOf, held);
    const results = await apply([
      ...kept,
      ...heldBack,
      ...runEnds.map((run) => ({ kind: 'update-run' as const, runId: run.runId, status: run.status })),
    ]);
    if (claimable > 0) await notifyWorkers(store, trx);
    const keptSet = new Set(kept);
    let next = 0;
    return {
      results: writes.map((write) => (keptSet.has(write) ? results[next++] : LOST)),
      claimable,
      runsEnded: runEnds.map((run) => run.runId),
    };
  });
}

/** Removes ended steps from the queue and counts down their runs; returns the runs that ended, with their status. */
async function countDownRuns(
  trx: Parameters<Parameters<typeof queueTransaction>[1]>[0]['trx'],
  ended: readonly string[],
  runOf: ReadonlyMap<string, string>,
  held: ReadonlyMap<string, Hold>,
): Promise<{ runId: string; status: RunStatus }[]> {
  await sql`delete from step_queue where step_id = any(${ended}::uuid[])`.execute(trx);
  await sql`delete from step_edges where upstream = any(${ended}::uuid[])`.execute(trx);
  const counts = new Map<string, { ended: number; problems: number; cancelled: number }>();
  for (const stepId of ended) {
    const runId = runOf.get(stepId)!;
    const count = counts.get(runId) ?? { ended: 0, problems: 0, cancelled: 0 };
    const hold = held.get(stepId);
    count.ended++;
    if (hold === 'upstream-failed' || hold === 'blocked-by-check') count.problems++;
    if (hold === 'cancelled') count.cancelled++;
    counts.set(runId, count);
  }
  const runs = [...counts];
  const left = await sql<{ run_id: string; remaining: number; problems: number; cancelled: number }>`
    update run_queue q set remaining = q.remaining - c.ended, problems = q.problems + c.problems, cancelled = q.cancelled + c.cancelled
    from unnest(${runs.map(([id]) => id)}::uuid[], ${runs.map(([, c]) => c.ended)}::integer[], ${runs.map(([, c]) => c.problems)}::integer[],
      ${runs.map(([, c]) => c.cancelled)}::integer[]) as c(run_id, ended, problems, cancelled)
    where q.run_id = c.run_id
    returning q.run_id, q.remaining, q.problems, q.cancelled`.execute(trx);
  const over = left.rows.filter((row) => row.remaining === 0);
  if (over.length > 0) await sql`delete from run_queue where run_id = any(${over.map((row) => row.run_id)}::uuid[])`.execute(trx);
  return over.map((row) => ({ runId: row.run_id, status: row.cancelled > 0 ? 'cancelled' : row.problems > 0 ? 'failed' : 'succeeded' }));
}
