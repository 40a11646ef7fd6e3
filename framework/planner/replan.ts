import { PartitionSubset } from '../partitions/subset.ts';
import type { Plan } from './plan.ts';
import { FORCED, FRESH, MISSING } from './reason.ts';
import { effectiveVersion, reasonOf } from './staleness.ts';

/** Partitions whose records changed in the store since the plan was made. */
export interface PartitionChange {
  readonly asset: string;
  readonly indexes: readonly number[];
}

/**
 * Updates a plan in place after some partitions' records changed (a new observation, a
 * materialization, a failure), re-evaluating only the partitions downstream of the change.
 * `plan.state` must already reflect the change. Returns how many partitions changed reason.
 *
 * @example
 * state.observe('northbridge/broker-executions', '2026-11-20|GSCO', { dataVersion: 'b7e1…' });
 * replan(plan, [{ asset: 'northbridge/broker-executions', indexes: [i] }]);
 */
export function replan(plan: Plan, changes: readonly PartitionChange[]): number {
  const { definitions, state } = plan;
  const pending = new Map<number, Set<number>>();
  const touched = new Map<number, Set<number>>();
  const add = (into: Map<number, Set<number>>, id: number, index: number) => {
    let set = into.get(id);
    if (!set) into.set(id, (set = new Set()));
    set.add(index);
  };
  for (const change of changes) {
    const id = definitions.idOf(change.asset);
    for (const index of change.indexes) {
      add(pending, id, index);
      add(touched, id, index);
    }
  }
  let changed = 0;
  for (let id = 0; id < definitions.assets.length; id++) {
    const work = pending.get(id);
    const codes = plan.reasons[id];
    if (!work || !codes) continue;
    const asset = definitions.assets[id]!;
    const assetState = state.asset(asset.key);
    const deps = definitions.depsOf(id);
    const altered: number[] = [];
    // Self-dependencies only point forward, so ascending order settles them; new work lands ahead of us.
    const queue = [...work].sort((a, b) => a - b);
    for (let q = 0; q < queue.length; q++) {
      const index = queue[q]!;
      if (q > 0 && index === queue[q - 1]) continue;
      let next: number;
      if (asset.kind === 'source') {
        next = !assetState || index >= assetState.materializedSeq.length || assetState.materializedSeq[index] === 0 ? MISSING : FRESH;
      } else {
        let upstreamMax = 0;
        for (const edge of deps) {
          const upstream = definitions.assets[edge.upstream]!;
          const upstreamCodes = plan.reasons[edge.upstream]!;
          const upstreamState = state.asset(upstream.key);
          edge.mapping.forEachUpstream(index, (u) => {
            const version = effectiveVersion(upstreamCodes, upstreamState, u, upstream.kind === 'source');
            if (version > upstreamMax) upstreamMax = version;
          });
        }
        next = reasonOf(assetState, index, asset.codeVersion, upstreamMax);
        if (next === FRESH && codes[index] === FORCED) next = FORCED;
      }
      const reasonChanged = next !== codes[index];
      if (reasonChanged) changed++;
      codes[index] = next;
      if (!reasonChanged && !touched.get(id)?.has(index)) continue;
      altered.push(index);
      for (const edge of definitions.dependentsOf(id)) {
        if (!edge.self) continue;
        for (const later of edge.mapping.downstreamOf(PartitionSubset.range(codes.length, index, index + 1)).indexes()) {
          insertSorted(queue, later, q);
        }
      }
    }
    if (altered.length === 0) continue;
    const alteredSubset = PartitionSubset.ascending(codes.length, altered);
    for (const edge of definitions.dependentsOf(id)) {
      if (edge.self || !plan.reasons[edge.downstream]) continue;
      for (const index of edge.mapping.downstreamOf(alteredSubset).indexes()) add(pending, edge.downstream, index);
    }
  }
  return changed;
}

/** Inserts into the unprocessed tail of an ascending queue. */
function insertSorted(queue: number[], value: number, processed: number): void {
  let lo = processed + 1;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queue[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  if (queue[lo] !== value) queue.splice(lo, 0, value);
}
