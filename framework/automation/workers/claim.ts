import { sql } from 'kysely';
import { FINAL_STEP } from '../../store/fold-state.ts';
import type { RunStatus, StepStatus } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import { prepareWrite } from '../../store/prepare-write.ts';
import type { StoreWrite } from '../../store/writes.ts';
import { finishSteps } from './finish.ts';
import { notifyWorkers, queueTransaction } from './queue-transaction.ts';

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
  /** Its run had not started when claimed: the step's first change starts it too. */
  readonly runQueued: boolean;
}

export interface ClaimOptions {
  /** The worker's id: the lease owner. */
  worker: string;
  /** Most steps to claim. */
  limit: number;
  leaseMs: number;
}

interface ClaimedRow {
  step_id: string;
  run_id: string;
  asset: string;
  partition_key: string;
  reason: string | null;
  status: StepStatus;
  attempts: number;
  log_tail: string | null;
  selection: string;
  run_status: RunStatus;
}

/**
 * Claims up to `limit` ready steps for a worker, in one statement: ready steps (no unfinished
 * upstream, past their retry backoff, unleased) with `FOR UPDATE SKIP LOCKED`, per fair-share group
 * the earliest due (priority with aging), interleaved across groups (each group's first, then each
 * group's second, …), leaving out steps beyond their pool's free slots across all workers, are
 * leased to the worker.
 *
 * A claim writes no audited change: the worker's first change of each step (its success, or
 * "running" when it runs a while) records the attempt, as `materialize()` does, in a commit that checks
 * the lease (finish.ts). So a claim never waits for the store's write lock; claims take a lock of
 * their own (a transaction-level advisory lock), which keeps pool slots exact across workers.
 */
export async function claimSteps(store: MetadataStore, { worker, limit, leaseMs }: ClaimOptions): Promise<ClaimedStep[]> {
  return store.db.transaction().execute(async (trx) => {
    const now = new Date(store.now());
    const expires = new Date(now.getTime() + leaseMs);
    // JIT compiling a claim's plan costs far more than running it (its estimates are high while the queue has no statistics).
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.daybook_claims')), set_config('jit', 'off', true)`.execute(trx);
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
        cross join lateral (select asset, partition_key, reason, status, attempts, log_tail, run_id from steps where steps.id = chosen.step_id) s
        cross join lateral (select selection, status from runs where runs.id = s.run_id) r
      where q.step_id = chosen.step_id
      returning q.step_id, q.run_id, s.asset, s.partition_key, s.reason, s.status, s.attempts, s.log_tail, r.selection, r.status as run_status`.execute(trx);
    // A step that ended meanwhile (its run was closed as abandoned) leaves the queue instead.
    const gone = claimed.rows.filter((row) => FINAL_STEP.has(row.status));
    if (gone.length > 0) await sql`delete from step_queue where step_id = any(${gone.map((row) => row.step_id)}::uuid[])`.execute(trx);
    return claimed.rows
      .filter((row) => !FINAL_STEP.has(row.status))
      .map((row) => ({
        stepId: row.step_id,
        runId: row.run_id,
        selection: row.selection,
        asset: row.asset,
        partition: row.partition_key,
        reason: row.reason,
        attempt: row.attempts + 1,
        logTail: row.log_tail,
        runQueued: row.run_status === 'queued',
      }));
  });
}

/** The lease owner of steps whose leases ran out too often, while their failure is committed. */
const EXPIRY_OWNER = 'daybook:lease-expiries';

/**
 * Releases the leases that ran out (their worker stopped or lost the database), each with a
 * `step.lease-expired` event, so that other workers claim the steps again. It takes the store's write
 * lock first, as every audited queue change does, and skips leases a commit is settling right now.
 * A step whose leases ran out `maxExpiries` times (it kills every worker that runs it) is not
 * handed out again: it fails for good, and its downstream steps are held back as after any failure.
 */
export async function expireLeases(store: MetadataStore, { maxExpiries, leaseMs }: { maxExpiries: number; leaseMs: number }): Promise<number> {
  const expired = await queueTransaction(store, async ({ trx, apply }) => {
    const now = new Date(store.now());
    const rows = await sql<{ step_id: string; run_id: string; lease_owner: string; expiries: number }>`
      with old as (
        select step_id, run_id, lease_owner from step_queue where lease_owner is not null and lease_expires_at < ${now}::timestamptz for update skip locked
      )
      update step_queue q set expiries = q.expiries + 1,
        lease_owner = case when q.expiries + 1 >= ${maxExpiries} then ${EXPIRY_OWNER} end,
        lease_expires_at = case when q.expiries + 1 >= ${maxExpiries} then ${new Date(now.getTime() + leaseMs)}::timestamptz end
      from old where q.step_id = old.step_id
      returning old.step_id, old.run_id, old.lease_owner, q.expiries`.execute(trx);
    if (rows.rows.length === 0) return [];
    await apply([
      {
        kind: 'audit',
        events: rows.rows.map((row) => ({
          action: 'step.lease-expired',
          runId: row.run_id,
          payload: { step: row.step_id, worker: row.lease_owner, expiries: row.expiries, ...(row.expiries >= maxExpiries ? { failing: true } : {}) },
        })),
      },
    ]);
    await notifyWorkers(store, trx);
    return rows.rows;
  });
  const failing = expired.filter((row) => row.expiries >= maxExpiries);
  if (failing.length > 0) {
    const writes = failing.map((row): StoreWrite => ({
      kind: 'fail-step',
      stepId: row.step_id,
      status: 'failed',
      error: { message: `its lease ran out ${row.expiries} times (the last held by worker ${row.lease_owner}): a step that stops every worker running it is not retried again` },
    }));
    await finishSteps(store, writes.map((write) => prepareWrite(write, { now: store.now(), actor: store.actor })), { worker: EXPIRY_OWNER, retryAt: new Map() });
  }
  return expired.length;
}
