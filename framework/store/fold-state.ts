import { StoreError } from '../util/errors.ts';
import { auditHash, canonicalJson } from './audit-chain.ts';
import type {
  AuditRow,
  BackfillRow,
  CheckResultRow,
  MaterializationRow,
  ObservationRow,
  PartitionRow,
  PublishRow,
  RunRow,
  StepRow,
  StepStatus,
} from './schema.ts';
import { storableText } from './text.ts';
import type { NewStep } from './writes.ts';

/** The key of one asset partition (or one dynamic key of a definition) in maps. */
export const partitionKey = (asset: string, partition: string): string => `${asset}\u0000${partition}`;

/** What the store holds for the rows a batch touches, read under the write lock. */
export interface Snapshot {
  readonly head: { readonly seq: number; readonly hash: string };
  /** The first of the seqs allocated for this batch's materializations and observations. */
  readonly firstSeq: number;
  readonly steps: ReadonlyMap<string, StepRow>;
  readonly runs: ReadonlyMap<string, RunRow>;
  readonly backfills: ReadonlyMap<string, BackfillRow>;
  /** Run ids of each backfill read, oldest first. */
  readonly backfillRuns: ReadonlyMap<string, readonly string[]>;
  readonly partitions: ReadonlyMap<string, PartitionRow>;
  /** `partitionKey(definition, key)` of the dynamic keys already stored. */
  readonly dynamicKeys: ReadonlySet<string>;
}

/** The rows a batch writes, and each write's result. */
export interface Changes {
  readonly backfills: { inserted: BackfillRow[]; updated: BackfillRow[] };
  readonly runs: { inserted: RunRow[]; updated: RunRow[] };
  readonly steps: { inserted: StepRow[]; updated: StepRow[] };
  readonly materializations: MaterializationRow[];
  readonly observations: ObservationRow[];
  readonly partitions: PartitionRow[];
  readonly dynamicKeys: { definition: string; key: string; added_at: Date }[];
  readonly checkResults: Omit<CheckResultRow, 'id'>[];
  readonly publishes: Omit<PublishRow, 'id'>[];
  readonly audit: AuditRow[];
  readonly head: { seq: number; hash: string };
  readonly results: unknown[];
}

/** Longest stored texts, in characters: errors, stacks and log tails are cut rather than refused. */
export const MAX = { message: 16_384, stack: 65_536, logTail: 65_536, name: 1_000 } as const;

/** Step statuses that end a step: it changes no more. */
export const FINAL_STEP: ReadonlySet<StepStatus> = new Set(['succeeded', 'failed', 'skipped', 'upstream-failed', 'blocked-by-check', 'cancelled']);

export const clean = (text: string | undefined, max: number, keep: 'start' | 'end' = 'start'): string | null =>
  text === undefined ? null : storableText(String(text), max, keep);
export const name = (text: string): string => storableText(String(text), MAX.name);

interface Tracked<Row> {
  row: Row;
  readonly isNew: boolean;
}

/** Who an audit event is about. */
export interface AuditSubject {
  asset?: string | null;
  partition?: string | null;
  runId?: string | null;
}

/** The rows a batch has touched so far, over the snapshot: later writes in the batch see earlier ones. */
export class FoldState {
  readonly snapshot: Snapshot;
  readonly runs = new Map<string, Tracked<RunRow>>();
  readonly steps = new Map<string, Tracked<StepRow>>();
  readonly backfills = new Map<string, Tracked<BackfillRow>>();
  readonly backfillRuns = new Map<string, string[]>();
  readonly partitions = new Map<string, PartitionRow>();
  readonly dynamicKeys: Set<string>;
  readonly materializations: MaterializationRow[] = [];
  readonly observations: ObservationRow[] = [];
  readonly newDynamicKeys: Changes['dynamicKeys'] = [];
  readonly checkResults: Changes['checkResults'] = [];
  readonly publishes: Changes['publishes'] = [];
  readonly audit: AuditRow[] = [];
  readonly results: unknown[] = [];
  head: { seq: number; hash: string };
  #nextSeq: number;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
    this.dynamicKeys = new Set(snapshot.dynamicKeys);
    this.head = { ...snapshot.head };
    this.#nextSeq = snapshot.firstSeq;
  }

  /** The next seq of the batch's block, for a materialization or an observation. */
  nextSeq(): number {
    return this.#nextSeq++;
  }

  /** Appends an audit event, chained to the previous one; returns its seq. */
  record(at: Date, actor: string, action: string, subject: AuditSubject, payload: object): number {
    const seq = this.head.seq + 1;
    const row: AuditRow = {
      seq,
      at,
      actor: name(actor),
      action: name(action),
      asset: subject.asset == null ? null : name(subject.asset),
      partition_key: subject.partition == null ? null : name(subject.partition),
      run_id: subject.runId ?? null,
      payload_text: canonicalJson(payload),
      prev_hash: this.head.hash,
      hash: '',
    };
    row.hash = auditHash(row.prev_hash, {
      seq,
      at,
      actor: row.actor,
      action: row.action,
      asset: row.asset,
      partition: row.partition_key,
      runId: row.run_id,
      payloadText: row.payload_text,
    });
    this.head = { seq, hash: row.hash };
    this.audit.push(row);
    return seq;
  }

  run(id: string): Tracked<RunRow> {
    return tracked(this.runs, this.snapshot.runs, id, 'run');
  }

  step(id: string): Tracked<StepRow> {
    return tracked(this.steps, this.snapshot.steps, id, 'step');
  }

  backfill(id: string): Tracked<BackfillRow> {
    return tracked(this.backfills, this.snapshot.backfills, id, 'backfill');
  }

  /** Run ids of a backfill, including runs created earlier in the batch. */
  runsOfBackfill(id: string): string[] {
    let ids = this.backfillRuns.get(id);
    if (!ids) this.backfillRuns.set(id, (ids = [...(this.snapshot.backfillRuns.get(id) ?? [])]));
    return ids;
  }

  /** The partition's current state; a blank one when nothing was recorded. */
  partition(asset: string, key: string, at: Date): PartitionRow {
    const k = partitionKey(asset, key);
    return (
      this.partitions.get(k) ??
      this.snapshot.partitions.get(k) ?? {
        asset,
        partition_key: key,
        current_seq: 0,
        version_seq: 0,
        data_version: null,
        code_version: null,
        failed: false,
        failure: null,
        failed_step_id: null,
        updated_at: at,
      }
    );
  }

  setPartition(row: PartitionRow): void {
    this.partitions.set(partitionKey(row.asset, row.partition_key), row);
  }

  /** Creates steps of a run, refusing ids already taken. */
  addSteps(runId: string, inputs: readonly NewStep[], at: Date): StepRow[] {
    return inputs.map((input) => {
      const row: StepRow = {
        id: input.id!,
        run_id: runId,
        asset: name(input.asset),
        partition_key: name(input.partition),
        status: input.status ?? 'pending',
        reason: clean(input.reason, MAX.name),
        attempts: 0,
        worker: null,
        created_at: at,
        started_at: null,
        finished_at: input.status === 'skipped' ? at : null,
        error_message: null,
        error_stack: null,
        log_tail: null,
        materialization_seq: null,
      };
      if (this.steps.has(row.id) || this.snapshot.steps.has(row.id)) {
        throw new StoreError('store-invalid-write', `step ${row.id} already exists`, { field: 'stepId', asset: row.asset, partition: row.partition_key });
      }
      this.steps.set(row.id, { row, isNew: true });
      return row;
    });
  }

  /** The rows to write. */
  changes(): Changes {
    return {
      runs: split(this.runs),
      steps: split(this.steps),
      backfills: split(this.backfills),
      materializations: this.materializations,
      observations: this.observations,
      partitions: [...this.partitions.values()],
      dynamicKeys: this.newDynamicKeys,
      checkResults: this.checkResults,
      publishes: this.publishes,
      audit: this.audit,
      head: this.head,
      results: this.results,
    };
  }
}

/** Refuses a change to a step that has ended. */
export function checkStepChange(row: StepRow, to: StepStatus): void {
  if (!FINAL_STEP.has(row.status)) return;
  throw new StoreError(
    'store-invalid-write',
    `step ${row.id} (asset "${row.asset}", partition "${row.partition_key}") is ${row.status} and cannot become ${to}`,
    { asset: row.asset, partition: row.partition_key, field: 'status' },
  );
}

function tracked<Row>(map: Map<string, Tracked<Row>>, stored: ReadonlyMap<string, Row>, id: string, what: string): Tracked<Row> {
  let entry = map.get(id);
  if (!entry) {
    const row = stored.get(id);
    if (!row) throw new StoreError('store-not-found', `${what} ${id} does not exist`, { field: `${what}Id` });
    entry = { row, isNew: false };
    map.set(id, entry);
  }
  return entry;
}

function split<Row>(map: Map<string, Tracked<Row>>): { inserted: Row[]; updated: Row[] } {
  const inserted: Row[] = [];
  const updated: Row[] = [];
  for (const entry of map.values()) (entry.isNew ? inserted : updated).push(entry.row);
  return { inserted, updated };
}
