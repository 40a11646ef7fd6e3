import type { PartitionsDefinition } from '../definition.ts';
import type { BoundPartitionMapping, PartitionMapping, UpstreamPartitions } from '../mapping.ts';
import { PartitionSubset } from '../subset.ts';
import { checkPull, checkSubset } from './guards.ts';

/**
 * Every downstream partition reads every upstream partition. Binds between any two definitions,
 * unpartitioned ones included (a daily report over a reference table, say).
 *
 * @example
 * deps: [{ asset: 'northbridge/instruments', mapping: allPartitions() }]
 */
export function allPartitions(): PartitionMapping {
  return {
    spec: { kind: 'all' },
    bind: (downstream, upstream) => new AllBound(downstream, upstream),
  };
}

class AllBound implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier = false;

  constructor(downstream: PartitionsDefinition, upstream: PartitionsDefinition) {
    this.downstream = downstream;
    this.upstream = upstream;
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const size = this.upstream.size();
    return { subset: downstream.isEmpty() ? PartitionSubset.empty(size) : PartitionSubset.full(size), missing: [] };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const size = this.downstream.size();
    return upstream.isEmpty() ? PartitionSubset.empty(size) : PartitionSubset.full(size);
  }

  forEachUpstream(_downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const size = this.upstream.size();
    for (let u = 0; u < size; u++) visit(u);
  }

  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    let max = -Infinity;
    for (let u = 0; u < values.length; u++) {
      if (values[u]! > max) max = values[u]!;
    }
    if (max === -Infinity) return;
    for (let d = 0; d < out.length; d++) {
      if (max > out[d]!) out[d] = max;
    }
  }
}
