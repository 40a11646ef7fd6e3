import { createHash } from 'node:crypto';
import type { AssetDefinition } from '../definitions/asset.ts';
import type { Definitions } from '../definitions/definitions.ts';
import type { AssetDefinitionChange, AssetDefinitionSeen } from '../store/asset-definitions.ts';
import { canonicalJson } from '../store/audit-chain.ts';
import type { JsonObject } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The JSON-safe spec of an asset whose changes the audit log records: code version, compute (its
 * SQL's or function's SHA-256, so an edit without a new code version shows too), partitions, deps,
 * checks, publish targets, SLA, source location and the catalog fields.
 */
export function definitionSpec(asset: AssetDefinition): JsonObject {
  const compute = asset.compute === undefined ? null : `sha256:${sha256(typeof asset.compute === 'string' ? asset.compute : asset.compute.toString())}`;
  return JSON.parse(
    canonicalJson({
      kind: asset.kind,
      codeVersion: asset.codeVersion ?? null,
      compute,
      partitions: asset.partitions.spec,
      deps: asset.deps.map((dep) => ({ asset: dep.asset, mapping: dep.mapping?.spec ?? null, as: dep.as })),
      checks: asset.checks.map((check) => check.spec),
      publish: asset.publish.map((target) => target.name),
      sla: asset.sla ?? null,
      // Only when set: definitions recorded before conditions existed keep their fingerprint.
      ...(asset.automation === undefined ? {} : { automation: asset.automation.spec }),
      location: asset.location ?? null,
      description: asset.description,
      group: asset.group,
      owners: asset.owners,
      tags: asset.tags,
    }),
  ) as JsonObject;
}

/**
 * Records in the audit log every asset whose definition differs from the one last loaded: a new
 * asset, a new code version, or a changed config (checks, deps, SLA…), naming the fields. Called when
 * the CLI opens the engine; costs one read when nothing changed.
 *
 * @example
 * const changes = await recordDefinitionChanges(store, config.definitions);
 * // [{ asset: 'northbridge/positions', action: 'asset.code-version-changed', previousCodeVersion: '1', codeVersion: '2', fields: ['codeVersion', 'compute'] }]
 */
export function recordDefinitionChanges(store: MetadataStore, definitions: Definitions, attribution: { actor?: string } = {}): Promise<AssetDefinitionChange[]> {
  const seen: AssetDefinitionSeen[] = definitions.assets.map((asset) => {
    const spec = definitionSpec(asset);
    return { asset: asset.key, codeVersion: asset.codeVersion ?? null, fingerprint: sha256(canonicalJson(spec)), spec };
  });
  return store.recordAssetDefinitions(seen, attribution);
}
