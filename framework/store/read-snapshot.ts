import { sql, type Transaction } from 'kysely';
import { partitionKey, type Snapshot } from './fold-state.ts';
import type { BackfillRow, Database, PartitionRow, RunRow, StepRow } from './schema.ts';
import type { StoreWrite } from './writes.ts';

interface Needs {
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
function needsOf(writes: readonly StoreWrite[]): Needs {
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

interface SnapshotRow {
  last_seq: number | null;
  steps: StepRow[];
  runs: RunRow[];
  backfills: BackfillRow[];
  backfill_runs: [string, string][];
  partitions: PartitionRow[];
  dynamic: [string, string][];
}

// Rows arrive as JSON (one statement instead of one per table), so timestamps arrive as text.
const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
const dates = <Row>(row: Row, fields: readonly (keyof Row)[]): Row => {
  for (const field of fields) (row as Record<keyof Row, unknown>)[field] = date(row[field] as string | null);
  return row;
};

/**
 * Reads, in one statement, everything a batch's writes refer to: the steps, runs and backfills
 * they change, the states of the partitions they change, which of their dynamic keys exist, and a
 * block of seqs. Runs under the write lock, after it is taken, so it sees every earlier commit.
 */
export async function readSnapshot(trx: Transaction<Database>, writes: readonly StoreWrite[], head: { seq: number; hash: string }): Promise<Snapshot> {
  const needs = needsOf(writes);
  const result = await sql<SnapshotRow>`
    select
      case when ${needs.seqs}::bigint > 0 then setval('daybook_seq', nextval('daybook_seq') + ${needs.seqs}::bigint - 1) end as last_seq,
      (select coalesce(json_agg(s), '[]') from steps s where s.id = any(${needs.stepIds}::uuid[])) as steps,
      (select coalesce(json_agg(r), '[]') from runs r where r.id = any(${needs.runIds}::uuid[])) as runs,
      (select coalesce(json_agg(b), '[]') from backfills b where b.id = any(${needs.backfillIds}::uuid[])) as backfills,
      (select coalesce(json_agg(json_build_array(r.backfill_id, r.id) order by r.created_at, r.id), '[]')
        from runs r where r.backfill_id = any(${needs.backfillIds}::uuid[])) as backfill_runs,
      (select coalesce(json_agg(p), '[]') from asset_partitions p
        where (p.asset, p.partition_key) in (
          select s.asset, s.partition_key from steps s where s.id = any(${needs.finishing}::uuid[])
          union all
          select * from unnest(${needs.partitions.map((p) => p.asset)}::text[], ${needs.partitions.map((p) => p.partition)}::text[]))) as partitions,
      (select coalesce(json_agg(json_build_array(d.definition, d.key)), '[]') from dynamic_partition_keys d
        join unnest(${needs.dynamic.map((d) => d.definition)}::text[], ${needs.dynamic.map((d) => d.key)}::text[]) as k(definition, key)
          on d.definition = k.definition and d.key = k.key) as dynamic`.execute(trx);
  const row = result.rows[0]!;
  const backfillRuns = new Map<string, string[]>();
  for (const [backfill, run] of row.backfill_runs) backfillRuns.set(backfill, [...(backfillRuns.get(backfill) ?? []), run]);
  return {
    head,
    firstSeq: row.last_seq === null ? 0 : Number(row.last_seq) - needs.seqs + 1,
    steps: new Map(row.steps.map((step) => [step.id, dates(step, ['created_at', 'started_at', 'finished_at'])])),
    runs: new Map(row.runs.map((run) => [run.id, dates(run, ['created_at', 'started_at', 'finished_at'])])),
    backfills: new Map(row.backfills.map((backfill) => [backfill.id, dates(backfill, ['created_at', 'updated_at', 'finished_at'])])),
    backfillRuns,
    partitions: new Map(row.partitions.map((partition) => [partitionKey(partition.asset, partition.partition_key), dates(partition, ['updated_at'])])),
    dynamicKeys: new Set(row.dynamic.map(([definition, key]) => partitionKey(definition, key))),
  };
}
