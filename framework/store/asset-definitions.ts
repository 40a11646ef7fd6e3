// The last-seen definition of each asset, so that a changed code version or config is recorded in
// the audit chain once, when definitions with the change are first loaded.
import type { Kysely } from 'kysely';
import { canonicalJson } from './audit-chain.ts';
import { auditTransaction } from './audit-transaction.ts';
import type { Database, JsonObject } from './schema.ts';

type Db = Kysely<Database>;

/** An asset's definition as loaded: its code version, a fingerprint of its whole spec, and the spec. */
export interface AssetDefinitionSeen {
  readonly asset: string;
  readonly codeVersion: string | null;
  /** Lowercase hex SHA-256 of the spec's canonical JSON. */
  readonly fingerprint: string;
  /** JSON-safe fields of the definition; the top-level keys name what changed. */
  readonly spec: JsonObject;
}

/** A definition that differs from the one last seen: new, a new code version, or a new config. */
export interface AssetDefinitionChange {
  readonly asset: string;
  readonly action: 'asset.definition-added' | 'asset.code-version-changed' | 'asset.config-changed';
  readonly codeVersion: string | null;
  readonly previousCodeVersion: string | null;
  /** Top-level spec fields that differ, e.g. `["checks", "compute"]`; every field for a new asset. */
  readonly fields: readonly string[];
}

/**
 * Compares loaded definitions with the stored ones and records each difference: the new row and an
 * audit event (`asset.definition-added`, `asset.code-version-changed` or `asset.config-changed`,
 * naming the fields) in one transaction. Definitions equal to the stored ones cost one read.
 */
export async function recordAssetDefinitions(db: Db, seen: readonly AssetDefinitionSeen[], actor: string, at: Date): Promise<AssetDefinitionChange[]> {
  if (seen.length === 0) return [];
  const differing = async (reader: Db) => {
    const stored = await reader
      .selectFrom('asset_definitions')
      .select(['asset', 'code_version', 'fingerprint', 'spec'])
      .where(
        'asset',
        'in',
        seen.map((entry) => entry.asset),
      )
      .execute();
    const byAsset = new Map(stored.map((row) => [row.asset, row]));
    return seen.flatMap((entry) => {
      const previous = byAsset.get(entry.asset);
      return previous?.fingerprint === entry.fingerprint ? [] : [{ entry, previous }];
    });
  };
  if ((await differing(db)).length === 0) return [];
  return auditTransaction(db, async ({ trx, append }) => {
    const changes: AssetDefinitionChange[] = [];
    for (const { entry, previous } of await differing(trx)) {
      const fields = previous ? changedFields(previous.spec, entry.spec) : Object.keys(entry.spec).sort();
      const action = !previous ? 'asset.definition-added' : previous.code_version !== entry.codeVersion ? 'asset.code-version-changed' : 'asset.config-changed';
      const change: AssetDefinitionChange = { asset: entry.asset, action, codeVersion: entry.codeVersion, previousCodeVersion: previous?.code_version ?? null, fields };
      await trx
        .insertInto('asset_definitions')
        .values({ asset: entry.asset, code_version: entry.codeVersion, fingerprint: entry.fingerprint, spec: canonicalJson(entry.spec), seen_at: at })
        .onConflict((conflict) =>
          conflict.column('asset').doUpdateSet((eb) => ({
            code_version: eb.ref('excluded.code_version'),
            fingerprint: eb.ref('excluded.fingerprint'),
            spec: eb.ref('excluded.spec'),
            seen_at: eb.ref('excluded.seen_at'),
          })),
        )
        .execute();
      append({
        action,
        actor,
        at,
        asset: entry.asset,
        payload: {
          codeVersion: entry.codeVersion,
          previousCodeVersion: previous ? previous.code_version : undefined,
          fingerprint: entry.fingerprint,
          previousFingerprint: previous?.fingerprint,
          fields,
        },
      });
      changes.push(change);
    }
    return changes;
  });
}

function changedFields(before: JsonObject, after: JsonObject): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => canonicalJson(before[key] ?? null) !== canonicalJson(after[key] ?? null)).sort();
}
