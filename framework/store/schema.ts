// The store's tables (snake_case, as Kysely sees them) and the records the MetadataStore returns
// (camelCase). This is the only file that declares store row types.
import type { ColumnType, Generated, Selectable } from 'kysely';

/** A JSON value as stored in a json/jsonb column. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };
/** What a materialization consumed: upstream asset → upstream partition key → data version. */
export type InputVersions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Read as parsed JSON; written as JSON text, because `pg` would turn a JS array into a Postgres array. */
type Json<T> = ColumnType<T, string, string>;

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'upstream-failed',
  'waiting',
  'blocked-by-check',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const BACKFILL_STATUSES = ['requested', 'running', 'completed', 'failed', 'cancelled'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

export interface RunsTable {
  id: string;
  status: RunStatus;
  selection: string;
  partition_request: Json<JsonObject>;
  trigger: string;
  triggered_by: string;
  backfill_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  message: string | null;
}

export interface StepsTable {
  id: string;
  run_id: string;
  asset: string;
  partition_key: string;
  status: StepStatus;
  reason: string | null;
  attempts: number;
  worker: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error_message: string | null;
  error_stack: string | null;
  log_tail: string | null;
  materialization_seq: number | null;
}

export interface MaterializationsTable {
  seq: number;
  asset: string;
  partition_key: string;
  data_version: string;
  /** The partition's version_seq once this materialization was recorded. */
  version_seq: number;
  code_version: string | null;
  consumed: Json<InputVersions>;
  row_count: number | null;
  bytes: number | null;
  location: string | null;
  metadata: Json<JsonObject>;
  run_id: string | null;
  step_id: string | null;
  created_at: Date;
}

/** The current state of one asset partition: one row per (asset, partition), replaced in place. */
export interface AssetPartitionsTable {
  asset: string;
  partition_key: string;
  /** Seq of the current materialization (for a source: of the latest changed observation); 0 = none. */
  current_seq: number;
  /** Seq at which the current data version first appeared; 0 = none. */
  version_seq: number;
  data_version: string | null;
  code_version: string | null;
  failed: boolean;
  failure: string | null;
  failed_step_id: string | null;
  updated_at: Date;
}

export interface SourceObservationsTable {
  seq: number;
  asset: string;
  partition_key: string;
  data_version: string;
  bytes: number | null;
  etag: string | null;
  mtime: Date | null;
  location: string | null;
  run_id: string | null;
  observed_at: Date;
}

export interface DynamicPartitionKeysTable {
  /** Keeps the order of addition, which gives each key its index. */
  position: Generated<number>;
  definition: string;
  key: string;
  added_at: Date;
}

export interface BackfillsTable {
  id: string;
  selection: string;
  partition_request: Json<JsonObject>;
  status: BackfillStatus;
  triggered_by: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  message: string | null;
}

export interface CheckResultsTable {
  id: Generated<number>;
  run_id: string | null;
  step_id: string | null;
  asset: string;
  partition_key: string;
  check_name: string;
  passed: boolean;
  severity: string;
  blocking: boolean;
  message: string;
  metrics: Json<JsonObject>;
  sample: Json<readonly JsonObject[]>;
  created_at: Date;
}

export interface PublishesTable {
  id: Generated<number>;
  asset: string;
  partition_key: string;
  /** The target's name, e.g. `warehouse`. */
  target: string;
  uri: string;
  data_version: string;
  run_id: string | null;
  step_id: string | null;
  /** False when the target already held this data version and nothing was written. */
  published: boolean;
  at: Date;
}

export interface AuditEventsTable {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  asset: string | null;
  partition_key: string | null;
  run_id: string | null;
  /** Canonical JSON text, stored verbatim (json, not jsonb) so the hash covers exactly what is stored. */
  payload: Json<JsonObject>;
  prev_hash: string;
  hash: string;
}

export const API_TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
/** What an API token may do: read (`viewer`), also launch and cancel runs (`operator`), also manage tokens (`admin`). */
export type ApiTokenRole = (typeof API_TOKEN_ROLES)[number];

/** An HTTP API bearer token; only its SHA-256 is stored. */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: ApiTokenRole;
  /** Lowercase hex SHA-256 of the whole token. */
  token_hash: string;
  /** The token's first characters, shown to recognise it. */
  prefix: string;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** One verified export of the audit chain: its seq range, its end hashes and its manifest's hash. Never changed. */
export interface AuditArchivesTable {
  number: number;
  /** The export's directory in the archive, e.g. `000001_2026-11-01_2026-11-30`. */
  name: string;
  first_seq: number;
  last_seq: number;
  /** The hash the first event points at: the previous archive's last hash, or the genesis hash. */
  first_prev_hash: string;
  last_hash: string;
  min_at: Date;
  max_at: Date;
  range_from: string;
  range_to: string;
  /** Where the export lives, e.g. `s3://bucket/storage/_audit/000001_…`. */
  location: string;
  manifest_sha256: string;
  events: number;
  runs: number;
  exported_at: Date;
  exported_by: string;
}

/** An asset's definition as last loaded: its code version and a fingerprint of the rest. */
export interface AssetDefinitionsTable {
  asset: string;
  code_version: string | null;
  fingerprint: string;
  spec: Json<JsonObject>;
  seen_at: Date;
}

/** The chain's head and the store's write lock: the one row every write transaction locks first. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface Database {
  runs: RunsTable;
  steps: StepsTable;
  materializations: MaterializationsTable;
  asset_partitions: AssetPartitionsTable;
  source_observations: SourceObservationsTable;
  dynamic_partition_keys: DynamicPartitionKeysTable;
  backfills: BackfillsTable;
  check_results: CheckResultsTable;
  publishes: PublishesTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_archives: AuditArchivesTable;
  asset_definitions: AssetDefinitionsTable;
  api_tokens: ApiTokensTable;
}

export type RunRow = Selectable<RunsTable>;
export type StepRow = Selectable<StepsTable>;
export type MaterializationRow = Selectable<MaterializationsTable>;
export type PartitionRow = Selectable<AssetPartitionsTable>;
export type ObservationRow = Selectable<SourceObservationsTable>;
export type BackfillRow = Selectable<BackfillsTable>;
export type CheckResultRow = Selectable<CheckResultsTable>;
export type PublishRow = Selectable<PublishesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
/** An audit row as written and verified: the payload as its stored text. */
export type AuditRow = Omit<Selectable<AuditEventsTable>, 'payload'> & { payload_text: string };

/** A run: one execution of a plan. */
export interface RunRecord {
  readonly id: string;
  readonly status: RunStatus;
  readonly selection: string;
  readonly partitionRequest: JsonObject;
  /** What started it: `manual`, `schedule`, `sensor`, `backfill`, … */
  readonly trigger: string;
  /** Who started it. */
  readonly triggeredBy: string;
  readonly backfillId: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly message: string | null;
}

/** One asset partition within a run. */
export interface StepRecord {
  readonly id: string;
  readonly runId: string;
  readonly asset: string;
  readonly partition: string;
  readonly status: StepStatus;
  /** Why it was planned (`missing`, `code-changed`, …). */
  readonly reason: string | null;
  readonly attempts: number;
  readonly worker: string | null;
  readonly createdAt: Date;
  /** Start of the latest attempt. */
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Error of the latest failed attempt. */
  readonly errorMessage: string | null;
  readonly errorStack: string | null;
  readonly logTail: string | null;
  readonly materializationSeq: number | null;
}

/** One asset partition produced. */
export interface MaterializationRecord {
  readonly seq: number;
  readonly asset: string;
  readonly partition: string;
  readonly dataVersion: string;
  readonly versionSeq: number;
  readonly codeVersion: string | null;
  readonly consumed: InputVersions;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly location: string | null;
  readonly metadata: JsonObject;
  readonly runId: string | null;
  readonly stepId: string | null;
  readonly createdAt: Date;
}

/** A source partition seen with a new data version. */
export interface ObservationRecord {
  readonly seq: number;
  readonly asset: string;
  readonly partition: string;
  readonly dataVersion: string;
  readonly bytes: number | null;
  readonly etag: string | null;
  readonly mtime: Date | null;
  readonly location: string | null;
  readonly runId: string | null;
  readonly observedAt: Date;
}

/** The current state of one asset partition. */
export interface PartitionStateRecord {
  readonly asset: string;
  readonly partition: string;
  readonly currentSeq: number;
  readonly versionSeq: number;
  readonly dataVersion: string | null;
  readonly codeVersion: string | null;
  readonly failed: boolean;
  readonly failure: string | null;
  readonly failedStepId: string | null;
  readonly updatedAt: Date;
  /** When the current materialization was recorded (for a source, its latest changed observation); null when none. */
  readonly materializedAt: Date | null;
}

/** A recorded backfill: a selection over a partition range, run as one or more runs. */
export interface BackfillRecord {
  readonly id: string;
  readonly selection: string;
  readonly partitionRequest: JsonObject;
  readonly status: BackfillStatus;
  readonly triggeredBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
  readonly message: string | null;
  /** Its runs, oldest first. */
  readonly runIds: readonly string[];
}

/** One stored check result. */
export interface CheckResultRecord {
  readonly id: number;
  readonly runId: string | null;
  readonly stepId: string | null;
  readonly asset: string;
  readonly partition: string;
  readonly check: string;
  readonly passed: boolean;
  readonly severity: string;
  readonly blocking: boolean;
  readonly message: string;
  readonly metrics: JsonObject;
  readonly sample: readonly JsonObject[];
  readonly createdAt: Date;
}

/** One stored publish of an asset partition to a target. */
export interface PublishRecord {
  readonly id: number;
  readonly asset: string;
  readonly partition: string;
  readonly target: string;
  readonly uri: string;
  readonly dataVersion: string;
  readonly runId: string | null;
  readonly stepId: string | null;
  readonly published: boolean;
  readonly at: Date;
}

/** One link of the audit chain. */
export interface AuditEventRecord {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly asset: string | null;
  readonly partition: string | null;
  readonly runId: string | null;
  readonly payload: JsonObject;
  readonly prevHash: string;
  readonly hash: string;
}

/** An HTTP API token, without its secret. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: ApiTokenRole;
  readonly tokenHash: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
}

/** One export of the audit chain, registered once its files verified. */
export interface AuditArchiveRecord {
  readonly number: number;
  readonly name: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstPrevHash: string;
  readonly lastHash: string;
  readonly minAt: Date;
  readonly maxAt: Date;
  /** The requested range, `YYYY-MM-DD` (UTC days, inclusive). */
  readonly from: string;
  readonly to: string;
  readonly location: string;
  readonly manifestSha256: string;
  readonly events: number;
  readonly runs: number;
  readonly exportedAt: Date;
  readonly exportedBy: string;
}
