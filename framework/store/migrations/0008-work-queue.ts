import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The queue's rows are written by framework/automation/workers
// (queue-tables.ts declares their types); the steps' audited state stays in `steps`.
const statements = [
  // One row per unfinished step of a queued run, deleted when the step ends. No foreign keys: a
  // claim must not wait on the steps table's locks, and audit prunes remove finished runs' steps.
  sql`create table step_queue (
    step_id uuid primary key,
    run_id uuid not null,
    pool text,
    queue_group text not null,
    priority integer not null check (priority between 0 and 1000),
    enqueued_at timestamptz(3) not null,
    due_at timestamptz(3) not null,
    ready_at timestamptz(3) not null,
    blockers integer not null check (blockers >= 0),
    expiries integer not null default 0,
    lease_owner text,
    lease_expires_at timestamptz(3)
  )`,
  // What a claim reads: ready, unleased steps of a group in order of due time (priority and aging).
  sql`create index step_queue_ready on step_queue (queue_group, due_at) where blockers = 0 and lease_owner is null`,
  sql`create index step_queue_leases on step_queue (lease_expires_at) where lease_owner is not null`,
  sql`create index step_queue_owner on step_queue (lease_owner) where lease_owner is not null`,
  sql`create index step_queue_run on step_queue (run_id)`,

  // Upstream step → downstream step, for the steps still queued; a step's blockers count its upstreams.
  sql`create table step_edges (
    upstream uuid not null,
    downstream uuid not null,
    primary key (upstream, downstream)
  )`,

  // The unfinished steps of each queued run, and how many of them ended badly, to end the run with its last step.
  sql`create table run_queue (
    run_id uuid primary key,
    remaining integer not null check (remaining >= 0),
    problems integer not null default 0,
    cancelled integer not null default 0
  )`,

  sql`create table workers (
    id text primary key,
    host text not null,
    pid integer not null,
    concurrency integer not null,
    state text not null check (state in ('running', 'draining', 'stopped')),
    started_at timestamptz(3) not null,
    heartbeat_at timestamptz(3) not null,
    stopped_at timestamptz(3)
  )`,

  // Slots of a pool across every worker; a pool without a row has no limit.
  sql`create table pools (
    name text primary key,
    slot_limit integer not null check (slot_limit >= 0),
    updated_at timestamptz(3) not null
  )`,
];

/** The work queue of `daybook worker`: queued steps with leases, their edges, queued runs, workers and pools. */
export const workQueue: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
