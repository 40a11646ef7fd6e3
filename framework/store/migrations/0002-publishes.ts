import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is.
const statements = [
  sql`create table publishes (
    id bigint generated always as identity primary key,
    asset text not null,
    partition_key text not null,
    target text not null,
    uri text not null,
    data_version text not null,
    run_id uuid references runs (id),
    step_id uuid references steps (id),
    published boolean not null,
    at timestamptz(3) not null
  )`,
  sql`create index publishes_partition on publishes (asset, partition_key, id)`,
];

/** Every publish of an asset partition to a target; `published` is false when the target already held that version. */
export const publishes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
