import type { Kysely, Transaction } from 'kysely';
import { foldWrites } from './fold-writes.ts';
import { readSnapshot } from './read-snapshot.ts';
import type { Database } from './schema.ts';
import { writeChanges } from './write-changes.ts';
import type { StoreWrite } from './writes.ts';

/**
 * Commits a batch of writes in one transaction of two calls, and returns each write's result:
 * lock the audit head row and read what the writes refer to, fold the writes in memory, then
 * write every change. The lock serializes writers (across processes too, on PostgreSQL): the
 * audit chain needs each event's predecessor, and allocating seqs under it makes commit order and
 * seq order agree, so that "materialized after" means what the planner takes it to mean.
 */
export async function applyWrites(db: Kysely<Database>, writes: readonly StoreWrite[]): Promise<unknown[]> {
  return db.transaction().execute((trx) => applyWritesIn(trx, writes));
}

/** The same in a transaction the caller holds, so that its own statements commit with the writes (the work queue, sensor cursors). */
export async function applyWritesIn(trx: Transaction<Database>, writes: readonly StoreWrite[]): Promise<unknown[]> {
  const changes = foldWrites(writes, await readSnapshot(trx, writes));
  await writeChanges(trx, changes);
  return changes.results;
}
