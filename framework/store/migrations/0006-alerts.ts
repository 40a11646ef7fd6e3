import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The row types live in framework/automation/alert-tables.ts.
const statements = [
  sql`create table alerts (
    id uuid primary key,
    dedup_key text not null,
    kind text not null check (kind in ('step-failed', 'check-failed', 'sla-at-risk', 'sla-missed', 'queue-depth', 'daemon-heartbeat')),
    severity text not null check (severity in ('info', 'warning', 'critical')),
    state text not null check (state in ('firing', 'resolved')),
    asset text,
    partition_key text,
    summary text not null,
    details jsonb not null,
    first_seen timestamptz(3) not null,
    last_seen timestamptz(3) not null,
    resolved_at timestamptz(3),
    notify_count integer not null default 0 check (notify_count >= 0),
    check ((state = 'resolved') = (resolved_at is not null))
  )`,
  // One open alert per condition: firing again updates it; once resolved, the same key may open a new one.
  sql`create unique index alerts_open_key on alerts (dedup_key) where state = 'firing'`,
  sql`create index alerts_state_seen on alerts (state, last_seen desc)`,
  sql`create table alert_events (
    id bigint generated always as identity primary key,
    alert_id uuid not null references alerts (id),
    at timestamptz(3) not null,
    event text not null check (event in ('fired', 'repeated', 'escalated', 'resolved', 'notified', 'notify-failed')),
    channel text,
    error text,
    details jsonb not null
  )`,
  sql`create index alert_events_alert on alert_events (alert_id, id)`,
  // SLA prediction reads recent successful durations per asset, the running steps and those awaiting a retry.
  sql`create index steps_succeeded_recent on steps (asset, finished_at desc) where status = 'succeeded'`,
  sql`create index steps_running on steps (asset) where status = 'running'`,
  sql`create index steps_retrying on steps (asset) where status = 'pending' and attempts > 0`,
  // The failure rules read the partitions failed now, and the blocking checks that stopped a step.
  sql`create index asset_partitions_failed on asset_partitions (failed_step_id) where failed`,
  sql`create index check_results_blocking_failures on check_results (step_id) where not passed and blocking`,
];

/** Alerts with their dedup key and state, their history (fired, repeated, resolved, each notification), and the indexes the SLA and failure rules read. */
export const alerts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
