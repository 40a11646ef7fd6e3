import { sql, type Transaction } from 'kysely';
import { applyWritesIn } from '../../store/apply-writes.ts';
import { prepareWrite } from '../../store/prepare-write.ts';
import type { Database } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import type { StoreWrite } from '../../store/writes.ts';

/** What a queue transaction gets: the transaction, and a way to commit store writes in it. */
export interface QueueTransaction {
  readonly trx: Transaction<Database>;
  /** Folds and writes store changes (steps, runs, their audit events) in this transaction; resolves with each write's result. */
  apply(writes: readonly StoreWrite[]): Promise<unknown[]>;
}

/**
 * Runs `body` in one transaction that first takes the store's write lock (the audit head row, as
 * every group-commit batch does), so that queue changes and the audited step changes they imply
 * commit together, and in the same order as every other write. Taking the lock first also fixes
 * the lock order (audit head, then queue rows), so queue transactions never deadlock one another.
 */
export async function queueTransaction<T>(store: MetadataStore, body: (context: QueueTransaction) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    // JIT compiling a claim's plan costs far more than running it (its estimates are high while the queue has no statistics).
    await sql`select seq, set_config('jit', 'off', true) from audit_head where id = 1 for update`.execute(trx);
    const apply = async (writes: readonly StoreWrite[]) => {
      if (writes.length === 0) return [];
      const context = { now: store.now(), actor: store.actor };
      return applyWritesIn(trx, writes.map((write) => prepareWrite(write, context)));
    };
    return body({ trx, apply });
  });
}

/** Wakes the workers of other processes (LISTEN daybook_work) when this transaction commits; PGlite has only this process's. */
export async function notifyWorkers(store: MetadataStore, trx: Transaction<Database>, channel: QueueChannel = WORK_CHANNEL): Promise<void> {
  if (store.dialect === 'postgres') await sql`select pg_notify(${channel}, current_schema())`.execute(trx);
}

/** The channel workers LISTEN on; the payload is the store's schema, as one database may hold several stores. */
export const WORK_CHANNEL = 'daybook_work';
/** The channel daemons LISTEN on too: partitions materialized or runs ended, which conditions may react to. */
export const CHANGE_CHANNEL = 'daybook_changes';
export type QueueChannel = typeof WORK_CHANNEL | typeof CHANGE_CHANNEL;
