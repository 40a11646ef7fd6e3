import { sql, type Kysely } from 'kysely';
import { auditHash, GENESIS_HASH } from './audit-chain.ts';
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
  /** Start after this event instead of at the genesis (e.g. after an exported and pruned prefix). */
  after?: { seq: number; hash: string } | undefined;
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
  let previous = after ?? { seq: 0, hash: GENESIS_HASH };
  let checked = 0;
  const result = (broken?: BrokenLink): AuditVerification => ({
    ok: broken === undefined,
    checked,
    last: previous.seq === 0 ? undefined : previous,
    broken,
  });

  for (;;) {
    const page = await sql<AuditRow>`
      select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload_text, prev_hash, hash
      from audit_events where seq > ${previous.seq} and seq <= ${head.seq} order by seq limit ${pageSize}`.execute(db);
    for (const row of page.rows) {
      const expected = previous.seq + 1;
      if (row.seq !== expected) {
        const missing = row.seq - 1 === expected ? `event ${expected} is` : `events ${expected} to ${row.seq - 1} are`;
        return result({ seq: row.seq, reason: 'seq-gap', message: `audit event ${row.seq}: ${missing} missing (deleted)` });
      }
      if (row.prev_hash !== previous.hash) {
        return result({
          seq: row.seq,
          reason: 'prev-hash-mismatch',
          message: `audit event ${row.seq}: its prev_hash does not match the hash of event ${previous.seq} (an event was deleted, or events were reordered)`,
        });
      }
      const link = { seq: row.seq, at: row.at, actor: row.actor, action: row.action, asset: row.asset, partition: row.partition_key, runId: row.run_id, payloadText: row.payload_text };
      if (auditHash(row.prev_hash, link) !== row.hash) {
        return result({ seq: row.seq, reason: 'hash-mismatch', message: `audit event ${row.seq} (${row.action}): its fields do not match its hash (it was altered)` });
      }
      previous = { seq: row.seq, hash: row.hash };
      checked++;
    }
    if (page.rows.length < pageSize) break;
  }

  if (previous.seq !== head.seq || previous.hash !== head.hash) {
    const seq = previous.seq + 1;
    const message =
      previous.seq < head.seq
        ? `audit events ${seq} to ${head.seq} are missing: the chain ends at ${previous.seq} but the head records ${head.seq} (deleted from the end)`
        : `audit event ${previous.seq}: the head records hash ${head.hash.slice(0, 12)}… for it, the chain has ${previous.hash.slice(0, 12)}…`;
    return result({ seq: previous.seq < head.seq ? seq : previous.seq, reason: 'head-mismatch', message });
  }
  return result();
}
