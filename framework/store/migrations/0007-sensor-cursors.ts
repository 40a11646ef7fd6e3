import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The row types live in framework/automation/sensors/sensor-tables.ts.
const statements = [
  // One row per sensor: a generation that every advance bumps (a second process running the same
  // sensor notices it and reloads instead of overwriting), and a small summary of what it has seen.
  sql`create table sensor_cursors (
    sensor text primary key,
    generation bigint not null check (generation >= 0),
    cursor jsonb not null,
    updated_at timestamptz(3) not null
  )`,
  // What the cursor has seen, one row per file or object: the cheap fingerprint (size, mtime, ETag)
  // that decides whether to look again, and the content's data version that decides "changed".
  // Rows rather than one jsonb document: a landing directory of 100,000 files then costs a few rows
  // per change, not a rewrite of the whole cursor.
  sql`create table sensor_files (
    sensor text not null references sensor_cursors (sensor),
    path text not null,
    asset text not null,
    partition_key text not null,
    size bigint not null check (size >= 0),
    mtime_ms double precision not null,
    etag text,
    data_version text not null,
    primary key (sensor, path)
  )`,
  // Each detection, and the run requested for it once the caller has launched one.
  sql`create table sensor_events (
    id uuid primary key,
    sensor text not null references sensor_cursors (sensor),
    path text not null,
    asset text not null,
    partition_key text not null,
    change text not null check (change in ('new', 'changed')),
    data_version text not null,
    detected_at timestamptz(3) not null,
    requested_at timestamptz(3),
    run_id text
  )`,
  sql`create index sensor_events_pending on sensor_events (sensor, id) where requested_at is null`,
  sql`create index sensor_events_detected on sensor_events (sensor, detected_at desc)`,
];

/** Sensors' cursors, the files they have seen, and their detections (framework/automation/sensors). */
export const sensorCursors: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
