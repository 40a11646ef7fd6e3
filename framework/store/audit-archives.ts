// The hot store's side of audit retention: which exports of the chain exist, and pruning the events
// and run details they hold. Writing and verifying the archives themselves is framework/audit's work.
import { sql, type Kysely } from 'kysely';
import { StoreError } from '../util/errors.ts';
import { GENESIS_HASH } from './audit-chain.ts';
import { auditTransaction } from './audit-transaction.ts';
import type { AuditArchiveRecord, AuditArchivesTable, Database } from './schema.ts';

type Db = Kysely<Database>;

/** An export to register, once its files have been written and read back. */
export type NewAuditArchive = Omit<AuditArchiveRecord, 'exportedAt' | 'exportedBy'>;

/** What a prune removed from the hot store. */
export interface AuditPruneResult {
  /** The last seq removed: the new anchor, the last event of `archive`. */
  readonly through: number;
  readonly archive: string;
  readonly events: number;
  readonly runs: number;
  readonly steps: number;
  readonly materializations: number;
  readonly checkResults: number;
  readonly publishes: number;
  readonly observations: number;
}

export interface AuditPruneRequest {
  /** Remove events through this seq: the last seq of a registered archive. */
  through: number;
  /** Run details of runs that finished before this instant may go with them. */
  cutoff: Date;
  actor: string;
  at: Date;
}

const COLUMNS = [
  'number',
  'name',
  'first_seq',
  'last_seq',
  'first_prev_hash',
  'last_hash',
  'min_at',
  'max_at',
  'location',
  'manifest_sha256',
  'events',
  'runs',
  'exported_at',
  'exported_by',
] as const;

const archiveRecord = (row: Omit<AuditArchivesTable, 'range_from' | 'range_to'> & { range_from: string; range_to: string }): AuditArchiveRecord => ({
  number: row.number,
  name: row.name,
  firstSeq: Number(row.first_seq),
  lastSeq: Number(row.last_seq),
  firstPrevHash: row.first_prev_hash,
  lastHash: row.last_hash,
  minAt: row.min_at,
  maxAt: row.max_at,
  from: row.range_from,
  to: row.range_to,
  location: row.location,
  manifestSha256: row.manifest_sha256,
  events: Number(row.events),
  runs: Number(row.runs),
  exportedAt: row.exported_at,
  exportedBy: row.exported_by,
});

/** Every registered archive, oldest first. */
export async function listAuditArchives(db: Db): Promise<AuditArchiveRecord[]> {
  const rows = await db
    .selectFrom('audit_archives')
    .select(COLUMNS)
    .select([sql<string>`range_from::text`.as('range_from'), sql<string>`range_to::text`.as('range_to')])
    .orderBy('number')
    .execute();
  return rows.map(archiveRecord);
}

/**
 * Registers an export and appends `audit.exported` (with the manifest's hash) to the chain, in one
 * transaction under the write lock. It must continue the last registered archive exactly: the next
 * number, the next seq, and a first event that points at that archive's last hash.
 */
export async function registerAuditArchive(db: Db, archive: NewAuditArchive, actor: string, at: Date): Promise<AuditArchiveRecord> {
  return auditTransaction(db, async ({ trx, head, append }) => {
    const previous = (await listAuditArchives(trx)).at(-1);
    const expected = { number: (previous?.number ?? 0) + 1, firstSeq: (previous?.lastSeq ?? 0) + 1, prevHash: previous?.lastHash ?? GENESIS_HASH };
    const problem =
      archive.number !== expected.number
        ? `its number is ${archive.number}, the next is ${expected.number}`
        : archive.firstSeq !== expected.firstSeq
          ? `it starts at seq ${archive.firstSeq}, the previous archive ends at ${expected.firstSeq - 1}`
          : archive.firstPrevHash !== expected.prevHash
            ? `its first event does not point at the last hash of ${previous?.name ?? 'the genesis'}`
            : archive.lastSeq > head.seq
              ? `it ends at seq ${archive.lastSeq}, after the chain's head ${head.seq}`
              : undefined;
    if (problem) throw new StoreError('store-invalid-write', `audit archive ${archive.name}: ${problem} (was another export running?)`, { field: 'number' });
    await trx
      .insertInto('audit_archives')
      .values({
        number: archive.number,
        name: archive.name,
        first_seq: archive.firstSeq,
        last_seq: archive.lastSeq,
        first_prev_hash: archive.firstPrevHash,
        last_hash: archive.lastHash,
        min_at: archive.minAt,
        max_at: archive.maxAt,
        range_from: archive.from,
        range_to: archive.to,
        location: archive.location,
        manifest_sha256: archive.manifestSha256,
        events: archive.events,
        runs: archive.runs,
        exported_at: at,
        exported_by: actor,
      })
      .execute();
    append({
      action: 'audit.exported',
      actor,
      at,
      payload: {
        archive: archive.name,
        number: archive.number,
        firstSeq: archive.firstSeq,
        lastSeq: archive.lastSeq,
        lastHash: archive.lastHash,
        events: archive.events,
        runs: archive.runs,
        from: archive.from,
        to: archive.to,
        location: archive.location,
        manifestSha256: archive.manifestSha256,
      },
    });
    return { ...archive, exportedAt: at, exportedBy: actor };
  });
}

/**
 * The archive the hot chain continues, when its first events were pruned: the archive whose last
 * seq is just before the first stored event (or, with every event pruned, the one at the head).
 * `undefined` when nothing was pruned.
 */
export async function auditAnchor(db: Db): Promise<{ seq: number; hash: string; archive: string } | undefined> {
  const first = await sql<{ first: number | null; head: number }>`
    select (select min(seq) from audit_events) as first, (select seq from audit_head where id = 1) as head`.execute(db);
  const row = first.rows[0]!;
  const before = row.first === null ? Number(row.head) : Number(row.first) - 1;
  if (before <= 0) return undefined;
  const archive = await db.selectFrom('audit_archives').select(['last_seq', 'last_hash', 'name']).where('last_seq', '=', before).executeTakeFirst();
  return archive && { seq: Number(archive.last_seq), hash: archive.last_hash, archive: archive.name };
}

/**
 * Removes archived events through `through`, and the details of the runs those events finished:
 * their steps, check results, publishes, superseded materializations and observations. Runs that a
 * partition's current materialization, current observation or latest publish points at stay, as do
 * runs not finished. Appends `audit.pruned`. One transaction; the database's prune guard refuses a
 * `through` beyond the last archive.
 */
export async function pruneAuditArchived(db: Db, { through, cutoff, actor, at }: AuditPruneRequest): Promise<AuditPruneResult> {
  return auditTransaction(db, async ({ trx, append }) => {
    const archive = await trx.selectFrom('audit_archives').select(['name', 'max_at']).where('last_seq', '=', through).executeTakeFirst();
    if (!archive) throw new StoreError('store-invalid-write', `no audit archive ends at seq ${through}: only whole archives are pruned`, { field: 'through' });
    if (archive.max_at >= cutoff) {
      throw new StoreError('store-invalid-write', `audit archive ${archive.name} holds events from ${archive.max_at.toISOString()}, not older than ${cutoff.toISOString()}`, {
        field: 'through',
      });
    }
    await sql`select set_config('daybook.prune_through', ${String(through)}, true)`.execute(trx);
    await sql`create temporary table daybook_pruned_runs on commit drop as
      select distinct e.run_id as id from audit_events e
      where e.seq <= ${through} and e.run_id is not null and e.action in ('run.succeeded', 'run.failed', 'run.cancelled')
      except (
        select m.run_id from asset_partitions p join materializations m on m.seq = p.current_seq where m.run_id is not null
        union select o.run_id from asset_partitions p join source_observations o on o.seq = p.current_seq where o.run_id is not null
        union select run_id from (
          select distinct on (asset, partition_key, target) run_id from publishes order by asset, partition_key, target, id desc
        ) latest where run_id is not null
        union select id from runs where status not in ('succeeded', 'failed', 'cancelled')
      )`.execute(trx);
    await sql`create temporary table daybook_pruned_steps on commit drop as
      select s.id from steps s join daybook_pruned_runs r on r.id = s.run_id`.execute(trx);
    const remove = async (statement: ReturnType<typeof sql>): Promise<number> => Number((await statement.execute(trx)).numAffectedRows ?? 0);
    const checkResults = await remove(sql`delete from check_results where run_id in (select id from daybook_pruned_runs) or step_id in (select id from daybook_pruned_steps)`);
    const publishes = await remove(sql`delete from publishes where run_id in (select id from daybook_pruned_runs) or step_id in (select id from daybook_pruned_steps)`);
    const materializations = await remove(
      sql`delete from materializations where run_id in (select id from daybook_pruned_runs) or step_id in (select id from daybook_pruned_steps)`,
    );
    const observations = await remove(sql`delete from source_observations where run_id in (select id from daybook_pruned_runs)`);
    const steps = await remove(sql`delete from steps where id in (select id from daybook_pruned_steps)`);
    const runs = await remove(sql`delete from runs where id in (select id from daybook_pruned_runs)`);
    const events = await remove(sql`delete from audit_events where seq <= ${through}`);
    const result: AuditPruneResult = { through, archive: archive.name, events, runs, steps, materializations, checkResults, publishes, observations };
    append({ action: 'audit.pruned', actor, at, payload: { ...result, cutoff: cutoff.toISOString() } });
    return result;
  });
}
