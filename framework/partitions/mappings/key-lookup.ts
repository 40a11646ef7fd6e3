import type { PartitionsDefinition } from '../definition.ts';
import type { BoundPartitionMapping, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { checkPull, checkSubset } from './guards.ts';
import { MissingKeys } from './missing-keys.ts';
import { subsetOfIndexes } from './subset-of-indexes.ts';

/**
 * Identity between two key spaces that are not one ordered axis (two static key lists, two
 * dynamic definitions, two multi-partitions over different ranges): each downstream key reads the
 * upstream partition with the same key, when there is one.
 *
 * The index tables are built on first use, one `tryIndexOf` per key, and rebuilt when a dynamic
 * side has grown; after that every direction is a table lookup.
 */
export class KeyLookup implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier = false;
  #tables: { toUpstream: Int32Array; toDownstream: Int32Array } | undefined;

  constructor(downstream: PartitionsDefinition, upstream: PartitionsDefinition) {
    this.downstream = downstream;
    this.upstream = upstream;
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const { toUpstream } = this.#current();
    const missing = new MissingKeys();
    const found: number[] = [];
    for (const d of downstream.indexes()) {
      const u = toUpstream[d]!;
      if (u >= 0) found.push(u);
      else missing.add(this.downstream.keyAt(d));
    }
    return { subset: subsetOfIndexes(this.upstream.size(), found), missing: missing.result() };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const { toDownstream } = this.#current();
    const found: number[] = [];
    for (const u of upstream.indexes()) {
      const d = toDownstream[u]!;
      if (d >= 0) found.push(d);
    }
    return subsetOfIndexes(this.downstream.size(), found);
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const u = this.#current().toUpstream[downstreamIndex];
    if (u !== undefined && u >= 0) visit(u);
  }

  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    const { toUpstream } = this.#current();
    for (let d = 0; d < out.length; d++) {
      const u = toUpstream[d]!;
      if (u < 0) continue;
      const value = values[u]!;
      if (value > out[d]!) out[d] = value;
    }
  }

  #current(): { toUpstream: Int32Array; toDownstream: Int32Array } {
    const downstreamSize = this.downstream.size();
    const upstreamSize = this.upstream.size();
    const tables = this.#tables;
    if (tables && tables.toUpstream.length === downstreamSize && tables.toDownstream.length === upstreamSize) return tables;
    const toUpstream = new Int32Array(downstreamSize);
    const toDownstream = new Int32Array(upstreamSize).fill(-1);
    for (let d = 0; d < downstreamSize; d++) {
      const u = this.upstream.tryIndexOf(this.downstream.keyAt(d));
      toUpstream[d] = u;
      if (u >= 0) toDownstream[u] = d;
    }
    this.#tables = { toUpstream, toDownstream };
    return this.#tables;
  }
}
