import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is.
const statements = [
  // One row per verified export of the audit chain (framework/audit/export.ts). Rows are never
  // changed: an archive is a fact, and the anchor that verification starts from after a prune.
  sql`create table audit_archives (
    number integer primary key check (number > 0),
    name text not null unique,
    first_seq bigint not null check (first_seq > 0),
    last_seq bigint not null unique check (last_seq >= first_seq),
    first_prev_hash char(64) not null,
    last_hash char(64) not null,
    min_at timestamptz(3) not null,
    max_at timestamptz(3) not null,
    range_from date not null,
    range_to date not null,
    location text not null,
    manifest_sha256 char(64) not null,
    events bigint not null check (events > 0),
    runs bigint not null check (runs >= 0),
    exported_at timestamptz(3) not null,
    exported_by text not null
  )`,
  sql`create function daybook_audit_archives_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_archives is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
  $$`,
  sql`create trigger audit_archives_append_only before update or delete on audit_archives
    for each row execute function daybook_audit_archives_append_only()`,
  sql`create trigger audit_archives_no_truncate before truncate on audit_archives
    for each statement execute function daybook_audit_archives_append_only()`,

  // The audit log stays append-only, with one exception: a prune may delete the events an export
  // has archived. The prune says how far it goes in a transaction-local setting, and a statement
  // trigger refuses a setting beyond the last registered archive, so nothing unarchived can go.
  sql`create or replace function daybook_audit_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.seq <= coalesce(nullif(current_setting('daybook.prune_through', true), '')::bigint, 0) then
          return old;
        end if;
      end if;
      raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
  $$`,
  sql`create function daybook_audit_prune_guard() returns trigger language plpgsql as $$
    declare
      through bigint := coalesce(nullif(current_setting('daybook.prune_through', true), '')::bigint, 0);
      archived bigint := (select coalesce(max(last_seq), 0) from audit_archives);
    begin
      if through > archived then
        raise exception 'audit events after seq % are not archived: pruning through seq % refused', archived, through
          using errcode = 'insufficient_privilege';
      end if;
      return null;
    end
  $$`,
  sql`create trigger audit_events_prune_guard before delete on audit_events
    for each statement execute function daybook_audit_prune_guard()`,

  // What each asset's definition was when last loaded, so a changed code version or config is
  // recorded once, when it is first seen (framework/audit/definition-changes.ts).
  sql`create table asset_definitions (
    asset text primary key,
    code_version text,
    fingerprint char(64) not null,
    spec json not null,
    seen_at timestamptz(3) not null
  )`,
];

/** Audit archives (exports of the chain, the anchors of a pruned chain), prunes of archived events, and the last-seen asset definitions. */
export const auditRetention: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
