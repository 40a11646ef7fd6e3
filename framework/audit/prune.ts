import { sql } from 'kysely';
import type { DuckDB } from '../io/duckdb.ts';
import type { AuditPruneResult } from '../store/audit-archives.ts';
import type { MetadataStore } from '../store/store.ts';
import type { AuditVerification } from '../store/verify-audit.ts';
import { DAY_MS } from '../util/dates.ts';
import { AuditError } from '../util/errors.ts';
import type { AuditArchive } from './archive.ts';
import { verifyAuditArchives } from './verify-archives.ts';

export interface PruneAuditOptions {
  store: MetadataStore;
  archive: AuditArchive;
  duckdb: DuckDB;
  /** Events and run details older than this many days may go, once exported and verified. */
  retentionDays: number;
  /** Epoch ms. */
  now?: number;
  actor?: string;
  /** Verifies the store's chain; default `store.verifyAuditChain()`. */
  verifyStore?: () => Promise<AuditVerification>;
}

/** What a prune did, or why it did nothing. */
export interface AuditPrune {
  readonly cutoff: Date;
  /** Undefined when nothing could be pruned; `message` says why. */
  readonly pruned: AuditPruneResult | undefined;
  readonly message: string;
  /** The store's chain after the prune, verified from its new anchor. */
  readonly verification: AuditVerification | undefined;
}

/**
 * Removes from the hot store the audit events and run details older than the retention, but only
 * whole exports that are registered and verify: the archives (manifests, file hashes, chain) and
 * the store's chain are all checked first, and a prune never goes past the last export. Unexported
 * old events stay, and the message says to export them. Afterwards the store's chain verifies from
 * the last pruned export's final event.
 *
 * @example
 * const { pruned, message } = await pruneAudit({ store, archive, duckdb, retentionDays: 400 });
 */
export async function pruneAudit({ store, archive, duckdb, retentionDays, now = Date.now(), actor, verifyStore }: PruneAuditOptions): Promise<AuditPrune> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new AuditError('audit-invalid-request', `retention must be a whole number of days ≥ 1, got ${retentionDays}`, { field: 'retentionDays' });
  }
  const cutoff = new Date(now - retentionDays * DAY_MS);
  const anchor = (await store.auditAnchor())?.seq ?? 0;
  const archives = (await store.listAuditArchives()).filter((record) => record.lastSeq > anchor);
  // Archives go whole and in order: up to the first one holding an event newer than the cutoff.
  const firstRecent = archives.findIndex((record) => record.maxAt >= cutoff);
  const eligible = firstRecent < 0 ? archives : archives.slice(0, firstRecent);
  const target = eligible.at(-1);
  if (!target) {
    const old = await sql<{ n: number }>`select count(*)::int as n from audit_events where seq > ${archives.at(-1)?.lastSeq ?? anchor} and at < ${cutoff}`.execute(store.db);
    const unexported = old.rows[0]!.n;
    const message =
      unexported > 0
        ? `nothing pruned: ${unexported} audit events older than ${cutoff.toISOString()} are not exported yet (daybook audit export), and the chain is never pruned without an export`
        : `nothing pruned: no exported audit events older than ${cutoff.toISOString()} remain in the store`;
    return { cutoff, pruned: undefined, message, verification: undefined };
  }
  const verified = await verifyAuditArchives({ store, archive, duckdb, ...(verifyStore ? { verifyStore } : {}) });
  if (!verified.ok) {
    throw new AuditError('audit-refused', `prune refused, nothing was removed: ${verified.broken!.message}`, { field: verified.broken!.where });
  }
  const pruned = await store.pruneAudit({ through: target.lastSeq, cutoff }, { ...(actor === undefined ? {} : { actor }), at: now });
  const verification = await (verifyStore ?? (() => store.verifyAuditChain()))();
  const message = `pruned ${pruned.events} audit events through seq ${pruned.through} (${pruned.archive}) and ${pruned.runs} runs older than ${cutoff.toISOString()}`;
  return { cutoff, pruned, message, verification };
}
