import { sql } from 'kysely';
import type { MetadataStore } from '../store/store.ts';
import type { QueueDepth } from './alert-rules.ts';

/** Steps of queued or running runs that have not ended, as `asset|partition`: what conditions must not request again. */
export async function inProgressPartitions(store: MetadataStore): Promise<string[]> {
  const rows = await sql<{ asset: string; partition_key: string }>`
    select s.asset, s.partition_key from steps s join runs r on r.id = s.run_id
    where r.status in ('queued', 'running') and s.status in ('pending', 'running')`.execute(store.db);
  return rows.rows.map((row) => `${row.asset}|${row.partition_key}`);
}

/**
 * Per pool (`default` for steps in none), the queued steps that are ready and wait for a worker, and
 * how long the oldest of them has waited: the queue-depth alert's input.
 */
export async function queueDepths(store: MetadataStore): Promise<QueueDepth[]> {
  const now = new Date(store.now());
  const rows = await sql<{ pool: string; waiting: string | number; oldest: Date | null }>`
    select coalesce(pool, 'default') as pool, count(*) as waiting, min(enqueued_at) as oldest from step_queue
    where blockers = 0 and (lease_owner is null or lease_expires_at < ${now}::timestamptz)
    group by 1 order by 1`.execute(store.db);
  return rows.rows.map((row) => ({
    pool: row.pool,
    waiting: Number(row.waiting),
    oldestWaitingMs: row.oldest === null ? 0 : Math.max(0, now.getTime() - new Date(row.oldest).getTime()),
  }));
}
