import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The row types live in framework/automation/schedules/schedule-tables.ts.
const statements = [
  sql`create table schedule_ticks (
    key text primary key,
    schedule_name text not null,
    tick_at timestamptz(3) not null,
    state text not null check (state in ('requested', 'launched', 'skipped', 'failed')),
    run_id uuid,
    partition_request jsonb not null,
    message text,
    created_at timestamptz(3) not null,
    updated_at timestamptz(3) not null
  )`,
  sql`create index schedule_ticks_schedule on schedule_ticks (schedule_name, tick_at desc)`,
  // Claims that were never launched (a daemon died in between) are looked for on every pass.
  sql`create index schedule_ticks_requested on schedule_ticks (updated_at) where state = 'requested'`,
  // How far each schedule has been evaluated: ticks after it are due, ticks before it were decided.
  sql`create table schedule_cursors (
    schedule_name text primary key,
    evaluated_through timestamptz(3) not null,
    updated_at timestamptz(3) not null
  )`,
];

/** Schedule ticks, one row per idempotency key (requested, launched, skipped or failed), and each schedule's cursor. */
export const scheduleTicks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
