// What an export holds besides the events: the run details that a prune removes from the hot store,
// with the columns they are written with. JSON columns are kept as their text.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ParquetColumn } from './parquet-writer.ts';

const column = (name: string, type: ParquetColumn['type'] = 'VARCHAR'): ParquetColumn => ({ name, type });

/** The events table: each row exactly as stored, so its hash recomputes from the file. */
export const EVENT_COLUMNS: readonly ParquetColumn[] = [
  column('seq', 'BIGINT'),
  column('at', 'TIMESTAMPTZ'),
  column('actor'),
  column('action'),
  column('asset'),
  column('partition_key'),
  column('run_id'),
  column('payload'),
  column('prev_hash'),
  column('hash'),
];

/** A table of run details: its file, columns, sort column and the query for the rows of some runs. */
export interface RunDetailTable {
  readonly file: string;
  readonly columns: readonly ParquetColumn[];
  readonly orderBy: string;
  rows(db: Kysely<Database>, runIds: readonly string[]): Promise<Record<string, unknown>[]>;
}

const ts = (name: string) => column(name, 'TIMESTAMPTZ');

export const RUN_DETAIL_TABLES: readonly RunDetailTable[] = [
  {
    file: 'runs.parquet',
    orderBy: 'id',
    columns: [column('id'), column('status'), column('selection'), column('partition_request'), column('trigger'), column('triggered_by'), column('backfill_id'), ts('created_at'), ts('started_at'), ts('finished_at'), column('message')],
    rows: async (db, ids) =>
      (
        await sql<Record<string, unknown>>`select id::text, status, selection, partition_request::text, trigger, triggered_by, backfill_id::text,
          created_at, started_at, finished_at, message from runs where id = any(${ids}::uuid[])`.execute(db)
      ).rows,
  },
  {
    file: 'steps.parquet',
    orderBy: 'id',
    columns: [
      column('id'),
      column('run_id'),
      column('asset'),
      column('partition_key'),
      column('status'),
      column('reason'),
      column('attempts', 'INTEGER'),
      column('worker'),
      ts('created_at'),
      ts('started_at'),
      ts('finished_at'),
      column('error_message'),
      column('error_stack'),
      column('log_tail'),
      column('materialization_seq', 'BIGINT'),
    ],
    rows: async (db, ids) =>
      (
        await sql<Record<string, unknown>>`select id::text, run_id::text, asset, partition_key, status, reason, attempts, worker, created_at, started_at,
          finished_at, error_message, error_stack, log_tail, materialization_seq from steps where run_id = any(${ids}::uuid[])`.execute(db)
      ).rows,
  },
  {
    file: 'materializations.parquet',
    orderBy: 'seq',
    columns: [
      column('seq', 'BIGINT'),
      column('asset'),
      column('partition_key'),
      column('data_version'),
      column('version_seq', 'BIGINT'),
      column('code_version'),
      column('consumed'),
      column('row_count', 'BIGINT'),
      column('bytes', 'BIGINT'),
      column('location'),
      column('metadata'),
      column('run_id'),
      column('step_id'),
      ts('created_at'),
    ],
    rows: async (db, ids) =>
      (
        await sql<Record<string, unknown>>`select seq, asset, partition_key, data_version, version_seq, code_version, consumed::text, row_count, bytes, location,
          metadata::text, run_id::text, step_id::text, created_at from materializations where run_id = any(${ids}::uuid[])`.execute(db)
      ).rows,
  },
  {
    file: 'check_results.parquet',
    orderBy: 'id',
    columns: [
      column('id', 'BIGINT'),
      column('run_id'),
      column('step_id'),
      column('asset'),
      column('partition_key'),
      column('check_name'),
      column('passed', 'BOOLEAN'),
      column('severity'),
      column('blocking', 'BOOLEAN'),
      column('message'),
      column('metrics'),
      column('sample'),
      ts('created_at'),
    ],
    rows: async (db, ids) =>
      (
        await sql<Record<string, unknown>>`select id, run_id::text, step_id::text, asset, partition_key, check_name, passed, severity, blocking, message,
          metrics::text, sample::text, created_at from check_results where run_id = any(${ids}::uuid[])`.execute(db)
      ).rows,
  },
  {
    file: 'publishes.parquet',
    orderBy: 'id',
    columns: [
      column('id', 'BIGINT'),
      column('asset'),
      column('partition_key'),
      column('target'),
      column('uri'),
      column('data_version'),
      column('run_id'),
      column('step_id'),
      column('published', 'BOOLEAN'),
      ts('at'),
    ],
    rows: async (db, ids) =>
      (
        await sql<Record<string, unknown>>`select id, asset, partition_key, target, uri, data_version, run_id::text, step_id::text, published, at
          from publishes where run_id = any(${ids}::uuid[])`.execute(db)
      ).rows,
  },
];

/** The runs that reached a final status within a seq range: an export holds their details. */
export async function runsFinishedBetween(db: Kysely<Database>, firstSeq: number, lastSeq: number): Promise<string[]> {
  const result = await sql<{ run_id: string }>`
    select distinct run_id::text as run_id from audit_events
    where seq >= ${firstSeq} and seq <= ${lastSeq} and run_id is not null and action in ('run.succeeded', 'run.failed', 'run.cancelled')
    order by run_id`.execute(db);
  return result.rows.map((row) => row.run_id);
}
