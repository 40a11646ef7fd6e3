import { sql, type RawBuilder, type Transaction } from 'kysely';
import { insertRows, updateRows, type ColumnTypes } from './bulk.ts';
import type { Changes } from './fold-state.ts';
import type { AuditRow, BackfillRow, Database, MaterializationRow, ObservationRow, PartitionRow, RunRow, StepRow } from './schema.ts';

const RUN: ColumnTypes<RunRow> = {
  id: 'uuid',
  status: 'text',
  selection: 'text',
  partition_request: 'jsonb',
  trigger: 'text',
  triggered_by: 'text',
  backfill_id: 'uuid',
  created_at: 'timestamptz',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  message: 'text',
};
const RUN_CHANGE: ColumnTypes<Pick<RunRow, 'id' | 'status' | 'started_at' | 'finished_at' | 'message'>> = {
  id: 'uuid',
  status: 'text',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  message: 'text',
};
const STEP: ColumnTypes<StepRow> = {
  id: 'uuid',
  run_id: 'uuid',
  asset: 'text',
  partition_key: 'text',
  status: 'text',
  reason: 'text',
  attempts: 'integer',
  worker: 'text',
  created_at: 'timestamptz',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  error_message: 'text',
  error_stack: 'text',
  log_tail: 'text',
  materialization_seq: 'bigint',
};
const STEP_CHANGE: ColumnTypes<Omit<StepRow, 'run_id' | 'asset' | 'partition_key' | 'reason' | 'created_at'>> = {
  id: 'uuid',
  status: 'text',
  attempts: 'integer',
  worker: 'text',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  error_message: 'text',
  error_stack: 'text',
  log_tail: 'text',
  materialization_seq: 'bigint',
};
const BACKFILL: ColumnTypes<BackfillRow> = {
  id: 'uuid',
  selection: 'text',
  partition_request: 'jsonb',
  status: 'text',
  triggered_by: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  finished_at: 'timestamptz',
  message: 'text',
};
const BACKFILL_CHANGE: ColumnTypes<Pick<BackfillRow, 'id' | 'status' | 'updated_at' | 'finished_at' | 'message'>> = {
  id: 'uuid',
  status: 'text',
  updated_at: 'timestamptz',
  finished_at: 'timestamptz',
  message: 'text',
};
const MATERIALIZATION: ColumnTypes<MaterializationRow> = {
  seq: 'bigint',
  asset: 'text',
  partition_key: 'text',
  data_version: 'text',
  version_seq: 'bigint',
  code_version: 'text',
  consumed: 'jsonb',
  row_count: 'bigint',
  bytes: 'bigint',
  location: 'text',
  metadata: 'jsonb',
  run_id: 'uuid',
  step_id: 'uuid',
  created_at: 'timestamptz',
};
const OBSERVATION: ColumnTypes<ObservationRow> = {
  seq: 'bigint',
  asset: 'text',
  partition_key: 'text',
  data_version: 'text',
  bytes: 'bigint',
  etag: 'text',
  mtime: 'timestamptz',
  location: 'text',
  run_id: 'uuid',
  observed_at: 'timestamptz',
};
const PARTITION: ColumnTypes<PartitionRow> = {
  asset: 'text',
  partition_key: 'text',
  current_seq: 'bigint',
  version_seq: 'bigint',
  data_version: 'text',
  code_version: 'text',
  failed: 'boolean',
  failure: 'text',
  failed_step_id: 'uuid',
  updated_at: 'timestamptz',
};
const DYNAMIC_KEY: ColumnTypes<Changes['dynamicKeys'][number]> = { definition: 'text', key: 'text', added_at: 'timestamptz' };
const CHECK_RESULT: ColumnTypes<Changes['checkResults'][number]> = {
  run_id: 'uuid',
  step_id: 'uuid',
  asset: 'text',
  partition_key: 'text',
  check_name: 'text',
  passed: 'boolean',
  severity: 'text',
  blocking: 'boolean',
  message: 'text',
  metrics: 'jsonb',
  sample: 'jsonb',
  created_at: 'timestamptz',
};
const AUDIT: ColumnTypes<Omit<AuditRow, 'payload_text'> & { payload: string }> = {
  seq: 'bigint',
  at: 'timestamptz',
  actor: 'text',
  action: 'text',
  asset: 'text',
  partition_key: 'text',
  run_id: 'uuid',
  payload: 'json',
  prev_hash: 'text',
  hash: 'text',
};

const REPLACE_PARTITION = sql`on conflict (asset, partition_key) do update set
  current_seq = excluded.current_seq, version_seq = excluded.version_seq, data_version = excluded.data_version,
  code_version = excluded.code_version, failed = excluded.failed, failure = excluded.failure,
  failed_step_id = excluded.failed_step_id, updated_at = excluded.updated_at`;

/**
 * Writes a batch's rows in one statement: one data-modifying CTE per table. The CTEs change
 * disjoint rows (the fold sends a row created in the batch as one insert with its final values),
 * and foreign keys are checked at the end of the statement, when parents inserted by a sibling
 * CTE are there. One statement instead of one per table saves a round trip each, which is most of
 * a small batch's cost on PGlite.
 */
export async function writeChanges(trx: Transaction<Database>, changes: Changes): Promise<void> {
  const parts = [
    insertRows('backfills', BACKFILL, changes.backfills.inserted),
    insertRows('runs', RUN, changes.runs.inserted),
    updateRows('backfills', BACKFILL_CHANGE, changes.backfills.updated),
    updateRows('runs', RUN_CHANGE, changes.runs.updated),
    insertRows('steps', STEP, changes.steps.inserted),
    updateRows('steps', STEP_CHANGE, changes.steps.updated),
    insertRows('materializations', MATERIALIZATION, changes.materializations),
    insertRows('source_observations', OBSERVATION, changes.observations),
    insertRows('asset_partitions', PARTITION, changes.partitions, REPLACE_PARTITION),
    insertRows('dynamic_partition_keys', DYNAMIC_KEY, changes.dynamicKeys),
    insertRows('check_results', CHECK_RESULT, changes.checkResults),
    insertRows(
      'audit_events',
      AUDIT,
      changes.audit.map(({ payload_text, ...row }) => ({ ...row, payload: payload_text })),
    ),
    changes.audit.length === 0 ? undefined : sql`update audit_head set seq = ${changes.head.seq}, hash = ${changes.head.hash} where id = 1`,
  ].filter((part): part is RawBuilder<unknown> => part !== undefined);
  if (parts.length === 0) return;
  if (parts.length === 1) {
    await parts[0]!.execute(trx);
    return;
  }
  const ctes = sql.join(
    parts.map((part, index) => sql`${sql.raw(`w${index}`)} as (${part})`),
    sql`, `,
  );
  await sql`with ${ctes} select 1`.execute(trx);
}
