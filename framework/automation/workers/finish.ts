import { sql } from 'kysely';
import { HELD_BACK } from '../../executor/step-runner.ts';
import type { RunStatus } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import { foldWrites } from '../../store/fold-writes.ts';
import { prepareWrite } from '../../store/prepare-write.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { needsOf, readBatchArguments, snapshotOf, type SnapshotRow } from '../../store/read-snapshot.ts';
import { writeChanges } from '../../store/write-changes.ts';
import { CHANGE_CHANNEL, WORK_CHANNEL, type QueueChannel } from './queue-transaction.ts';

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

/** Held kinds as daybook_finish_queue ranks them (migration 0011): downstream of several, the first wins. */
const HOLDS: readonly Hold[] = ['upstream-failed', 'blocked-by-check', 'cancelled', 'waiting'];

interface QueueOutcome {
  /** The touched steps whose lease the worker still holds. */
  owned: string[];
  /** The runs to start that were still queued. */
  queued: string[];
  /** Steps held back downstream of held steps: step, run, rank. */
  held_back: [string, string, number][];
  claimable: number;
  runs_ended: [string, RunStatus][];
}

/**
 * Commits workers' step changes (a group-commit batch) with their queue consequences, in one
 * transaction under the store's write lock; the queue's side is one call (daybook_finish_queue,
 * migration 0011):
 * - **Fencing.** Writes about a step whose lease the worker no longer holds (it ran out and another
 *   worker claimed the step) are dropped, and their results are `LOST`: that worker discards its work.
 *   A run start is kept only while the run is queued (another worker may have started it).
 * - A step that succeeded or was skipped leaves the queue and counts down its downstream steps' blockers.
 * - A step that failed for good, was blocked by a check, waits for a file or was cancelled leaves the
 *   queue, and so do its downstream steps, transitively: `upstream-failed`, `blocked-by-check`,
 *   `waiting` or `cancelled`, as `materialize()` marks them.
 * - A failed attempt with attempts left goes back to the queue, unleased, not before its backoff.
 * - A run whose last step ended becomes `succeeded`, `failed` or `cancelled`.
 *
 * `writes` arrive prepared (`prepareWrite`), as a group commit's are.
 */
export async function finishSteps(store: MetadataStore, writes: readonly StoreWrite[], { worker, retryAt }: FinishContext): Promise<FinishOutcome> {
  return store.db.transaction().execute(async (trx) => {
    const done: string[] = [];
    const held: string[] = [];
    const ranks: number[] = [];
    const retried: string[] = [];
    for (const write of writes) {
      const outcome = outcomeOf(write);
      if (outcome === undefined) continue;
      const stepId = (write as { stepId: string }).stepId;
      if ('done' in outcome) done.push(stepId);
      else if ('retry' in outcome) retried.push(stepId);
      else {
        held.push(stepId);
        ranks.push(HOLDS.indexOf(outcome.hold) + 1);
      }
    }
    const starts = writes.flatMap((write) => (write.kind === 'update-run' && write.status === 'running' ? [write.runId] : []));
    const touched = [...new Set(writes.flatMap(stepIdsOf))];
    const retryTimes = retried.map((id) => new Date(retryAt.get(id) ?? store.now()).toISOString());
    // The queue's side and the batch's reads in one statement: every write's rows are read (a dropped
    // one's too, and a seq is allocated for it), with the rows of the steps held back and runs ended.
    const needs = needsOf(writes);
    const { rows } = await sql<{ outcome: QueueOutcome; batch: SnapshotRow }>`
      with queue as (
        select daybook_finish_queue(${worker}, ${touched}::uuid[], ${starts}::uuid[], ${done}::uuid[], ${held}::uuid[], ${ranks}::integer[],
          ${retried}::uuid[], ${retryTimes}::timestamptz[]) as outcome
      )
      select outcome, daybook_read_batch(${readBatchArguments(needs, {
        stepIds: sql`array(select (h->>0)::uuid from json_array_elements(outcome->'held_back') as h)`,
        runIds: sql`array(select (r->>0)::uuid from json_array_elements(outcome->'runs_ended') as r)`,
      })}) as batch from queue`.execute(trx);
    const { outcome: queue, batch } = rows[0]!;
    const owned = new Set(queue.owned);
    const queued = new Set(queue.queued);
    const kept = writes.filter((write) => {
      if (write.kind !== 'update-run' || write.status !== 'running') return stepIdsOf(write).every((id) => owned.has(id));
      return queued.delete(write.runId);
    });
    // The callers' writes arrive prepared; only the consequences found here still need it.
    const context = { now: store.now(), actor: store.actor };
    const consequences = [
      ...queue.held_back.map(([stepId, , rank]): StoreWrite => {
        const status = HOLDS[rank - 1]!;
        return { kind: 'update-step', stepId, status, message: HELD_BACK[status] };
      }),
      ...queue.runs_ended.map(([runId, status]): StoreWrite => ({ kind: 'update-run', runId, status })),
    ];
    const changes = foldWrites([...kept, ...consequences.map((write) => prepareWrite(write, context))], snapshotOf(batch, needs));
    const channels: QueueChannel[] = [];
    if (queue.claimable > 0) channels.push(WORK_CHANNEL);
    if (queue.runs_ended.length > 0 || kept.some((write) => write.kind === 'succeed-step')) channels.push(CHANGE_CHANNEL);
    await writeChanges(trx, changes, store.dialect === 'postgres' ? channels : []);
    const results = changes.results;
    const keptSet = new Set(kept);
    let next = 0;
    return {
      // A run start another worker made is no loss: its result is null.
      results: writes.map((write) => (keptSet.has(write) ? results[next++] : write.kind === 'update-run' ? null : LOST)),
      claimable: queue.claimable,
      runsEnded: queue.runs_ended.map(([runId]) => runId),
    };
  });
}
