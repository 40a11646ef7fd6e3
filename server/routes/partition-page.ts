// One page of an asset's partitions with status, reason and why: the status filter and paging run over
// the typed arrays, and only the page's partitions are explained.
import { Plan, reasonName, type MetadataStore, type PlannerState } from '../../framework/index.ts';
import type { PartitionView } from '../api-types.ts';
import type { Catalog } from '../state/catalog.ts';
import type { IndexedAsset } from '../state/partition-index.ts';
import { FAILED, STATUS_NAMES } from '../state/status.ts';

export interface PageOptions {
  catalog: Catalog;
  store: MetadataStore;
  entry: IndexedAsset;
  expected: number;
  /** Only partitions with this status code. */
  status: number | undefined;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** The partitions of the page, newest first unless `order` is `asc`. */
export async function pagePartitions({ catalog, store, entry, expected, status, order, offset, limit }: PageOptions): Promise<PartitionView[]> {
  const { index } = catalog;
  const picked: number[] = [];
  let skipped = 0;
  const step = order === 'asc' ? 1 : -1;
  for (let i = order === 'asc' ? 0 : expected - 1; i >= 0 && i < expected && picked.length < limit; i += step) {
    if (status !== undefined && index.statusAt(entry, i) !== status) continue;
    if (skipped++ < offset) continue;
    picked.push(i);
  }
  const keys = picked.map((i) => entry.asset.partitions.keyAt(i));
  const stale = keys.filter((_, n) => reasonName(index.reasonAt(entry, picked[n]!)) === 'upstream-changed');
  // "Consumed v1, now v2" needs what each stale partition's materialization consumed: read for this page only.
  const consumed = new Map<string, Readonly<Record<string, Readonly<Record<string, string>>>>>();
  if (stale.length > 0) for (const record of await store.currentMaterializations(entry.asset.key, { partitions: stale, limit: stale.length })) consumed.set(record.partition, record.consumed);
  const state: PlannerState = {
    asset: (key) => index.asset(key),
    dataVersion: (asset, i) => index.dataVersion(asset, i),
    failure: (asset, i) => index.failure(asset, i),
    consumedVersion: (_asset, i, upstream, key) => consumed.get(entry.asset.partitions.keyAt(i))?.[upstream]?.[key],
  };
  const plan = stale.length === 0 ? index.plan : new Plan(index.definitions, state, index.plan.reasons, index.plan.targets);
  return picked.map((i, n) => {
    const code = index.statusAt(entry, i);
    const reason = reasonName(index.reasonAt(entry, i)) ?? null;
    const failure = entry.failures.get(i);
    const detail =
      code === FAILED && failure !== undefined
        ? `last attempt failed: ${failure}`
        : reason === null
          ? ''
          : entry.asset.kind === 'source'
            ? 'not observed: the file has not arrived'
            : plan.explain({ asset: entry.asset.key, partition: keys[n]!, partitionIndex: i, reason });
    const at = entry.materializedAt[i]!;
    return {
      index: i,
      partition: keys[n]!,
      status: STATUS_NAMES[code]!,
      reason,
      detail,
      dataVersion: entry.versions.get(i) ?? null,
      materializedAt: at === 0 ? null : new Date(at).toISOString(),
    };
  });
}
