import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sql, type RawBuilder } from 'kysely';
import { GENESIS_HASH } from '../store/audit-chain.ts';
import type { AuditRow } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import { checkAuditHead, checkAuditLink, type AuditLinkAnchor, type AuditVerification, type BrokenLink } from '../store/verify-audit.ts';

/** Where the events are hashed: in worker threads, or in the database on one connection per core. */
export type VerifyHashing = 'threads' | 'database';

export interface ParallelVerifyOptions {
  /**
   * `threads` (PGlite's default): the database encodes each event and worker threads hash it.
   * `database` (PostgreSQL's default): the database also hashes, on parallel connections, and
   * returns each batch's links; its server processes are the cores that work.
   */
  hashing?: VerifyHashing;
  /** Cores to use: worker threads, and batches being read from the store at once; default every core. */
  parallelism?: number;
  /** Events per batch; default 25,000 hashed in the database, 5,000 in threads (measured best on two cores). */
  batchSize?: number;
  /** Told when a flagged batch is checked again event by event (a diagnostic: an intact chain has none). */
  onRecheck?: (range: { after: number; through: number }) => void;
}

/** What one batch (a seq range) showed: its ends, and whether anything in it needs checking event by event. */
interface Batch {
  readonly rows: number;
  readonly firstSeq: number;
  readonly firstPrev: string;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly suspect: boolean;
}

/**
 * The encoding each event's hash covers (docs/store.md), built by the database: to_json escapes text
 * as JSON.stringify does (newlines included), to_char gives the millisecond ISO time, and one
 * concat() copies each part once. It costs the database less than the same encoding costs
 * JavaScript. An intact chain's encodings all match the store's: a test checks it, escapes included.
 */
const CANONICAL = sql`'[', seq, ',"', to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '",',
  to_json(actor), ',', to_json(action), ',', coalesce(to_json(asset)::text, 'null'), ',',
  coalesce(to_json(partition_key)::text, 'null'), ',', case when run_id is null then 'null' else concat('"', run_id, '"') end, ',', payload, ']'`;

/**
 * For the worker threads: each event as one line, `hash \t prev_hash canonical`, which they split and
 * hash. The row count comes along: a payload altered to hold a raw line break would split its line.
 */
const linesOf = (after: number, through: number): RawBuilder<{ text: string | null; rows: number }> => sql`
  select string_agg(line, E'\n') as text, count(*)::int as rows from (
    select concat(hash, E'\t', prev_hash, ${CANONICAL}) as line from audit_events where seq > ${after} and seq <= ${through} order by seq
  ) lines`;

/**
 * In the database: the batch's size and ends, and how many of its events are off, i.e. do not hash to
 * their hash or do not name the hash before them as their prev_hash (the first is checked against
 * the batch before, here). Only a few values come back, whatever the batch's size. textsend() gives
 * the text's bytes in the database's encoding, UTF-8 on PGlite and in practice on PostgreSQL (in any
 * other, every batch would look off and be checked again here, event by event: same verdicts, slower).
 */
const hashedIn = (after: number, through: number): RawBuilder<DatabaseBatch> => sql`
  select count(*)::int as rows, min(seq) as first_seq, max(seq) as last_seq,
    count(*) filter (where prev_hash <> before or encode(sha256(textsend(concat(prev_hash, ${CANONICAL}))), 'hex') <> hash)::int as bad,
    max(prev_hash) filter (where seq = ${after + 1}) as first_prev, max(hash) filter (where seq = ${through}) as last_hash
  from (select *, lag(hash) over (order by seq) as before from audit_events where seq > ${after} and seq <= ${through}) events`;

interface DatabaseBatch {
  readonly rows: number;
  readonly first_seq: number | null;
  readonly last_seq: number | null;
  readonly bad: number;
  readonly first_prev: string | null;
  readonly last_hash: string | null;
}

/**
 * Verifies the audit chain as `store.verifyAuditChain()` does, with the same verdicts, on every core.
 * The store's events go in batches (seq ranges), several at once; each batch is hashed in worker
 * threads or in the database (see `hashing`), and this thread checks, in seq order, that each batch
 * holds every seq of its range, that its links hold, and that it continues the batch before. A batch
 * where anything is off is checked again here event by event with the store's own code, which names
 * the first broken link exactly. An intact chain never takes that path.
 *
 * The database encodes the events in both ways and, with `database`, hashes them too: a verifier
 * trusts the database for the rows it serves either way, so this gives nothing up.
 *
 * @example
 * const result = await verifyAuditChainParallel(store);
 * if (!result.ok) console.log(result.broken.message);
 */
export async function verifyAuditChainParallel(
  store: MetadataStore,
  { hashing = store.dialect === 'postgres' ? 'database' : 'threads', parallelism = availableParallelism(), batchSize = hashing === 'database' ? 25_000 : 5_000, onRecheck }: ParallelVerifyOptions = {},
): Promise<AuditVerification> {
  const head = await store.auditHead();
  const anchor = (await store.auditAnchor()) ?? { seq: 0, hash: GENESIS_HASH };
  let previous: AuditLinkAnchor = { seq: anchor.seq, hash: anchor.hash };
  let checked = 0;
  const result = (broken?: BrokenLink): AuditVerification => ({ ok: broken === undefined, checked, last: previous.seq === 0 ? undefined : previous, broken });
  if (head.seq <= anchor.seq) return result(checkAuditHead(previous, head));

  const cores = Math.max(1, parallelism);
  const threads = hashing === 'threads' ? workerPool(cores) : undefined;
  const batches = Math.ceil((head.seq - anchor.seq) / batchSize);
  const rangeOf = (id: number) => ({ after: anchor.seq + id * batchSize, through: Math.min(head.seq, anchor.seq + (id + 1) * batchSize) });
  const verify = async (id: number): Promise<Batch> => {
    const { after, through } = rangeOf(id);
    if (threads) {
      const row = (await linesOf(after, through).execute(store.db)).rows[0];
      return threads.verify(id, row?.text ?? '', row?.rows ?? 0);
    }
    const row = (await hashedIn(after, through).execute(store.db)).rows[0]!;
    return linkedBatch(row, { after, through });
  };

  try {
    // Keep several batches in flight (the database serves them on separate connections); take their results in order.
    const inFlight: Promise<Batch>[] = [];
    let next = 0;
    const fill = () => {
      while (next < batches && inFlight.length < 2 * cores) {
        const batch = verify(next++);
        // Awaited in order below; one that fails after an earlier break is never awaited.
        batch.catch(() => undefined);
        inFlight.push(batch);
      }
    };
    fill();
    for (let id = 0; id < batches; id++) {
      const batch = await inFlight.shift()!;
      fill();
      if (batch.rows === 0) continue;
      const continues = batch.firstSeq === previous.seq + 1 && batch.firstPrev === previous.hash && batch.lastSeq - batch.firstSeq + 1 === batch.rows;
      if (batch.suspect || !continues) {
        onRecheck?.(rangeOf(id));
        const exact = await verifyExactly(store, rangeOf(id), previous);
        checked += exact.checked;
        previous = exact.last;
        if (exact.broken) return result(exact.broken);
        continue;
      }
      checked += batch.rows;
      previous = { seq: batch.lastSeq, hash: batch.lastHash };
    }
    return result(checkAuditHead(previous, head));
  } finally {
    await threads?.close();
  }
}

/** A database-hashed batch: suspect when any event is off, or the batch does not hold both ends of its range (whose rows give its first prev_hash and last hash). */
function linkedBatch({ rows, first_seq, last_seq, bad, first_prev, last_hash }: DatabaseBatch, { after, through }: { after: number; through: number }): Batch {
  const firstSeq = Number(first_seq ?? 0);
  const lastSeq = Number(last_seq ?? 0);
  return { rows, firstSeq, firstPrev: first_prev ?? '', lastSeq, lastHash: last_hash ?? '', suspect: bad > 0 || firstSeq !== after + 1 || lastSeq !== through };
}

/** Worker threads (`verify-worker.js`) that hash batches of lines and check their links. */
function workerPool(size: number): { verify(id: number, text: string, rows: number): Promise<Batch>; close(): Promise<void> } {
  const pool = Array.from({ length: size }, () => new Worker(new URL('./verify-worker.js', import.meta.url)));
  const waiting = new Map<number, { resolve: (batch: Batch) => void; reject: (error: Error) => void }>();
  for (const worker of pool) {
    worker.on('message', (message: { id: number; count: number; firstSeq: number; firstPrev: string; lastSeq: number; lastHash: string; broken: unknown }) => {
      const { id, count, firstSeq, firstPrev, lastSeq, lastHash, broken } = message;
      waiting.get(id)?.resolve({ rows: count, firstSeq, firstPrev, lastSeq, lastHash, suspect: broken !== null });
      waiting.delete(id);
    });
    worker.on('error', (error) => {
      for (const pending of waiting.values()) pending.reject(error);
      waiting.clear();
    });
  }
  return {
    verify: (id, text, rows) =>
      new Promise<Batch>((resolve, reject) => {
        // A batch the workers could not read in full is suspect: its row count is what the store holds.
        waiting.set(id, { resolve: (batch) => resolve(batch.rows === rows ? batch : { ...batch, rows, suspect: true }), reject });
        pool[id % pool.length]!.postMessage({ id, text, rows });
      }),
    close: async () => {
      await Promise.all(pool.map((worker) => worker.terminate()));
    },
  };
}

/** The store's own check of one batch, event by event, from `start`. */
async function verifyExactly(store: MetadataStore, { after, through }: { after: number; through: number }, start: AuditLinkAnchor) {
  const rows = await sql<AuditRow>`
    select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload_text, prev_hash, hash
    from audit_events where seq > ${after} and seq <= ${through} order by seq`.execute(store.db);
  let last = start;
  let checked = 0;
  for (const row of rows.rows) {
    const broken = checkAuditLink(last, row);
    if (broken) return { checked, last, broken };
    last = { seq: row.seq, hash: row.hash };
    checked++;
  }
  return { checked, last, broken: undefined };
}
