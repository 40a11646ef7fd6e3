import { sql, type Kysely } from 'kysely';
import { auditHash, GENESIS_HASH } from './audit-chain.ts';
import { auditAnchor } from './audit-archives.ts';
import type { AuditRow, Database } from './schema.ts';

/** Why a link is broken, and what that means. */
export type BrokenLinkReason =
  /** The event's fields no longer give its hash: it was altered. */
  | 'hash-mismatch'
  /** The event does not point at the event before it: an event was deleted, or events were reordered. */
  | 'prev-hash-mismatch'
  /** Seqs jump: events were deleted. */
  | 'seq-gap'
  /** The chain does not end where the head row says: events were deleted from the end, or added around the store. */
  | 'head-mismatch';

/** The first broken link of the chain. */
export interface BrokenLink {
  /** The seq of the first event that does not verify (for a truncated chain, the first missing seq). */
  readonly seq: number;
  readonly reason: BrokenLinkReason;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Events checked. */
  readonly checked: number;
  /** The last event that verified: keep it to check later that the chain still extends it. */
  readonly last: { readonly seq: number; readonly hash: string } | undefined;
  readonly broken: BrokenLink | undefined;
}

export interface VerifyAuditOptions {
  /** Events read per query. */
  pageSize?: number;
  /**
   * Start after this event instead of at the genesis. By default, a chain whose first events were
   * pruned starts after the archive that holds them (the one whose last seq precedes the first
   * stored event); `daybook audit verify --archives` checks the archives themselves.
   */
  after?: { seq: number; hash: string } | undefined;
}

/** The seq and hash a link must follow. */
export interface AuditLinkAnchor {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Checks one event against the event before it, in the order that names the likeliest cause: its
 * seq follows (else events were deleted), its prev_hash is the previous hash (else deleted or
 * reordered), and its hash recomputes from its fields (else it was altered). `undefined` when it holds.
 */
export function checkAuditLink(previous: AuditLinkAnchor, row: AuditRow): BrokenLink | undefined {
  const expected = previous.seq + 1;
  if (row.seq !== expected) {
    const missing = row.seq - 1 === expected ? `event ${expected} is` : `events ${expected} to ${row.seq - 1} are`;
    const reason = row.seq > expected ? `${missing} missing (deleted)` : `it follows event ${previous.seq} (events were reordered or duplicated)`;
    return { seq: row.seq, reason: 'seq-gap', message: `audit event ${row.seq}: ${reason}` };
  }
  if (row.prev_hash !== previous.hash) {
    return {
      seq: row.seq,
      reason: 'prev-hash-mismatch',
      message: `audit event ${row.seq}: its prev_hash does not match the hash of event ${previous.seq} (an event was deleted, or events were reordered)`,
    };
  }
  const link = { seq: row.seq, at: row.at, actor: row.actor, action: row.action, asset: row.asset, partition: row.partition_key, runId: row.run_id, payloadText: row.payload_text };
  if (auditHash(row.prev_hash, link) !== row.hash) {
    return { seq: row.seq, reason: 'hash-mismatch', message: `audit event ${row.seq} (${row.action}): its fields do not match its hash (it was altered)` };
  }
  return undefined;
}

/** The verdict when the chain stops at `last` but the head row records `head`; `undefined` when they agree. */
export function checkAuditHead(last: AuditLinkAnchor, head: AuditLinkAnchor): BrokenLink | undefined {
  if (last.seq === head.seq && last.hash === head.hash) return undefined;
  const seq = last.seq + 1;
  const message =
    last.seq < head.seq
      ? `audit events ${seq} to ${head.seq} are missing: the chain ends at ${last.seq} but the head records ${head.seq} (deleted from the end)`
      : `audit event ${last.seq}: the head records hash ${head.hash.slice(0, 12)}… for it, the chain has ${last.hash.slice(0, 12)}…`;
  return { seq: last.seq < head.seq ? seq : last.seq, reason: 'head-mismatch', message };
}

/**
 * Walks the audit chain in seq order, a page at a time, and stops at the first broken link. Each
 * event is checked three ways, in this order so the reason names the likeliest cause: its seq
 * follows the previous one (else events were deleted), its prev_hash is the previous event's hash
 * (else deleted or reordered), and its hash recomputes from its fields (else it was altered).
 * Finally the chain must end where the head row, updated in every write transaction, says it does.
 */
export async function verifyAuditChain(db: Kysely<Database>, { pageSize = 10_000, after }: VerifyAuditOptions = {}): Promise<AuditVerification> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  let previous: AuditLinkAnchor = after ?? (await auditAnchor(db)) ?? { seq: 0, hash: GENESIS_HASH };
  let checked = 0;
  const result = (broken?: BrokenLink): AuditVerification => ({
    ok: broken === undefined,
    checked,
    last: previous.seq === 0 ? undefined : { seq: previous.seq, hash: previous.hash },
    broken,
  });

  for (;;) {
    const page = await sql<AuditRow>`
      select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload_text, prev_hash, hash
      from audit_events where seq > ${previous.seq} and seq <= ${head.seq} order by seq limit ${pageSize}`.execute(db);
    for (const row of page.rows) {
      const broken = checkAuditLink(previous, row);
      if (broken) return result(broken);
      previous = { seq: row.seq, hash: row.hash };
      checked++;
    }
    if (page.rows.length < pageSize) break;
  }
  return result(checkAuditHead(previous, head));
}
