import { StoreError } from '../util/errors.ts';
import type { StoreWrite } from './writes.ts';

interface Unit {
  readonly writes: readonly StoreWrite[];
  readonly resolve: (results: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Commits writes in one transaction and returns their results (see apply-writes.ts). */
  apply: (writes: readonly StoreWrite[]) => Promise<unknown[]>;
  /** Most writes in one transaction; a longer queue is committed in several. */
  maxWrites?: number;
  /** Names the store in errors. */
  where: string;
}

/**
 * Group commit: callers' writes queue up while a transaction is in flight, and the next
 * transaction commits all of them at once. Each caller's promise settles only after the
 * transaction holding its writes has committed (or failed), so nothing is reported before it is
 * durable. A batch is all or nothing per caller: when a batch fails, its callers' writes are
 * retried one caller at a time, so one bad write fails only the caller that sent it.
 *
 * There is no timer: a transaction starts as soon as the previous one ends (after the current
 * turn of the event loop, so that writes sent together join), and batches grow with the load.
 */
export class GroupCommit {
  readonly #apply: GroupCommitOptions['apply'];
  readonly #maxWrites: number;
  readonly #where: string;
  #queue: Unit[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  #transactions = 0;
  #writes = 0;

  constructor({ apply, maxWrites = 4_000, where }: GroupCommitOptions) {
    this.#apply = apply;
    this.#maxWrites = maxWrites;
    this.#where = where;
  }

  /** Queues writes to commit together in one transaction; resolves with their results once committed. */
  submit(writes: readonly StoreWrite[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new StoreError('store-failed', `the store at ${this.#where} is closed`));
    if (writes.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ writes, resolve, reject });
      this.#draining ??= new Promise<void>((done) => setImmediate(done)).then(() => this.#drain());
    });
  }

  /** Transactions committed and the writes they held, since the store opened. */
  stats(): { transactions: number; writes: number } {
    return { transactions: this.#transactions, writes: this.#writes };
  }

  /** Waits for every queued write to commit, then refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#take();
        await this.#commit(batch);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #take(): Unit[] {
    let count = 0;
    let taken = 0;
    while (taken < this.#queue.length && (taken === 0 || count + this.#queue[taken]!.writes.length <= this.#maxWrites)) {
      count += this.#queue[taken]!.writes.length;
      taken++;
    }
    return this.#queue.splice(0, taken);
  }

  async #commit(batch: readonly Unit[]): Promise<void> {
    const writes = batch.length === 1 ? batch[0]!.writes : batch.flatMap((unit) => unit.writes);
    let results: unknown[];
    try {
      results = await this.#apply(writes);
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const unit of batch) await this.#commit([unit]);
      return;
    }
    this.#transactions++;
    this.#writes += writes.length;
    let offset = 0;
    for (const unit of batch) {
      unit.resolve(results.slice(offset, offset + unit.writes.length));
      offset += unit.writes.length;
    }
  }
}
