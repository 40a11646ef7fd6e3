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
  // every batch, which halves a batch's cost on PGlite.
  sql`create function daybook_read_batch(
      seqs bigint, step_ids uuid[], finishing uuid[], run_ids uuid[], backfill_ids uuid[],
      partition_assets text[], partition_keys text[], dynamic_definitions text[], dynamic_keys text[]
    ) returns json language plpgsql set plan_cache_mode = force_generic_plan as $$
    declare
      head record;
      last_seq bigint;
    begin
      -- The write lock. The statements below each take a new snapshot, so they see every transaction
      -- that committed before the lock was granted.
      select seq, hash into head from audit_head where id = 1 for update;
      if seqs > 0 then
        last_seq := setval('daybook_seq', nextval('daybook_seq') + seqs - 1);
      end if;
      return json_build_object(
        'head_seq', head.seq,
        'head_hash', head.hash,
        'last_seq', last_seq,
        'steps', (select coalesce(json_agg(s), '[]') from steps s where s.id = any(step_ids)),
        'runs', (select coalesce(json_agg(r), '[]') from runs r where r.id = any(run_ids)),
        'backfills', (select coalesce(json_agg(b), '[]') from backfills b where b.id = any(backfill_ids)),
        'backfill_runs', (select coalesce(json_agg(json_build_array(r.backfill_id, r.id) order by r.created_at, r.id), '[]')
          from runs r where r.backfill_id = any(backfill_ids)),
        'partitions', (select coalesce(json_agg(p), '[]') from asset_partitions p
          where (p.asset, p.partition_key) in (
            select s.asset, s.partition_key from steps s where s.id = any(finishing)
            union all
            select * from unnest(partition_assets, partition_keys))),
        'dynamic', (select coalesce(json_agg(json_build_array(d.definition, d.key)), '[]') from dynamic_partition_keys d
          join unnest(dynamic_definitions, dynamic_keys) as k(definition, key) on d.definition = k.definition and d.key = k.key)
      );
    end
  $$`,
  sql`create function daybook_write_batch(changes jsonb, audit json) returns void language plpgsql set plan_cache_mode = force_generic_plan as $$
    begin
      insert into backfills select * from jsonb_populate_recordset(null::backfills, changes->'backfills_new');
      insert into runs select * from jsonb_populate_recordset(null::runs, changes->'runs_new');
      update backfills t set status = v.status, updated_at = v.updated_at, finished_at = v.finished_at, message = v.message
        from jsonb_populate_recordset(null::backfills, changes->'backfills_changed') v where t.id = v.id;
      update runs t set status = v.status, started_at = v.started_at, finished_at = v.finished_at, message = v.message
        from jsonb_populate_recordset(null::runs, changes->'runs_changed') v where t.id = v.id;
      insert into steps select * from jsonb_populate_recordset(null::steps, changes->'steps_new');
      update steps t set status = v.status, attempts = v.attempts, worker = v.worker, started_at = v.started_at,
          finished_at = v.finished_at, error_message = v.error_message, error_stack = v.error_stack,
          log_tail = v.log_tail, materialization_seq = v.materialization_seq
        from jsonb_populate_recordset(null::steps, changes->'steps_changed') v where t.id = v.id;
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
