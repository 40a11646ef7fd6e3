// What can be written to the store. Each write is data, so that concurrent callers' writes can be
// folded into one transaction (see group-commit.ts) and each caller still gets its own result.
import type {
  BackfillRecord,
  BackfillStatus,
  InputVersions,
  JsonObject,
  MaterializationRecord,
  RunRecord,
  RunStatus,
  StepRecord,
  StepStatus,
} from './schema.ts';

/** Who did it, and when (epoch ms or Date; the store's clock when left out). */
interface Attribution {
  actor?: string;
  at?: number | Date;
}

/** The error of a failed attempt. */
export interface StepError {
  message: string;
  stack?: string;
}

/** A step to plan into a run. */
export interface NewStep {
  /** A UUID; generated when left out. */
  id?: string;
  asset: string;
  partition: string;
  /** Why it was planned (`missing`, `code-changed`, …). */
  reason?: string;
  status?: 'pending' | 'waiting' | 'skipped';
}

export interface NewRun extends Attribution {
  id?: string;
  selection: string;
  partitionRequest?: JsonObject;
  /** What started it; defaults to `manual`. */
  trigger?: string;
  /** Who started it; defaults to the actor. */
  triggeredBy?: string;
  backfillId?: string;
  status?: 'queued' | 'running';
  steps?: readonly NewStep[];
}

export interface RunChange extends Attribution {
  runId: string;
  status: RunStatus;
  message?: string;
}

/** A step status change other than success (see StepSuccess) and failure (see StepFailure). */
export interface StepChange extends Attribution {
  stepId: string;
  status: Exclude<StepStatus, 'succeeded' | 'failed'>;
  /** The worker running it, for `running`. */
  worker?: string;
  /** Why it waits, was skipped or cancelled, e.g. `file not arrived: landing/…`. */
  message?: string;
  logTail?: string;
}

/** A step's success and the materialization it produced: recorded in one transaction. */
export interface StepSuccess extends Attribution {
  stepId: string;
  /** When the attempt started, if its `running` change was never written (a step that finished at once). */
  startedAt?: number | Date;
  /** The worker that ran it, if its `running` change (which names it) was never written. */
  worker?: string;
  dataVersion: string;
  codeVersion?: string;
  consumed?: InputVersions;
  rowCount?: number;
  bytes?: number;
  location?: string;
  metadata?: JsonObject;
  logTail?: string;
}

export interface StepFailure extends Attribution {
  stepId: string;
  error: StepError;
  /** `failed` (the default), `blocked-by-check`, or `pending` when another attempt follows. */
  status?: 'failed' | 'blocked-by-check' | 'pending';
  logTail?: string;
}

/** A source partition seen with a data version; recorded only when the version changed. */
export interface Observation {
  asset: string;
  partition: string;
  dataVersion: string;
  bytes?: number;
  etag?: string;
  mtime?: number | Date;
  location?: string;
  runId?: string;
}

export interface NewBackfill extends Attribution {
  id?: string;
  selection: string;
  partitionRequest?: JsonObject;
  triggeredBy?: string;
  status?: BackfillStatus;
}

export interface BackfillChange extends Attribution {
  backfillId: string;
  status: BackfillStatus;
  message?: string;
}

/** A check result of one asset partition. */
export interface CheckResultInput {
  stepId?: string;
  runId?: string;
  asset: string;
  partition: string;
  check: string;
  severity: string;
  blocking: boolean;
  passed: boolean;
  message: string;
  metrics?: JsonObject;
  sample?: readonly JsonObject[];
}

/** One publish of an asset partition to a target, recorded with the step's success. */
export interface PublishInput {
  asset: string;
  partition: string;
  /** The target's name. */
  target: string;
  uri: string;
  dataVersion: string;
  runId?: string;
  stepId?: string;
  /** False when the target already held this data version. */
  published: boolean;
}

/** An audit event of its own, e.g. an operator action; most events come with the write they describe. */
export interface AuditInput extends Attribution {
  action: string;
  asset?: string;
  partition?: string;
  runId?: string;
  payload?: JsonObject;
}

/** Whether an observation changed the partition's data version, and the seq that holds it. */
export interface ObservationResult {
  readonly asset: string;
  readonly partition: string;
  readonly seq: number;
  readonly changed: boolean;
}

/** One write, as data. */
export type StoreWrite =
  | ({ kind: 'create-run' } & NewRun)
  | ({ kind: 'update-run' } & RunChange)
  | ({ kind: 'add-steps'; runId: string; steps: readonly NewStep[] } & Attribution)
  | ({ kind: 'update-step' } & StepChange)
  | ({ kind: 'succeed-step' } & StepSuccess)
  | ({ kind: 'fail-step' } & StepFailure)
  | ({ kind: 'observe'; observations: readonly Observation[] } & Attribution)
  | ({ kind: 'add-dynamic-keys'; definition: string; keys: readonly string[] } & Attribution)
  | ({ kind: 'create-backfill' } & NewBackfill)
  | ({ kind: 'update-backfill' } & BackfillChange)
  | ({ kind: 'check-results'; results: readonly CheckResultInput[] } & Attribution)
  | ({ kind: 'publishes'; publishes: readonly PublishInput[] } & Attribution)
  | { kind: 'audit'; events: readonly AuditInput[] };

/** What each kind of write gives back once committed. */
export interface WriteResults {
  'create-run': { run: RunRecord; steps: StepRecord[] };
  'update-run': RunRecord;
  'add-steps': StepRecord[];
  'update-step': StepRecord;
  'succeed-step': { step: StepRecord; materialization: MaterializationRecord };
  'fail-step': StepRecord;
  observe: ObservationResult[];
  'add-dynamic-keys': string[];
  'create-backfill': BackfillRecord;
  'update-backfill': BackfillRecord;
  'check-results': number;
  publishes: number;
  audit: number[];
}

/** The result of one write. */
export type ResultOf<W extends StoreWrite> = WriteResults[W['kind']];

/** The results of a list of writes, position by position. */
export type ResultsOf<W extends readonly StoreWrite[]> = { -readonly [K in keyof W]: W[K] extends StoreWrite ? ResultOf<W[K]> : never };
