// What the failure rules read from the store: partitions whose last step failed for good.
import { sql } from 'kysely';
import type { MetadataStore } from '../store/store.ts';

/** A partition whose latest step failed after its last retry, or was stopped by a blocking check. */
export interface PartitionFailure {
  readonly asset: string;
  readonly partition: string;
  readonly stepId: string;
  readonly runId: string;
  readonly status: 'failed' | 'blocked-by-check';
  readonly attempts: number;
  readonly failedAt: number | null;
  readonly message: string;
  /** For `blocked-by-check`: the blocking checks that failed, with their messages. */
  readonly checks: readonly { readonly name: string; readonly message: string }[];
}

/**
 * Every partition that is failed now because its latest step ended `failed` (retries exhausted: a
 * step being retried is `pending`, not `failed`) or `blocked-by-check`. A partition stops being
 * failed when it is materialized again, or found up to date.
 */
export async function readPartitionFailures(store: MetadataStore, { limit = 1_000 }: { limit?: number } = {}): Promise<PartitionFailure[]> {
  const failed = await sql<{
    asset: string;
    partition_key: string;
    failure: string | null;
    step_id: string;
    run_id: string;
    status: 'failed' | 'blocked-by-check';
    attempts: number;
    finished_at: Date | null;
  }>`
    select p.asset, p.partition_key, p.failure, s.id as step_id, s.run_id, s.status, s.attempts, s.finished_at
    from asset_partitions p join steps s on s.id = p.failed_step_id
    where p.failed and s.status in ('failed', 'blocked-by-check')
    order by s.finished_at desc nulls last
    limit ${limit}`.execute(store.db);
  const blocked = failed.rows.filter((row) => row.status === 'blocked-by-check').map((row) => row.step_id);
  const checks = new Map<string, { name: string; message: string }[]>();
  if (blocked.length > 0) {
    const rows = await store.db
      .selectFrom('check_results')
      .select(['step_id', 'check_name', 'message'])
      .where(sql<boolean>`step_id = any(${blocked}::uuid[])`)
      .where('passed', '=', false)
      .where('blocking', '=', true)
      .orderBy('id')
      .execute();
    for (const row of rows) checks.set(row.step_id!, [...(checks.get(row.step_id!) ?? []), { name: row.check_name, message: row.message }]);
  }
  return failed.rows.map((row) => ({
    asset: row.asset,
    partition: row.partition_key,
    stepId: row.step_id,
    runId: row.run_id,
    status: row.status,
    attempts: row.attempts,
    failedAt: row.finished_at?.getTime() ?? null,
    message: row.failure ?? '',
    checks: checks.get(row.step_id) ?? [],
  }));
}
