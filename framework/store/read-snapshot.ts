import { sql, type RawBuilder, type Transaction } from 'kysely';
import { partitionKey, type Snapshot } from './fold-state.ts';
import type { BackfillRow, Database, PartitionRow, RunRow, StepRow } from './schema.ts';
import type { StoreWrite } from './writes.ts';

export interface Needs {
  stepIds: string[];
  /** Steps that finish or skip in this batch: their partitions' states are read. */
  finishing: string[];
  runIds: string[];
  backfillIds: string[];
  /** Partitions named directly (observations, and steps created in this batch). */
  partitions: { asset: string; partition: string }[];
  dynamic: { definition: string; key: string }[];
  seqs: number;
}

/** What a batch reads: the rows its writes refer to, and how many seqs it needs. */
export function needsOf(writes: readonly StoreWrite[]): Needs {
  const needs: Needs = { stepIds: [], finishing: [], runIds: [], backfillIds: [], partitions: [], dynamic: [], seqs: 0 };
  const created = new Map<string, { asset: string; partition: string }>();
  const finish = (stepId: string) => {
    const step = created.get(stepId);
    if (step) needs.partitions.push(step);
    else needs.finishing.push(stepId);
  };
  for (const write of writes) {
    switch (write.kind) {
      case 'create-run':
        if (write.backfillId !== undefined) needs.backfillIds.push(write.backfillId);
        for (const step of write.steps ?? []) created.set(step.id!, step);
        break;
      case 'add-steps':
        needs.runIds.push(write.runId);
        for (const step of write.steps) created.set(step.id!, step);
        break;
      case 'update-run':
        needs.runIds.push(write.runId);
        break;
      case 'update-step':
        needs.stepIds.push(write.stepId);
        if (write.status === 'skipped') finish(write.stepId);
        break;
      case 'fail-step':
        needs.stepIds.push(write.stepId);
        finish(write.stepId);
        break;
      case 'succeed-step':
        needs.stepIds.push(write.stepId);
        finish(write.stepId);
        needs.seqs++;
        break;
      case 'observe':
        needs.partitions.push(...write.observations);
        needs.seqs += write.observations.length;
        break;
      case 'add-dynamic-keys':
        for (const key of write.keys) needs.dynamic.push({ definition: write.definition, key });
        break;
      case 'update-backfill':
        needs.backfillIds.push(write.backfillId);
        break;
      default:
        break;
    }
  }
  return needs;
}

export interface SnapshotRow {
  head_seq: number;
  head_hash: string;
  last_seq: number | null;
  steps: StepRow[];
  runs: RunRow[];
  backfills: BackfillRow[];
  backfill_runs: [string, string][];
  partitions: PartitionRow[];
  dynamic: [string, string][];
}

// Rows arrive as JSON (one call instead of one query per table), so timestamps arrive as text.
const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
const dates = <Row>(row: Row, fields: readonly (keyof Row)[]): Row => {
  for (const field of fields) (row as Record<keyof Row, unknown>)[field] = date(row[field] as string | null);
  return row;
};

/** The arguments of daybook_read_batch for a batch's needs, in its order; `also` adds steps and runs the caller's own call finds. */
export function readBatchArguments(needs: Needs, also: { stepIds?: RawBuilder<unknown>; runIds?: RawBuilder<unknown> } = {}): RawBuilder<unknown> {
  const stepIds = also.stepIds ? sql`${needs.stepIds}::uuid[] || ${also.stepIds}` : sql`${needs.stepIds}::uuid[]`;
  const runIds = also.runIds ? sql`${needs.runIds}::uuid[] || ${also.runIds}` : sql`${needs.runIds}::uuid[]`;
  return sql`${needs.seqs}::bigint, ${stepIds}, ${needs.finishing}::uuid[], ${runIds}, ${needs.backfillIds}::uuid[],
    ${needs.partitions.map((p) => p.asset)}::text[], ${needs.partitions.map((p) => p.partition)}::text[],
    ${needs.dynamic.map((d) => d.definition)}::text[], ${needs.dynamic.map((d) => d.key)}::text[]`;
}

/** The snapshot daybook_read_batch returned, for a batch of those needs. */
export function snapshotOf(row: SnapshotRow, needs: Needs): Snapshot {
  const backfillRuns = new Map<string, string[]>();
  for (const [backfill, run] of row.backfill_runs) backfillRuns.set(backfill, [...(backfillRuns.get(backfill) ?? []), run]);
  return {
    head: { seq: Number(row.head_seq), hash: row.head_hash },
    firstSeq: row.last_seq === null ? 0 : Number(row.last_seq) - needs.seqs + 1,
    steps: new Map(row.steps.map((step) => [step.id, dates(step, ['created_at', 'started_at', 'finished_at'])])),
    runs: new Map(row.runs.map((run) => [run.id, dates(run, ['created_at', 'started_at', 'finished_at'])])),
    backfills: new Map(row.backfills.map((backfill) => [backfill.id, dates(backfill, ['created_at', 'updated_at', 'finished_at'])])),
    backfillRuns,
    partitions: new Map(row.partitions.map((partition) => [partitionKey(partition.asset, partition.partition_key), dates(partition, ['updated_at'])])),
    dynamicKeys: new Set(row.dynamic.map(([definition, key]) => partitionKey(definition, key))),
  };
}

/**
 * Takes the write lock and reads, in one call, everything a batch's writes refer to: the steps,
 * runs and backfills they change, the states of the partitions they change, which of their dynamic
 * keys exist, the audit chain's head, and a block of seqs (daybook_read_batch in the migration).
 */
export async function readSnapshot(trx: Transaction<Database>, writes: readonly StoreWrite[]): Promise<Snapshot> {
  const needs = needsOf(writes);
  const result = await sql<{ batch: SnapshotRow }>`select daybook_read_batch(${readBatchArguments(needs)}) as batch`.execute(trx);
  return snapshotOf(result.rows[0]!.batch, needs);
}
