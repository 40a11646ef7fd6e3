import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely/migration';

// A migration is frozen once released: its status lists are spelled out here rather than imported
// from schema.ts, so that later changes to the code arrive as new migrations.
const statements: readonly RawBuilder<unknown>[] = [
  // One sequence for materializations and observations, so the planner compares them directly.
  sql`create sequence daybook_seq as bigint`,

  sql`create table backfills (
    id uuid primary key,
    selection text not null,
    partition_request jsonb not null,
    status text not null check (status in ('requested', 'running', 'completed', 'failed', 'cancelled')),
    triggered_by text not null,
    created_at timestamptz(3) not null,
    updated_at timestamptz(3) not null,
    finished_at timestamptz(3),
    message text
  )`,

  sql`create table runs (
    id uuid primary key,
    status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    selection text not null,
    partition_request jsonb not null,
    trigger text not null,
    triggered_by text not null,
    backfill_id uuid references backfills (id),
    created_at timestamptz(3) not null,
    started_at timestamptz(3),
    finished_at timestamptz(3),
    message text
  )`,
  sql`create index runs_backfill on runs (backfill_id) where backfill_id is not null`,
  sql`create index runs_created on runs (created_at desc)`,

  sql`create table steps (
    id uuid primary key,
    run_id uuid not null references runs (id),
    asset text not null,
    partition_key text not null,
    status text not null check (status in
      ('pending', 'running', 'succeeded', 'failed', 'skipped', 'upstream-failed', 'waiting', 'blocked-by-check', 'cancelled')),
    reason text,
    attempts integer not null default 0 check (attempts >= 0),
    worker text,
    created_at timestamptz(3) not null,
    started_at timestamptz(3),
    finished_at timestamptz(3),
    error_message text,
    error_stack text,
    log_tail text,
    materialization_seq bigint,
    unique (run_id, asset, partition_key)
  )`,
  sql`create index steps_partition on steps (asset, partition_key)`,

  sql`create table materializations (
    seq bigint primary key default nextval('daybook_seq'),
    asset text not null,
    partition_key text not null,
    data_version text not null,
    version_seq bigint not null,
    code_version text,
    consumed jsonb not null,
    row_count bigint check (row_count >= 0),
    bytes bigint check (bytes >= 0),
    location text,
    metadata jsonb not null,
    run_id uuid references runs (id),
    step_id uuid references steps (id),
    created_at timestamptz(3) not null
  )`,
  sql`create index materializations_partition on materializations (asset, partition_key, seq)`,

  sql`create table source_observations (
    seq bigint primary key default nextval('daybook_seq'),
    asset text not null,
    partition_key text not null,
    data_version text not null,
    bytes bigint check (bytes >= 0),
    etag text,
    mtime timestamptz(3),
    location text,
    run_id uuid references runs (id),
    observed_at timestamptz(3) not null
  )`,
  sql`create index source_observations_partition on source_observations (asset, partition_key, seq)`,

  // The primary key is what makes "one current copy per partition" hold: a rerun replaces the row.
  sql`create table asset_partitions (
    asset text not null,
    partition_key text not null,
    current_seq bigint not null,
    version_seq bigint not null,
    data_version text,
    code_version text,
    failed boolean not null,
    failure text,
    failed_step_id uuid,
    updated_at timestamptz(3) not null,
    primary key (asset, partition_key)
  )`,

  sql`create table dynamic_partition_keys (
    position bigint generated always as identity primary key,
    definition text not null,
    key text not null,
    added_at timestamptz(3) not null,
    unique (definition, key)
  )`,

  sql`create table check_results (
    id bigint generated always as identity primary key,
    run_id uuid references runs (id),
    step_id uuid references steps (id),
    asset text not null,
    partition_key text not null,
    check_name text not null,
    passed boolean not null,
    severity text not null,
    blocking boolean not null,
    message text not null,
    metrics jsonb not null,
    sample jsonb not null,
    created_at timestamptz(3) not null
  )`,
  sql`create index check_results_partition on check_results (asset, partition_key, id)`,

  // No foreign keys: the audit log outlives the rows it describes (runs are pruned, events are kept).
  sql`create table audit_events (
    seq bigint primary key check (seq > 0),
    at timestamptz(3) not null,
    actor text not null,
    action text not null,
    asset text,
    partition_key text,
    run_id uuid,
    payload json not null,
    prev_hash char(64) not null,
    hash char(64) not null
  )`,
  sql`create index audit_events_partition on audit_events (asset, partition_key, seq) where asset is not null`,
  sql`create index audit_events_run on audit_events (run_id, seq) where run_id is not null`,

  sql`create table audit_head (
    id integer primary key check (id = 1),
    seq bigint not null,
    hash char(64) not null
  )`,
  sql`insert into audit_head (id, seq, hash) values (1, 0, repeat('0', 64))`,

  sql`create function daybook_audit_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
  $$`,
  sql`create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function daybook_audit_append_only()`,
  sql`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function daybook_audit_append_only()`,

  // A write batch is two calls: read what it refers to (under the write lock), then write what the
  // store computed. As functions, their statements are planned once per connection instead of on
  // every batch, which is most of a small batch's cost on PGlite. A cached plan must stay right as
  // tables grow from empty (PGlite never re-analyzes), so every lookup is by key: LATERAL probes
  // of a unique index, and upserts (their arbiter index) instead of joined updates; seq scans are off.
  sql`create function daybook_read_batch(
      seqs bigint, step_ids uuid[], finishing uuid[], run_ids uuid[], backfill_ids uuid[],
      partition_assets text[], partition_keys text[], dynamic_definitions text[], dynamic_keys text[]
    ) returns json language plpgsql
    set plan_cache_mode = force_generic_plan set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off
    as $$
    declare
      head record;
      last_seq bigint;
    begin
      -- The write lock. The statement below takes a new snapshot, so it sees every transaction that
      -- committed before the lock was granted.
      select seq, hash into head from audit_head where id = 1 for update;
      if seqs > 0 then
        last_seq := setval('daybook_seq', nextval('daybook_seq') + seqs - 1);
      end if;
      return json_build_object(
        'head_seq', head.seq,
        'head_hash', head.hash,
        'last_seq', last_seq,
        'steps', (select coalesce(json_agg(s), '[]') from unnest(step_ids) as k(id)
          cross join lateral (select * from steps where steps.id = k.id) as s),
        'runs', (select coalesce(json_agg(r), '[]') from unnest(run_ids) as k(id)
          cross join lateral (select * from runs where runs.id = k.id) as r),
        'backfills', (select coalesce(json_agg(b), '[]') from unnest(backfill_ids) as k(id)
          cross join lateral (select * from backfills where backfills.id = k.id) as b),
        'backfill_runs', (select coalesce(json_agg(json_build_array(r.backfill_id, r.id) order by r.created_at, r.id), '[]')
          from unnest(backfill_ids) as k(id) cross join lateral (select * from runs where runs.backfill_id = k.id) as r),
        'partitions', (select coalesce(json_agg(p), '[]') from (
            select s.asset, s.partition_key from unnest(finishing) as f(id)
              cross join lateral (select asset, partition_key from steps where steps.id = f.id) as s
            union
            select * from unnest(partition_assets, partition_keys)
          ) as k(asset, partition_key)
          cross join lateral (select * from asset_partitions
            where asset_partitions.asset = k.asset and asset_partitions.partition_key = k.partition_key) as p),
        'dynamic', (select coalesce(json_agg(json_build_array(d.definition, d.key)), '[]')
          from unnest(dynamic_definitions, dynamic_keys) as k(definition, key)
          cross join lateral (select definition, key from dynamic_partition_keys
            where dynamic_partition_keys.definition = k.definition and dynamic_partition_keys.key = k.key) as d)
      );
    end
  $$`,
  sql`create function daybook_write_batch(changes jsonb, audit json) returns void language plpgsql
    set plan_cache_mode = force_generic_plan set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off
    as $$
    begin
      -- Rows the batch creates are plain inserts, so an id that is already taken fails the batch;
      -- rows it changes were read under the lock and are replaced through their primary key.
      insert into backfills select * from jsonb_populate_recordset(null::backfills, changes->'backfills_new');
      insert into runs select * from jsonb_populate_recordset(null::runs, changes->'runs_new');
      insert into steps select * from jsonb_populate_recordset(null::steps, changes->'steps_new');
      insert into backfills select * from jsonb_populate_recordset(null::backfills, changes->'backfills_changed')
        on conflict (id) do update set status = excluded.status, updated_at = excluded.updated_at,
          finished_at = excluded.finished_at, message = excluded.message;
      insert into runs select * from jsonb_populate_recordset(null::runs, changes->'runs_changed')
        on conflict (id) do update set status = excluded.status, started_at = excluded.started_at,
          finished_at = excluded.finished_at, message = excluded.message;
      insert into steps select * from jsonb_populate_recordset(null::steps, changes->'steps_changed')
        on conflict (id) do update set status = excluded.status, attempts = excluded.attempts, worker = excluded.worker,
          started_at = excluded.started_at, finished_at = excluded.finished_at, error_message = excluded.error_message,
          error_stack = excluded.error_stack, log_tail = excluded.log_tail, materialization_seq = excluded.materialization_seq;
      insert into materializations select * from jsonb_populate_recordset(null::materializations, changes->'materializations');
      insert into source_observations select * from jsonb_populate_recordset(null::source_observations, changes->'observations');
      insert into asset_partitions select * from jsonb_populate_recordset(null::asset_partitions, changes->'partitions')
        on conflict (asset, partition_key) do update set
          current_seq = excluded.current_seq, version_seq = excluded.version_seq, data_version = excluded.data_version,
          code_version = excluded.code_version, failed = excluded.failed, failure = excluded.failure,
          failed_step_id = excluded.failed_step_id, updated_at = excluded.updated_at;
      insert into dynamic_partition_keys (definition, key, added_at)
        select definition, key, added_at from jsonb_populate_recordset(null::dynamic_partition_keys, changes->'dynamic_keys');
      insert into check_results (run_id, step_id, asset, partition_key, check_name, passed, severity, blocking, message, metrics, sample, created_at)
        select run_id, step_id, asset, partition_key, check_name, passed, severity, blocking, message, metrics, sample, created_at
        from jsonb_populate_recordset(null::check_results, changes->'check_results');
      insert into audit_events select * from json_populate_recordset(null::audit_events, audit);
      if changes->'head' is not null then
        update audit_head set seq = (changes->'head'->>'seq')::bigint, hash = changes->'head'->>'hash' where id = 1;
      end if;
    end
  $$`,
];

/** The first schema: runs, steps, materializations, partition state, observations, dynamic keys, backfills, check results and the audit chain. */
export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
