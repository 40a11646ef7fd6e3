import { sql, type Kysely } from 'kysely';
import type { AssetState, PlannerState } from '../definitions/asset-state.ts';
import type { Definitions } from '../definitions/definitions.ts';
import type { PartitionsDefinition } from '../partitions/definition.ts';
import type { DynamicPartitionsDefinition } from '../partitions/definitions/dynamic.ts';
import { StoreError } from '../util/errors.ts';
import type { Database, InputVersions } from './schema.ts';

/** The planner's view of the store: the contract type in framework/definitions/asset-state.ts. */
export type StorePlannerState = PlannerState;
/** One asset's arrays. */
export type StoreAssetState = AssetState;

export interface PlannerStateOptions {
  /** Load what explanations need (data versions, consumed versions, failure messages); costs memory per partition. */
  details?: boolean;
}

interface Details {
  readonly dataVersions: Map<number, string>;
  readonly consumed: Map<number, InputVersions>;
  readonly failures: Map<number, string>;
}

interface StateRow {
  asset: string;
  partition_key: string;
  current_seq: number;
  version_seq: number;
  code_version: string | null;
  failed: boolean;
  data_version?: string | null;
  failure?: string | null;
  consumed?: InputVersions | null;
}

/** Every dynamic definition an asset's partitions use, itself or as a dimension. */
function dynamicDefinitions(definitions: Definitions): Map<string, DynamicPartitionsDefinition> {
  const found = new Map<string, DynamicPartitionsDefinition>();
  const visit = (partitions: PartitionsDefinition) => {
    if (partitions.spec.kind === 'dynamic') found.set(partitions.spec.name, partitions as DynamicPartitionsDefinition);
    for (const dimension of partitions.dimensions ?? []) visit(dimension.definition);
  };
  for (const asset of definitions.assets) visit(asset.partitions);
  return found;
}

/** Adds the stored keys of every dynamic definition used by the assets, in the order they were first added. */
export async function restoreDynamicKeys(db: Kysely<Database>, definitions: Definitions): Promise<void> {
  const dynamic = dynamicDefinitions(definitions);
  if (dynamic.size === 0) return;
  const rows = await db
    .selectFrom('dynamic_partition_keys')
    .select(['definition', 'key'])
    .where('definition', 'in', [...dynamic.keys()])
    .orderBy('position')
    .execute();
  const keys = new Map<string, string[]>();
  for (const row of rows) keys.set(row.definition, [...(keys.get(row.definition) ?? []), row.key]);
  for (const [name, list] of keys) dynamic.get(name)!.add(list);
}

/**
 * Reads the partition states of every asset in `definitions` into the planner's typed arrays.
 * Partition keys map to indexes through the asset's definition; keys it no longer has (a static
 * key removed, a window moved) are skipped. Dynamic keys are restored first so they map too.
 */
export async function loadPlannerState(db: Kysely<Database>, definitions: Definitions, { details = true }: PlannerStateOptions = {}): Promise<StorePlannerState> {
  await restoreDynamicKeys(db, definitions);
  const keys = definitions.assets.map((asset) => asset.key);
  const rows = details
    ? await sql<StateRow>`
        select p.asset, p.partition_key, p.current_seq, p.version_seq, p.code_version, p.failed, p.data_version, p.failure, m.consumed
        from asset_partitions p left join materializations m on m.seq = p.current_seq
        where p.asset = any(${keys}::text[])`.execute(db)
    : await sql<StateRow>`
        select asset, partition_key, current_seq, version_seq, code_version, failed
        from asset_partitions where asset = any(${keys}::text[])`.execute(db);

  const states = new Map<string, StoreAssetState>();
  const detail = new Map<string, Details>();
  const interned = new Map<string, Map<string, number>>();
  for (const row of rows.rows) {
    const definition = definitions.get(row.asset);
    const index = definition.partitions.tryIndexOf(row.partition_key);
    if (index < 0) continue;
    let state = states.get(row.asset);
    if (!state) {
      const size = definition.partitions.size();
      state = {
        materializedSeq: new Float64Array(size),
        versionSeq: new Float64Array(size),
        codeVersion: new Uint16Array(size),
        codeVersions: [''],
        failed: new Uint8Array(size),
      };
      states.set(row.asset, state);
      interned.set(row.asset, new Map([['', 0]]));
      if (details) detail.set(row.asset, { dataVersions: new Map(), consumed: new Map(), failures: new Map() });
    }
    state.materializedSeq[index] = row.current_seq;
    state.versionSeq[index] = row.version_seq;
    state.failed[index] = row.failed ? 1 : 0;
    state.codeVersion[index] = intern(interned.get(row.asset)!, state.codeVersions as string[], row.code_version ?? '', row.asset);
    const more = detail.get(row.asset);
    if (more) {
      if (row.data_version != null) more.dataVersions.set(index, row.data_version);
      if (row.consumed != null) more.consumed.set(index, row.consumed);
      if (row.failed && row.failure != null) more.failures.set(index, row.failure);
    }
  }

  const state: StorePlannerState = { asset: (key) => states.get(key) };
  if (!details) return state;
  return {
    ...state,
    dataVersion: (asset, index) => detail.get(asset)?.dataVersions.get(index),
    consumedVersion: (asset, index, upstream, upstreamKey) => detail.get(asset)?.consumed.get(index)?.[upstream]?.[upstreamKey],
    failure: (asset, index) => detail.get(asset)?.failures.get(index),
  };
}

function intern(indexes: Map<string, number>, table: string[], version: string, asset: string): number {
  let index = indexes.get(version);
  if (index === undefined) {
    index = table.push(version) - 1;
    if (index > 0xffff) throw new StoreError('store-failed', `asset "${asset}" has more than 65,535 code versions in its current partitions`, { asset });
    indexes.set(version, index);
  }
  return index;
}
