import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The row type lives in framework/automation/daemon-tables.ts.
const statements = [
  sql`create table daemons (
    name text primary key,
    host text not null,
    pid integer not null,
    state text not null check (state in ('running', 'stopped')),
    started_at timestamptz(3) not null,
    heartbeat_at timestamptz(3) not null
  )`,
];

/** Automation daemons and their heartbeats, one row per daemon, for the heartbeat alert. */
export const daemons: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
