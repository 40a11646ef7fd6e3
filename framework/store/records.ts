// Rows as the database returns them, to the records the MetadataStore hands out.
import type {
  AuditEventRecord,
  AuditRow,
  BackfillRecord,
  BackfillRow,
  CheckResultRecord,
  CheckResultRow,
  PublishRecord,
  PublishRow,
  MaterializationRecord,
  MaterializationRow,
  ObservationRecord,
  ObservationRow,
  PartitionRow,
  PartitionStateRecord,
  RunRecord,
  RunRow,
  StepRecord,
  StepRow,
} from './schema.ts';

export const runRecord = (row: RunRow): RunRecord => ({
  id: row.id,
  status: row.status,
  selection: row.selection,
  partitionRequest: row.partition_request,
  trigger: row.trigger,
  triggeredBy: row.triggered_by,
  backfillId: row.backfill_id,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  message: row.message,
});

export const stepRecord = (row: StepRow): StepRecord => ({
  id: row.id,
  runId: row.run_id,
  asset: row.asset,
  partition: row.partition_key,
  status: row.status,
  reason: row.reason,
  attempts: row.attempts,
  worker: row.worker,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  errorMessage: row.error_message,
  errorStack: row.error_stack,
  logTail: row.log_tail,
  materializationSeq: row.materialization_seq,
});

export const materializationRecord = (row: MaterializationRow): MaterializationRecord => ({
  seq: row.seq,
  asset: row.asset,
  partition: row.partition_key,
  dataVersion: row.data_version,
  versionSeq: row.version_seq,
  codeVersion: row.code_version,
  consumed: row.consumed,
  rowCount: row.row_count,
  bytes: row.bytes,
  location: row.location,
  metadata: row.metadata,
  runId: row.run_id,
  stepId: row.step_id,
  createdAt: row.created_at,
});

export const observationRecord = (row: ObservationRow): ObservationRecord => ({
  seq: row.seq,
  asset: row.asset,
  partition: row.partition_key,
  dataVersion: row.data_version,
  bytes: row.bytes,
  etag: row.etag,
  mtime: row.mtime,
  location: row.location,
  runId: row.run_id,
  observedAt: row.observed_at,
});

export const partitionStateRecord = (row: PartitionRow, materializedAt: Date | null = null): PartitionStateRecord => ({
  asset: row.asset,
  partition: row.partition_key,
  currentSeq: row.current_seq,
  versionSeq: row.version_seq,
  dataVersion: row.data_version,
  codeVersion: row.code_version,
  failed: row.failed,
  failure: row.failure,
  failedStepId: row.failed_step_id,
  updatedAt: row.updated_at,
  materializedAt,
});

export const backfillRecord = (row: BackfillRow, runIds: readonly string[]): BackfillRecord => ({
  id: row.id,
  selection: row.selection,
  partitionRequest: row.partition_request,
  status: row.status,
  triggeredBy: row.triggered_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  finishedAt: row.finished_at,
  message: row.message,
  runIds,
});

export const checkResultRecord = (row: CheckResultRow): CheckResultRecord => ({
  id: row.id,
  runId: row.run_id,
  stepId: row.step_id,
  asset: row.asset,
  partition: row.partition_key,
  check: row.check_name,
  passed: row.passed,
  severity: row.severity,
  blocking: row.blocking,
  message: row.message,
  metrics: row.metrics,
  sample: row.sample,
  createdAt: row.created_at,
});

export const publishRecord = (row: PublishRow): PublishRecord => ({
  id: row.id,
  asset: row.asset,
  partition: row.partition_key,
  target: row.target,
  uri: row.uri,
  dataVersion: row.data_version,
  runId: row.run_id,
  stepId: row.step_id,
  published: row.published,
  at: row.at,
});

export const auditEventRecord = (row: AuditRow): AuditEventRecord => ({
  seq: row.seq,
  at: row.at,
  actor: row.actor,
  action: row.action,
  asset: row.asset,
  partition: row.partition_key,
  runId: row.run_id,
  payload: JSON.parse(row.payload_text) as AuditEventRecord['payload'],
  prevHash: row.prev_hash,
  hash: row.hash,
});
