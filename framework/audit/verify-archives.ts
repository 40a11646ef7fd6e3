import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DuckDB } from '../io/duckdb.ts';
import { hashFile } from '../io/content-hash.ts';
import { GENESIS_HASH } from '../store/audit-chain.ts';
import type { AuditArchiveRecord } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import type { AuditLinkAnchor, AuditVerification, BrokenLinkReason } from '../store/verify-audit.ts';
import { DaybookError } from '../util/errors.ts';
import type { AuditArchive } from './archive.ts';
import { verifyArchivedChain } from './archived-events.ts';
import { EVENTS_FILE, MANIFEST_FILE, readManifest } from './manifest.ts';

/** Why an archive does not verify, besides a broken link inside it. */
export type ArchiveProblem =
  /** A registered export is not in the archive. */
  | 'archive-missing'
  /** The manifest is not the one registered, or does not chain to the previous manifest. */
  | 'manifest-mismatch'
  /** A file's bytes do not match the manifest's SHA-256. */
  | 'file-mismatch'
  /** The archive's last event differs from the store's event of the same seq. */
  | 'archive-diverges';

/** The first problem found: in which archive (or `store`), at which seq when there is one. */
export interface ArchiveBreak {
  readonly where: string;
  readonly seq: number | undefined;
  readonly reason: BrokenLinkReason | ArchiveProblem;
  readonly message: string;
}

export interface ArchivesVerification {
  readonly ok: boolean;
  /** Events checked in archives and in the store. */
  readonly checked: number;
  readonly archives: readonly { readonly name: string; readonly events: number; readonly ok: boolean }[];
  /** The store's chain, from its anchor. */
  readonly store: AuditVerification | undefined;
  /** Export directories in the archive that the store never registered (an export that failed before it finished). */
  readonly unregistered: readonly string[];
  readonly broken: ArchiveBreak | undefined;
}

export interface VerifyArchivesOptions {
  store: MetadataStore;
  archive: AuditArchive;
  duckdb: DuckDB;
  /** Verifies the store's chain; default `store.verifyAuditChain()`. */
  verifyStore?: () => Promise<AuditVerification>;
}

/**
 * Verifies the whole history: every registered export in order (its manifest is the registered one
 * and names the previous manifest, every file matches its SHA-256, its events chain from the
 * previous export's last hash), then the store's chain, which continues the last pruned export, and
 * that each export's last event is the store's event of that seq where the store still has it.
 * Stops at the first problem and names the archive or the store, and the seq.
 *
 * @example
 * const result = await verifyAuditArchives({ store, archive, duckdb });
 * if (!result.ok) console.log(`${result.broken.where}: ${result.broken.message}`);
 */
export async function verifyAuditArchives({ store, archive, duckdb, verifyStore = () => store.verifyAuditChain() }: VerifyArchivesOptions): Promise<ArchivesVerification> {
  const registered = await store.listAuditArchives();
  const present = new Set(await archive.list());
  const unregistered = [...present].filter((name) => !registered.some((record) => record.name === name));
  const checkedArchives: { name: string; events: number; ok: boolean }[] = [];
  let checked = 0;
  const done = (broken?: ArchiveBreak, hot?: AuditVerification): ArchivesVerification => ({
    ok: broken === undefined,
    checked: checked + (hot?.checked ?? 0),
    archives: checkedArchives,
    store: hot,
    unregistered,
    broken,
  });

  const scratch = await mkdtemp(join(tmpdir(), 'daybook-audit-verify-'));
  try {
    let anchor: AuditLinkAnchor = { seq: 0, hash: GENESIS_HASH };
    let previousManifest: string | null = null;
    for (const record of registered) {
      const fail = (reason: ArchiveBreak['reason'], message: string, seq?: number) => {
        checkedArchives.push({ name: record.name, events: 0, ok: false });
        return done({ where: record.name, seq, reason, message: `audit archive ${record.name}: ${message}` });
      };
      if (!present.has(record.name)) return fail('archive-missing', `not found in ${archive.name}`);
      const problem = await duckdb.withConnection(async (connection) => {
        try {
          const { manifest, sha256 } = await readManifest(await archive.get(record.name, MANIFEST_FILE, scratch), `audit archive ${record.name}`);
          if (sha256 !== record.manifestSha256) return { reason: 'manifest-mismatch' as const, message: `${MANIFEST_FILE} is not the one registered when it was exported` };
          if ((manifest.previous?.manifestSha256 ?? null) !== previousManifest) return { reason: 'manifest-mismatch' as const, message: `${MANIFEST_FILE} does not name the previous export's manifest` };
          for (const [file, expected] of Object.entries(manifest.files)) {
            const { dataVersion } = await hashFile(await archive.get(record.name, file, scratch));
            if (dataVersion !== `sha256:${expected.sha256}`) return { reason: 'file-mismatch' as const, message: `${file} does not match the SHA-256 in its manifest (it was altered)` };
          }
          const chain = await verifyArchivedChain(connection, await archive.get(record.name, EVENTS_FILE, scratch), anchor);
          checked += chain.checked;
          if (chain.broken) return { reason: chain.broken.reason, message: chain.broken.message, seq: chain.broken.seq };
          if (chain.last.seq !== record.lastSeq || chain.last.hash !== record.lastHash) {
            return { reason: 'head-mismatch' as const, message: `its events end at seq ${chain.last.seq}, the manifest says ${record.lastSeq}`, seq: chain.last.seq + 1 };
          }
          previousManifest = sha256;
          return undefined;
        } catch (error) {
          if (error instanceof DaybookError) return { reason: 'archive-missing' as const, message: error.message };
          throw error;
        }
      });
      if (problem) return fail(problem.reason, problem.message, 'seq' in problem ? problem.seq : undefined);
      checkedArchives.push({ name: record.name, events: record.events, ok: true });
      anchor = { seq: record.lastSeq, hash: record.lastHash };
    }

    const diverging = await divergingArchive(store, registered);
    if (diverging) {
      return done({ where: diverging.name, seq: diverging.lastSeq, reason: 'archive-diverges', message: `audit archive ${diverging.name}: its last event differs from the store's event ${diverging.lastSeq}` });
    }
    const hot = await verifyStore();
    if (!hot.ok) return done({ where: 'store', seq: hot.broken!.seq, reason: hot.broken!.reason, message: hot.broken!.message }, hot);
    return done(undefined, hot);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The first archive whose last event the store still holds with another hash. */
async function divergingArchive(store: MetadataStore, archives: readonly AuditArchiveRecord[]): Promise<AuditArchiveRecord | undefined> {
  if (archives.length === 0) return undefined;
  const rows = await sql<{ seq: number; hash: string }>`
    select seq, hash from audit_events where seq = any(${archives.map((archive) => archive.lastSeq)}::bigint[])`.execute(store.db);
  const hashes = new Map(rows.rows.map((row) => [Number(row.seq), row.hash]));
  return archives.find((archive) => hashes.has(archive.lastSeq) && hashes.get(archive.lastSeq) !== archive.lastHash);
}
