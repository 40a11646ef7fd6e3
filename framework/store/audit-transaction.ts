import { sql, type Kysely, type Transaction } from 'kysely';
import { FoldState, type AuditSubject } from './fold-state.ts';
import type { Database } from './schema.ts';
import { writeChanges } from './write-changes.ts';

/** An audit event that a transaction appends to the chain. */
export interface ChainedEvent extends AuditSubject {
  readonly action: string;
  readonly payload: object;
  readonly actor: string;
  readonly at: Date;
}

/** What a body of `auditTransaction()` gets: the transaction, the chain's head when it began, and a way to append events. */
export interface AuditTransactionContext {
  readonly trx: Transaction<Database>;
  readonly head: { readonly seq: number; readonly hash: string };
  /** Queues an event; it is chained and written when the body returns, in the same transaction. */
  append(event: ChainedEvent): void;
}

/**
 * Runs `body` in a transaction that holds the store's write lock (the audit head row, as every
 * group-commit batch does) and appends the events it queues to the chain before committing. For
 * rare writes of their own tables (archives, prunes, asset definitions) whose audit events must
 * commit with them; the run lifecycle goes through the group commit.
 */
export async function auditTransaction<T>(db: Kysely<Database>, body: (context: AuditTransactionContext) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ seq: number; hash: string }>`select seq, hash from audit_head where id = 1 for update`.execute(trx);
    const head = { seq: Number(locked.rows[0]!.seq), hash: locked.rows[0]!.hash };
    const events: ChainedEvent[] = [];
    const result = await body({ trx, head, append: (event) => events.push(event) });
    if (events.length > 0) {
      const state = new FoldState({
        head,
        firstSeq: 0,
        steps: new Map(),
        runs: new Map(),
        backfills: new Map(),
        backfillRuns: new Map(),
        partitions: new Map(),
        dynamicKeys: new Set(),
      });
      for (const event of events) state.record(event.at, event.actor, event.action, event, event.payload);
      await writeChanges(trx, state.changes());
    }
    return result;
  });
}
