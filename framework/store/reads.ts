// The store's queries. Each returns records (camelCase), never rows.
import { sql, type Kysely } from 'kysely';
import {
  auditEventRecord,
  backfillRecord,
  checkResultRecord,
  publishRecord,
  materializationRecord,
  observationRecord,
  partitionStateRecord,
  runRecord,
  stepRecord,
} from './records.ts';
import type {
  AuditEventRecord,
  AuditRow,
  BackfillRecord,
  BackfillStatus,
  CheckResultRecord,
  PublishRecord,
  Database,
  MaterializationRecord,
  ObservationRecord,
  PartitionStateRecord,
  RunRecord,
  RunStatus,
  StepRecord,
  StepStatus,
} from './schema.ts';

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RunQuery {
  status?: RunStatus;
  backfillId?: string;
  /** Runs created before this instant. */
  before?: Date;
  limit?: number;
}

export interface StepQuery {
  status?: StepStatus;
}

export interface MaterializationQuery {
  /** Only these partition keys. */
  partitions?: readonly string[];
  limit?: number;
}

export interface AuditQuery {
  asset?: string;
  partition?: string;
  runId?: string;
  action?: string;
  /** Who acted, e.g. an API token's name. */
  actor?: string;
  /** Events after this seq (for paging). */
  afterSeq?: number;
  limit?: number;
}

export interface CheckResultQuery {
  stepId?: string;
  asset?: string;
  partition?: string;
  /** Any of these partitions. */
  partitions?: readonly string[];
  /** One check by name. */
  check?: string;
  limit?: number;
}

export async function getRun(db: Db, id: string): Promise<RunRecord | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && runRecord(row);
}

/** Newest first. */
export async function listRuns(db: Db, { status, backfillId, before, limit = 50 }: RunQuery = {}): Promise<RunRecord[]> {
  let query = db.selectFrom('runs').selectAll();
  if (status !== undefined) query = query.where('status', '=', status);
  if (backfillId !== undefined) query = query.where('backfill_id', '=', backfillId);
  if (before !== undefined) query = query.where('created_at', '<', before);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(runRecord);
}

export async function getStep(db: Db, id: string): Promise<StepRecord | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db.selectFrom('steps').selectAll().where('id', '=', id).executeTakeFirst();
  return row && stepRecord(row);
}

/** In the order they were planned (their ids increase in creation order, see ids.ts). */
export async function listSteps(db: Db, runId: string, { status }: StepQuery = {}): Promise<StepRecord[]> {
  if (!UUID.test(runId)) return [];
  let query = db.selectFrom('steps').selectAll().where('run_id', '=', runId);
  if (status !== undefined) query = query.where('status', '=', status);
  const rows = await query.orderBy('id').execute();
  return rows.map(stepRecord);
}

/** The current materialization of each of an asset's partitions, most recent first. */
export async function currentMaterializations(db: Db, asset: string, { partitions, limit = 1_000 }: MaterializationQuery = {}): Promise<MaterializationRecord[]> {
  let query = db
    .selectFrom('asset_partitions as p')
    .innerJoin('materializations as m', 'm.seq', 'p.current_seq')
    .selectAll('m')
    .where('p.asset', '=', asset);
  if (partitions !== undefined) query = query.where(sql<boolean>`p.partition_key = any(${[...partitions]}::text[])`);
  const rows = await query.orderBy('m.seq', 'desc').limit(limit).execute();
  return rows.map(materializationRecord);
}

/** Every materialization of one partition, the current one first. */
export async function materializationHistory(db: Db, asset: string, partition: string, limit = 100): Promise<MaterializationRecord[]> {
  const rows = await db
    .selectFrom('materializations')
    .selectAll()
    .where('asset', '=', asset)
    .where('partition_key', '=', partition)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(materializationRecord);
}

/** The current state of an asset's partitions (or of the given ones), in key order, with the time of the current materialization. */
export async function partitionStates(db: Db, asset: string, partitions?: readonly string[]): Promise<PartitionStateRecord[]> {
  let query = db
    .selectFrom('asset_partitions as p')
    .leftJoin('materializations as m', 'm.seq', 'p.current_seq')
    .leftJoin('source_observations as o', 'o.seq', 'p.current_seq')
    .selectAll('p')
    .select(sql<Date | null>`coalesce(m.created_at, o.observed_at)`.as('materialized_at'))
    .where('p.asset', '=', asset);
  if (partitions !== undefined) query = query.where(sql<boolean>`p.partition_key = any(${[...partitions]}::text[])`);
  const rows = await query.orderBy('p.partition_key').execute();
  return rows.map((row) => partitionStateRecord(row, row.materialized_at));
}

type ScannedState = [string, number, number, string | null, string | null, boolean, string | null, string | null, number, number | null];

/**
 * A page of an asset's partition states in key order, after `afterKey`: for reading millions of them
 * (the server's index). Each page walks the primary key in order, and comes back as one JSON document:
 * row by row, PGlite spent three times as long, and a sort of every remaining row made each page
 * slower than the last.
 */
export async function scanPartitionStates(db: Db, asset: string, { afterKey = '', limit }: { afterKey?: string; limit: number }): Promise<PartitionStateRecord[]> {
  const text = await db.transaction().execute(async (tx) => {
    for (const setting of ['enable_sort', 'enable_bitmapscan', 'enable_seqscan']) await sql`select set_config(${setting}, 'off', true)`.execute(tx);
    const result = await sql<{ page: string | null }>`
      select json_agg(json_build_array(partition_key, current_seq, version_seq, data_version, code_version, failed, failure, failed_step_id, updated_ms, materialized_ms))::text as page
      from (
        select p.partition_key, p.current_seq, p.version_seq, p.data_version, p.code_version, p.failed, p.failure, p.failed_step_id,
          (extract(epoch from p.updated_at) * 1000)::bigint as updated_ms,
          (extract(epoch from coalesce(m.created_at, o.observed_at)) * 1000)::bigint as materialized_ms
        from asset_partitions p
        left join materializations m on m.seq = p.current_seq
        left join source_observations o on o.seq = p.current_seq
        where p.asset = ${asset} and p.partition_key > ${afterKey}
        order by p.partition_key
        limit ${limit}
      ) page`.execute(tx);
    return result.rows[0]?.page ?? null;
  });
  if (text === null) return [];
  return (JSON.parse(text) as ScannedState[]).map(([partition, currentSeq, versionSeq, dataVersion, codeVersion, failed, failure, failedStepId, updatedMs, materializedMs]) => ({
    asset,
    partition,
    currentSeq,
    versionSeq,
    dataVersion,
    codeVersion,
    failed,
    failure,
    failedStepId,
    updatedAt: new Date(updatedMs),
    materializedAt: materializedMs === null ? null : new Date(materializedMs),
  }));
}

/** The audit chain's head: the last event's seq (0 when empty) and hash. */
export async function auditHead(db: Db): Promise<{ seq: number; hash: string }> {
  const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: row.seq, hash: row.hash };
}

/** A source's recorded observations (each a new data version), most recent first. */
export async function listObservations(db: Db, asset: string, { partitions, limit = 1_000 }: MaterializationQuery = {}): Promise<ObservationRecord[]> {
  let query = db.selectFrom('source_observations').selectAll().where('asset', '=', asset);
  if (partitions !== undefined) query = query.where(sql<boolean>`partition_key = any(${[...partitions]}::text[])`);
  const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
  return rows.map(observationRecord);
}

export async function getBackfill(db: Db, id: string): Promise<BackfillRecord | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db.selectFrom('backfills').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const runs = await db.selectFrom('runs').select('id').where('backfill_id', '=', id).orderBy('created_at').orderBy('id').execute();
  return backfillRecord(
    row,
    runs.map((run) => run.id),
  );
}

/** Newest first. */
export async function listBackfills(db: Db, { status, limit = 50 }: { status?: BackfillStatus; limit?: number } = {}): Promise<BackfillRecord[]> {
  let query = db
    .selectFrom('backfills as b')
    .selectAll('b')
    .select(sql<string[]>`coalesce((select array_agg(r.id::text order by r.created_at, r.id) from runs r where r.backfill_id = b.id), '{}')`.as('run_ids'));
  if (status !== undefined) query = query.where('b.status', '=', status);
  const rows = await query.orderBy('b.created_at', 'desc').limit(limit).execute();
  return rows.map(({ run_ids, ...row }) => backfillRecord(row, run_ids));
}

/** A dynamic definition's keys, in the order they were added (which gives their indexes). */
export async function listDynamicKeys(db: Db, definition: string): Promise<string[]> {
  const rows = await db.selectFrom('dynamic_partition_keys').select('key').where('definition', '=', definition).orderBy('position').execute();
  return rows.map((row) => row.key);
}

/** Audit events in chain order, filtered by subject. */
export async function listAuditEvents(db: Db, { asset, partition, runId, action, actor, afterSeq = 0, limit = 1_000 }: AuditQuery = {}): Promise<AuditEventRecord[]> {
  let query = db
    .selectFrom('audit_events')
    .select(['seq', 'at', 'actor', 'action', 'asset', 'partition_key', 'run_id', 'prev_hash', 'hash'])
    .select(sql<string>`payload::text`.as('payload_text'))
    .where('seq', '>', afterSeq);
  if (asset !== undefined) query = query.where('asset', '=', asset);
  if (partition !== undefined) query = query.where('partition_key', '=', partition);
  if (runId !== undefined) query = UUID.test(runId) ? query.where('run_id', '=', runId) : query.where(sql<boolean>`false`);
  if (action !== undefined) query = query.where('action', '=', action);
  if (actor !== undefined) query = query.where('actor', '=', actor);
  const rows: AuditRow[] = await query.orderBy('seq').limit(limit).execute();
  return rows.map(auditEventRecord);
}

/** Check results, most recent first. */
export async function listCheckResults(db: Db, { stepId, asset, partition, partitions, check, limit = 1_000 }: CheckResultQuery = {}): Promise<CheckResultRecord[]> {
  let query = db.selectFrom('check_results').selectAll();
  if (stepId !== undefined) query = UUID.test(stepId) ? query.where('step_id', '=', stepId) : query.where(sql<boolean>`false`);
  if (asset !== undefined) query = query.where('asset', '=', asset);
  if (partition !== undefined) query = query.where('partition_key', '=', partition);
  if (partitions !== undefined) query = query.where(sql<boolean>`partition_key = any(${[...partitions]}::text[])`);
  if (check !== undefined) query = query.where('check_name', '=', check);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return rows.map(checkResultRecord);
}

/** The latest publish of each partition of an asset to each target, most recent first. */
export async function latestPublishes(db: Db, asset: string, { partition }: { partition?: string } = {}): Promise<PublishRecord[]> {
  let query = db.selectFrom('publishes').selectAll().distinctOn(['partition_key', 'target']).where('asset', '=', asset);
  if (partition !== undefined) query = query.where('partition_key', '=', partition);
  const rows = await query.orderBy('partition_key').orderBy('target').orderBy('id', 'desc').execute();
  return rows.map(publishRecord).sort((a, b) => b.id - a.id);
}
