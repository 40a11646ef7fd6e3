import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DuckDB } from '../io/duckdb.ts';
import { hashFile } from '../io/content-hash.ts';
import { GENESIS_HASH } from '../store/audit-chain.ts';
import type { AuditArchiveRecord, AuditRow } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import { checkAuditLink, type AuditLinkAnchor } from '../store/verify-audit.ts';
import { DAY_MS, formatDay } from '../util/dates.ts';
import { AuditError } from '../util/errors.ts';
import type { AuditArchive } from './archive.ts';
import { parseDayOption } from './day-option.ts';
import { verifyArchivedChain } from './archived-events.ts';
import { EVENT_COLUMNS, RUN_DETAIL_TABLES, runsFinishedBetween } from './export-tables.ts';
import { CHAIN_ENCODING, EVENTS_FILE, MANIFEST_FILE, MANIFEST_FORMAT, manifestText, sha256Hex, type AuditManifest, type ManifestFile } from './manifest.ts';
import { writeParquet } from './parquet-writer.ts';

export interface ExportAuditOptions {
  store: MetadataStore;
  archive: AuditArchive;
  duckdb: DuckDB;
  /** Last day of the export, `YYYY-MM-DD` (UTC, inclusive): events up to its end. */
  to: string;
  /** First day, `YYYY-MM-DD`; it may not skip unexported events. Default: the day of the first unexported event. */
  from?: string | undefined;
  actor?: string;
  /** Epoch ms; names the export and dates its manifest. */
  now?: number;
  /** Where files are staged before they go to the archive; default a new temporary directory. */
  scratch?: string;
}

/** What an export wrote. */
export interface AuditExport {
  readonly archive: AuditArchiveRecord;
  readonly manifest: AuditManifest;
}

const PAGE = 10_000;

/**
 * Exports the audit events from the end of the last export through the end of `to` (UTC) as
 * Parquet, with the details of the runs that finished in that range, and a manifest of SHA-256
 * hashes; then reads every file back from the archive, verifies it, and registers the export in the
 * store with an `audit.exported` event. Exports are contiguous: each one's first event points at the
 * previous one's last hash, so the chain verifies across all of them. The hot chain is verified as
 * it is read: a broken chain is never exported.
 *
 * @example
 * const { archive } = await exportAudit({ store, archive: localAuditArchive({ directory }), duckdb, from: '2026-11-01', to: '2026-11-30' });
 */
export async function exportAudit({ store, archive, duckdb, to, from, actor, now = Date.now(), scratch }: ExportAuditOptions): Promise<AuditExport> {
  const toDay = parseDayOption(to, '--to');
  const fromDay = from === undefined ? undefined : parseDayOption(from, '--from');
  if (fromDay !== undefined && fromDay > toDay) throw new AuditError('audit-invalid-request', `--from ${from} is after --to ${to}`, { field: 'from' });
  const previous = (await store.listAuditArchives()).at(-1);
  const start: AuditLinkAnchor = previous ? { seq: previous.lastSeq, hash: previous.lastHash } : { seq: 0, hash: GENESIS_HASH };
  const head = await store.auditHead();
  if (start.seq >= head.seq) {
    throw new AuditError('audit-refused', `nothing to export: the chain ends at seq ${head.seq}, exported through ${start.seq}${previous ? ` (${previous.name})` : ''}`, { field: 'to' });
  }
  const end = new Date((toDay + 1) * DAY_MS);
  const after = await sql<{ seq: number | null }>`select min(seq) as seq from audit_events where seq > ${start.seq} and at >= ${end}`.execute(store.db);
  const lastSeq = Math.min(head.seq, after.rows[0]!.seq === null ? head.seq : Number(after.rows[0]!.seq) - 1);
  if (lastSeq <= start.seq) throw new AuditError('audit-refused', `no unexported audit events before the end of ${to} (exported through seq ${start.seq})`, { field: 'to' });
  const first = (await store.listAuditEvents({ afterSeq: start.seq, limit: 1 }))[0];
  if (!first || first.seq !== start.seq + 1) {
    throw new AuditError('audit-refused', `cannot export: audit event ${start.seq + 1} is missing from the store; run daybook audit verify`, { field: 'seq' });
  }
  const firstDay = Math.floor(first.at.getTime() / DAY_MS);
  if (fromDay !== undefined && firstDay < fromDay) {
    throw new AuditError(
      'audit-refused',
      `audit events from seq ${first.seq} (${first.at.toISOString()}) are before --from ${from} and not exported yet; export from ${formatDay(firstDay)}, so the archives have no gap`,
      { field: 'from' },
    );
  }
  const range = { from: from ?? formatDay(firstDay), to };
  const number = (previous?.number ?? 0) + 1;
  const name = `${String(number).padStart(6, '0')}_${range.from}_${range.to}_${new Date(now).toISOString().replace(/[-:]|\.\d+/g, '')}`;
  const where = `audit export ${name}`;

  const staging = scratch ?? (await mkdtemp(join(tmpdir(), 'daybook-audit-export-')));
  try {
    return await duckdb.withConnection(async (connection) => {
      const files: Record<string, ManifestFile> = {};
      const local = (file: string) => join(staging, file);
      const record = async (file: string, rows: number) => {
        const { dataVersion, bytes } = await hashFile(local(file));
        files[file] = { sha256: dataVersion.replace(/^sha256:/, ''), bytes, rows };
      };

      // The events, verified link by link as they are read.
      let last = start;
      let minAt = first.at;
      let maxAt = first.at;
      const pages = async function* () {
        for (let after = start.seq; after < lastSeq; ) {
          const page = await sql<AuditRow>`
            select seq, at, actor, action, asset, partition_key, run_id::text as run_id, payload::text as payload_text, prev_hash, hash
            from audit_events where seq > ${after} and seq <= ${lastSeq} order by seq limit ${PAGE}`.execute(store.db);
          if (page.rows.length === 0) break;
          for (const row of page.rows) {
            const broken = checkAuditLink(last, row);
            if (broken) throw new AuditError('audit-refused', `${where}: the stored chain is broken, nothing was exported: ${broken.message}`, { field: 'seq' });
            last = { seq: row.seq, hash: row.hash };
            if (row.at < minAt) minAt = row.at;
            if (row.at > maxAt) maxAt = row.at;
          }
          after = page.rows.at(-1)!.seq;
          yield page.rows.map(({ payload_text, at, ...row }) => ({ ...row, at: at.toISOString(), payload: payload_text }));
        }
      };
      const events = await writeParquet({ connection, columns: EVENT_COLUMNS, pages: pages(), staging: local('events.jsonl'), file: local(EVENTS_FILE), orderBy: 'seq' });
      if (last.seq !== lastSeq) throw new AuditError('audit-refused', `${where}: events ${last.seq + 1} to ${lastSeq} are missing from the store`, { field: 'seq' });
      await record(EVENTS_FILE, events);

      const runIds = await runsFinishedBetween(store.db, start.seq + 1, lastSeq);
      for (const table of RUN_DETAIL_TABLES) {
        const chunks = async function* () {
          for (let i = 0; i < runIds.length; i += 1_000) yield await table.rows(store.db, runIds.slice(i, i + 1_000));
        };
        const rows = await writeParquet({ connection, columns: table.columns, pages: chunks(), staging: local(`${table.file}.jsonl`), file: local(table.file), orderBy: table.orderBy });
        await record(table.file, rows);
      }

      const manifest: AuditManifest = {
        format: MANIFEST_FORMAT,
        name,
        number,
        range,
        chain: {
          firstSeq: start.seq + 1,
          lastSeq,
          events,
          firstPrevHash: start.hash,
          lastHash: last.hash,
          minAt: minAt.toISOString(),
          maxAt: maxAt.toISOString(),
          encoding: CHAIN_ENCODING,
        },
        previous: previous ? { name: previous.name, manifestSha256: previous.manifestSha256 } : null,
        runs: runIds.length,
        files,
        exportedAt: new Date(now).toISOString(),
        exportedBy: actor ?? 'daybook',
        store: store.location,
      };
      const text = manifestText(manifest);
      await writeFile(local(MANIFEST_FILE), text);

      // The manifest goes last: an export without one never completed.
      for (const file of Object.keys(files)) await archive.put(name, file, local(file));
      await archive.put(name, MANIFEST_FILE, local(MANIFEST_FILE));

      // Read everything back from the archive before the store counts it as exported.
      const readBack = join(staging, 'read-back');
      const manifestSha256 = sha256Hex(text);
      const stored = (await hashFile(await archive.get(name, MANIFEST_FILE, readBack))).dataVersion.replace(/^sha256:/, '');
      if (stored !== manifestSha256) throw new AuditError('audit-archive-failed', `${where}: the archived ${MANIFEST_FILE} does not match what was written`, { field: MANIFEST_FILE });
      for (const [file, expected] of Object.entries(files)) {
        const { dataVersion, bytes } = await hashFile(await archive.get(name, file, readBack));
        if (dataVersion !== `sha256:${expected.sha256}` || bytes !== expected.bytes) {
          throw new AuditError('audit-archive-failed', `${where}: the archived ${file} does not match its manifest`, { field: file });
        }
      }
      const chain = await verifyArchivedChain(connection, await archive.get(name, EVENTS_FILE, readBack), start);
      if (chain.broken || chain.checked !== events || chain.last.hash !== last.hash) {
        throw new AuditError('audit-archive-failed', `${where}: the archived events do not verify: ${chain.broken?.message ?? `${chain.checked} of ${events} events`}`, { field: EVENTS_FILE });
      }

      const registered = await store.registerAuditArchive(
        {
          number,
          name,
          firstSeq: start.seq + 1,
          lastSeq,
          firstPrevHash: start.hash,
          lastHash: last.hash,
          minAt,
          maxAt,
          from: range.from,
          to: range.to,
          location: archive.locate(name),
          manifestSha256,
          events,
          runs: runIds.length,
        },
        { actor: manifest.exportedBy, at: now },
      );
      return { archive: registered, manifest };
    });
  } finally {
    if (scratch === undefined) await rm(staging, { recursive: true, force: true });
  }
}
