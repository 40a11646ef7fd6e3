import { sql } from 'kysely';
import { FINAL_STEP } from '../../store/fold-state.ts';
import type { RunStatus, StepRecord, StepStatus } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { queueTransaction } from './queue-transaction.ts';

/** A step a worker holds the lease of. */
export interface ClaimedStep {
  readonly stepId: string;
  readonly runId: string;
  /** The run's selection, for step listeners. */
  readonly selection: string;
  readonly asset: string;
  readonly partition: string;
  readonly reason: string | null;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** The log tail of its earlier attempts. */
  readonly logTail: string | null;
}

export interface ClaimOptions {
  /** The worker's id: the lease owner. */
  worker: string;
  /** Most steps to claim. */
  limit: number;
  leaseMs: number;
  /** Whether to release leases that ran out first; a worker does it every so often, not on every claim. */
  expire?: boolean;
}

interface ClaimedRow {
  step_id: string;
  run_id: string;
  asset: string;
  partition_key: string;
  reason: string | null;
  status: StepStatus;
  selection: string;
  run_status: RunStatus;
}

/**
 * Claims up to `limit` ready steps for a worker, in one transaction under the store's write lock:
 * 1. Leases that ran out (their worker stopped) are released, each with a `step.lease-expired` event.
 * 2. One statement picks ready steps (no unfinished upstream, past their retry backoff, unleased)
 *    with `FOR UPDATE SKIP LOCKED`: per fair-share group the earliest due (priority with aging),
 *    interleaved across groups (each group's first, then each group's second, …), leaving out steps
 *    beyond their pool's free slots across all workers, and leases them.
 * 3. Each claimed step becomes `running` with the worker's name (audited, attempt counted), and a
 *    queued run becomes `running` with its first claimed step.
 */
export async function claimSteps(store: MetadataStore, { worker, limit, leaseMs, expire = true }: ClaimOptions): Promise<ClaimedStep[]> {
  return queueTransaction(store, async ({ trx, apply }) => {
    const now = new Date(store.now());
    const expires = new Date(now.getTime() + leaseMs);
    const expired = !expire
      ? []
      : (
          await sql<{ step_id: string; run_id: string; lease_owner: string }>`
      with old as (
        select step_id, run_id, lease_owner from step_queue where lease_owner is not null and lease_expires_at < ${now}::timestamptz for update
      )
      update step_queue q set lease_owner = null, lease_expires_at = null, expiries = q.expiries + 1
      from old where q.step_id = old.step_id
      returning old.step_id, old.run_id, old.lease_owner`.execute(trx)
        ).rows;
    const claimed = await sql<ClaimedRow>`
      with recursive groups (name) as (
        (select queue_group from step_queue where blockers = 0 and lease_owner is null order by queue_group limit 1)
        union all
        select (select queue_group from step_queue where blockers = 0 and lease_owner is null and queue_group > g.name order by queue_group limit 1)
        from groups g where g.name is not null
      ),
      slots as (
        select p.name, p.slot_limit - count(l.step_id) as free
        from pools p left join step_queue l on l.pool = p.name and l.lease_owner is not null
        group by p.name, p.slot_limit
      ),
      candidates as (
        select c.* from groups g cross join lateral (
          select q.step_id, q.pool, q.queue_group, q.due_at from step_queue q
          where q.queue_group = g.name and q.blockers = 0 and q.lease_owner is null and q.ready_at <= ${now}::timestamptz
            and (q.pool is null or q.pool not in (select name from slots where free <= 0))
          order by q.due_at
          limit ${limit}
          for update skip locked
        ) c
        where g.name is not null
      ),
      ranked as (
        select c.*, row_number() over (partition by c.queue_group order by c.due_at) as group_rank from candidates c
      ),
      pooled as (
        select r.*, row_number() over (partition by r.pool order by r.group_rank, r.due_at) as pool_rank from ranked r
      ),
      chosen as (
        select p.step_id from pooled p left join slots s on s.name = p.pool
        where s.name is null or p.pool_rank <= s.free
        order by p.group_rank, p.due_at
        limit ${limit}
      )
      update step_queue q set lease_owner = ${worker}, lease_expires_at = ${expires}::timestamptz
      from chosen
        cross join lateral (select asset, partition_key, reason, status, run_id from steps where steps.id = chosen.step_id) s
        cross join lateral (select selection, status from runs where runs.id = s.run_id) r
      where q.step_id = chosen.step_id
      returning q.step_id, q.run_id, s.asset, s.partition_key, s.reason, s.status, r.selection, r.status as run_status`.execute(trx);
    // A step that ended meanwhile (its run was closed as abandoned) leaves the queue instead.
    const gone = claimed.rows.filter((row) => FINAL_STEP.has(row.status));
    if (gone.length > 0) await sql`delete from step_queue where step_id = any(${gone.map((row) => row.step_id)}::uuid[])`.execute(trx);
    const live = claimed.rows.filter((row) => !FINAL_STEP.has(row.status));
    const starting = [...new Set(live.filter((row) => row.run_status === 'queued').map((row) => row.run_id))];
    const writes: StoreWrite[] = [
      ...(expired.length === 0
        ? []
        : [{ kind: 'audit' as const, events: expired.map((row) => ({ action: 'step.lease-expired', runId: row.run_id, payload: { step: row.step_id, worker: row.lease_owner } })) }]),
      ...starting.map((runId) => ({ kind: 'update-run' as const, runId, status: 'running' as const })),
      ...live.map((row) => ({ kind: 'update-step' as const, stepId: row.step_id, status: 'running' as const, worker })),
    ];
    const results = await apply(writes);
    const records = results.slice(writes.length - live.length) as StepRecord[];
    return live.map((row, index) => ({
      stepId: row.step_id,
      runId: row.run_id,
      selection: row.selection,
      asset: row.asset,
      partition: row.partition_key,
      reason: row.reason,
      attempt: records[index]!.attempts,
      logTail: records[index]!.logTail,
    }));
  });
}
