import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuditError } from '../util/errors.ts';

/** The format tag of a manifest. */
export const MANIFEST_FORMAT = 'daybook-audit-export/1';
export const MANIFEST_FILE = 'manifest.json';
export const EVENTS_FILE = 'events.parquet';

/** One file of an export, as its manifest records it. */
export interface ManifestFile {
  /** Lowercase hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
  readonly rows: number;
}

/**
 * What an export holds and how it chains: the seq range of its events, the hash its first event
 * points at (the previous export's last hash), its last hash, and each file's SHA-256. The manifest
 * names the previous manifest by its SHA-256 too, so the archives form a chain of their own.
 */
export interface AuditManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly name: string;
  readonly number: number;
  /** The requested range: UTC days, inclusive. */
  readonly range: { readonly from: string; readonly to: string };
  readonly chain: {
    readonly firstSeq: number;
    readonly lastSeq: number;
    readonly events: number;
    readonly firstPrevHash: string;
    readonly lastHash: string;
    readonly minAt: string;
    readonly maxAt: string;
    /** How each event's hash is computed (docs/store.md, "The audit chain"). */
    readonly encoding: string;
  };
  readonly previous: { readonly name: string; readonly manifestSha256: string } | null;
  /** The runs whose details (steps, materializations, check results, publishes) the export holds. */
  readonly runs: number;
  readonly files: Readonly<Record<string, ManifestFile>>;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** The store the events came from, without a password. */
  readonly store: string;
}

export const CHAIN_ENCODING = 'sha256_hex(prev_hash + json([seq, at_iso_ms, actor, action, asset, partition, run_id, <payload text>]))';

export const sha256Hex = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The manifest's bytes as written: JSON, two-space indented, with a final newline. Its SHA-256 is taken over exactly these bytes. */
export function manifestText(manifest: AuditManifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** Reads a manifest file and its SHA-256, refusing one that is not a Daybook audit manifest. */
export async function readManifest(path: string, where: string): Promise<{ manifest: AuditManifest; sha256: string }> {
  const bytes = await readFile(path);
  let manifest: AuditManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as AuditManifest;
  } catch (cause) {
    throw new AuditError('audit-archive-failed', `${where}: ${MANIFEST_FILE} is not JSON`, { field: MANIFEST_FILE, cause });
  }
  if (manifest?.format !== MANIFEST_FORMAT) {
    throw new AuditError('audit-archive-failed', `${where}: ${MANIFEST_FILE} is not a ${MANIFEST_FORMAT} manifest`, { field: MANIFEST_FILE });
  }
  return { manifest, sha256: sha256Hex(bytes) };
}
