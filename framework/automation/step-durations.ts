// What SLA prediction reads from the store: how long each asset's steps take, and which are running.
import { sql } from 'kysely';
import { formatPartition } from '../planner/explain.ts';
import type { MetadataStore } from '../store/store.ts';

/** How long an asset's successful steps took: their p50 and p90 over the most recent ones. */
export interface StepDurationStats {
  readonly asset: string;
  readonly p50Ms: number;
  readonly p90Ms: number;
  /** How many successful steps the figures come from. */
  readonly samples: number;
}

export interface StepDurationQuery {
  /** Only these assets; all by default. */
  assets?: readonly string[];
  /** The most recent successful steps per asset that count. */
  samples?: number;
}

/**
 * The p50 and p90 (continuous percentiles, as PostgreSQL's `percentile_cont`) of each asset's most
 * recent successful step durations, from a step's latest start to its end: a retried step counts
 * its successful attempt only.
 *
 * @example
 * const durations = await readStepDurations(store, { assets: ['weekly/quality'] });
 * durations.get('weekly/quality')?.p90Ms; // 27_840_000
 */
export async function readStepDurations(store: MetadataStore, { assets, samples = 50 }: StepDurationQuery = {}): Promise<Map<string, StepDurationStats>> {
  const only = assets === undefined ? sql`true` : sql`asset = any(${[...assets]}::text[])`;
  const result = await sql<{ asset: string; p50: number; p90: number; samples: number }>`
    select asset, count(*)::int as samples,
      percentile_cont(0.5) within group (order by ms) as p50,
      percentile_cont(0.9) within group (order by ms) as p90
    from (
      select asset, extract(epoch from finished_at - started_at) * 1000 as ms,
        row_number() over (partition by asset order by finished_at desc) as recent
      from steps
      where status = 'succeeded' and started_at is not null and finished_at is not null and ${only}
    ) durations
    where recent <= ${samples}
    group by asset`.execute(store.db);
  return new Map(result.rows.map((row) => [row.asset, { asset: row.asset, p50Ms: Number(row.p50), p90Ms: Number(row.p90), samples: row.samples }]));
}

/** A step running now: its asset partition and the start of its current attempt. */
export interface RunningStep {
  readonly asset: string;
  readonly partition: string;
  readonly startedAt: number;
}

/** The steps running now, optionally of some assets only. */
export async function readRunningSteps(store: MetadataStore, { assets }: { assets?: readonly string[] } = {}): Promise<RunningStep[]> {
  let query = store.db.selectFrom('steps').select(['asset', 'partition_key', 'started_at']).where('status', '=', 'running').where('started_at', 'is not', null);
  if (assets !== undefined) query = query.where(sql<boolean>`asset = any(${[...assets]}::text[])`);
  const rows = await query.execute();
  return rows.map((row) => ({ asset: row.asset, partition: row.partition_key, startedAt: row.started_at!.getTime() }));
}

/** Partitions (`asset[partition]`) whose step failed an attempt and waits to be retried. */
export async function readRetryingPartitions(store: MetadataStore): Promise<Set<string>> {
  const rows = await store.db.selectFrom('steps').select(['asset', 'partition_key']).where('status', '=', 'pending').where('attempts', '>', 0).execute();
  return new Set(rows.map((row) => formatPartition(row.asset, row.partition_key)));
}
