import type { DuckDBConnection } from '../io/duckdb.ts';
import { quoteLiteral } from '../io/sql-text.ts';
import type { AuditRow } from '../store/schema.ts';
import { checkAuditLink, type AuditLinkAnchor, type BrokenLink } from '../store/verify-audit.ts';

interface ArchivedRow {
  seq: bigint;
  at_ms: bigint;
  actor: string;
  action: string;
  asset: string | null;
  partition_key: string | null;
  run_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

/** Which archived events to read: all, or those about an asset partition, or of some runs and actions. */
export interface ArchivedEventFilter {
  asset?: string;
  partition?: string;
  runIds?: readonly string[];
  actions?: readonly string[];
  pageSize?: number;
}

/** Reads an exported events file in seq order, a page at a time, as audit rows (the payload as its exact text). */
export async function* readArchivedEvents(connection: DuckDBConnection, file: string, { asset, partition, runIds, actions, pageSize = 50_000 }: ArchivedEventFilter = {}): AsyncGenerator<AuditRow[]> {
  const conditions = ['true'];
  if (asset !== undefined) conditions.push(`asset = ${quoteLiteral(asset)}`);
  if (partition !== undefined) conditions.push(`partition_key = ${quoteLiteral(partition)}`);
  if (runIds !== undefined) conditions.push(runIds.length === 0 ? 'false' : `run_id IN (${runIds.map(quoteLiteral).join(', ')})`);
  if (actions !== undefined) conditions.push(actions.length === 0 ? 'false' : `action IN (${actions.map(quoteLiteral).join(', ')})`);
  const where = conditions.join(' AND ');
  let after = -1n;
  for (;;) {
    const rows = await connection.query<ArchivedRow>(
      `SELECT seq, epoch_ms("at") AS at_ms, actor, action, asset, partition_key, run_id, payload, prev_hash, hash
       FROM read_parquet(${quoteLiteral(file)}) WHERE seq > ${after} AND (${where}) ORDER BY seq LIMIT ${pageSize}`,
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      seq: Number(row.seq),
      at: new Date(Number(row.at_ms)),
      actor: row.actor,
      action: row.action,
      asset: row.asset,
      partition_key: row.partition_key,
      run_id: row.run_id,
      payload_text: row.payload,
      prev_hash: row.prev_hash,
      hash: row.hash,
    }));
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.seq;
  }
}

/** What walking an archived events file found. */
export interface ArchivedChain {
  readonly checked: number;
  /** The last event that verified; `start` when none did. */
  readonly last: AuditLinkAnchor;
  readonly minAt: Date | undefined;
  readonly maxAt: Date | undefined;
  readonly broken: BrokenLink | undefined;
}

/** Verifies every link of an exported events file, starting after `start` (the previous export's last event). */
export async function verifyArchivedChain(connection: DuckDBConnection, file: string, start: AuditLinkAnchor): Promise<ArchivedChain> {
  let last = start;
  let checked = 0;
  let minAt: Date | undefined;
  let maxAt: Date | undefined;
  for await (const page of readArchivedEvents(connection, file)) {
    for (const row of page) {
      const broken = checkAuditLink(last, row);
      if (broken) return { checked, last, minAt, maxAt, broken };
      last = { seq: row.seq, hash: row.hash };
      checked++;
      if (minAt === undefined || row.at < minAt) minAt = row.at;
      if (maxAt === undefined || row.at > maxAt) maxAt = row.at;
    }
  }
  return { checked, last, minAt, maxAt, broken: undefined };
}
