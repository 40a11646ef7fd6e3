import type { PartitionDimension, PartitionsDefinition } from '../definition.ts';
import { sameKeySpace } from '../definition.ts';
import type { BoundPartitionMapping, PartitionMapping, PartitionMappingSpec, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { DaybookError, PartitionError } from '../../util/errors.ts';
import { downstreamOfDense, pullMaxDense, upstreamOfDense } from './dimensions-dense.ts';
import type { DimensionsLayout } from './dimensions-layout.ts';
import { isCurrent, layoutOf } from './dimensions-layout.ts';
import { downstreamOfSparse, isSparse, upstreamOfSparse } from './dimensions-sparse.ts';
import { checkPull, checkSubset, invalidMapping } from './guards.ts';
import { ShiftedRange } from './shifted-range.ts';

/** A dimension's mapping, to the upstream dimension of the same name or to the named one. */
export type DimensionMapping = PartitionMapping | { readonly upstream: string; readonly mapping: PartitionMapping };

/** One downstream dimension mapped to one upstream dimension. */
export interface DimensionPair {
  readonly downstream: number;
  readonly upstream: number;
  readonly bound: BoundPartitionMapping;
}

/**
 * A mapping per dimension between multi-partitioned assets. Each key names a downstream dimension
 * and maps it to the upstream dimension of the same name (or to `{ upstream: name }`). Upstream
 * dimensions that no key maps to are read in full; downstream dimensions that map to nothing
 * broadcast, every key along them reading the same upstream partitions. A definition that is not
 * multi-partitioned acts as one dimension, named by the one key that maps it.
 *
 * @example
 * // positions[date, portfolio] reads executions[date, every broker]
 * deps: [{ asset: 'northbridge/executions', mapping: dimensions({ date: identity() }) }]
 * // pnl[date, portfolio] reads positions[previous session, same portfolio]
 * deps: [{ asset: 'northbridge/positions', mapping: dimensions({ date: previousSession(), portfolio: identity() }) }]
 */
export function dimensions(map: Readonly<Record<string, DimensionMapping>>): PartitionMapping {
  const entries = Object.entries(map ?? {}).map(([name, entry]) => {
    const isMapping = typeof entry === 'object' && entry !== null && 'bind' in entry && typeof entry.bind === 'function';
    const normalized = isMapping ? { upstream: name, mapping: entry } : entry;
    const { upstream, mapping } = (normalized ?? {}) as { upstream: unknown; mapping: PartitionMapping | undefined };
    if (typeof upstream !== 'string' || typeof mapping?.bind !== 'function') {
      throw new PartitionError('invalid-mapping', `dimensions(): ${name} must be a mapping or { upstream: 'dimension', mapping }`, {
        field: name,
      });
    }
    return { name, upstream, mapping };
  });
  const spec: PartitionMappingSpec = {
    kind: 'dimensions',
    dimensions: Object.fromEntries(
      entries.map(({ name, upstream, mapping }) => [name, upstream === name ? mapping.spec : { upstream, mapping: mapping.spec }]),
    ),
  };
  const title = `dimensions({ ${entries.map(({ name }) => name).join(', ')} })`;
  return {
    spec,
    bind(downstream, upstream) {
      const fail = (reason: string) => invalidMapping(title, downstream, upstream, reason);
      const targets = [...new Set(entries.map((entry) => entry.upstream))];
      if (!downstream.dimensions && entries.length > 1) {
        throw fail(`the downstream is not multi-partitioned, so it is one dimension and takes one entry, not ${entries.length}`);
      }
      if (!upstream.dimensions && targets.length > 1) {
        throw fail(`the upstream is not multi-partitioned, so it is one dimension and can be the target of one entry, not of ${targets.join(', ')}`);
      }
      const downDims = dimensionsOf(downstream, entries[0]?.name ?? '');
      const upDims = dimensionsOf(upstream, targets[0] ?? '');
      const used = new Set<number>();
      const pairs: DimensionPair[] = entries.map(({ name, upstream: target, mapping }) => {
        const d = downDims.findIndex((dim) => dim.name === name);
        const u = upDims.findIndex((dim) => dim.name === target);
        if (d < 0) throw fail(`the downstream has no dimension ${name}; its dimensions are ${downDims.map((dim) => dim.name).join(', ')}`);
        if (u < 0) throw fail(`the upstream has no dimension ${target}; its dimensions are ${upDims.map((dim) => dim.name).join(', ')}`);
        if (used.has(u)) throw fail(`two downstream dimensions map to the upstream dimension ${target}`);
        used.add(u);
        try {
          return { downstream: d, upstream: u, bound: mapping.bind(downDims[d]!.definition, upDims[u]!.definition) };
        } catch (cause) {
          if (!(cause instanceof DaybookError)) throw cause;
          throw new PartitionError('invalid-mapping', `${title} cannot map dimension ${name}: ${cause.message}`, { cause, field: name });
        }
      });
      pairs.sort((a, b) => a.downstream - b.downstream);
      return new DimensionsBound({ downstream, upstream, downDims, upDims, pairs });
    },
  };
}

function dimensionsOf(definition: PartitionsDefinition, name: string): readonly PartitionDimension[] {
  return definition.dimensions ?? [{ name, definition }];
}

interface DimensionsBoundOptions {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly downDims: readonly PartitionDimension[];
  readonly upDims: readonly PartitionDimension[];
  readonly pairs: readonly DimensionPair[];
}

/** Reusable buffers for the general `forEachUpstream`, so that a call allocates nothing. */
interface Scratch {
  busy: boolean;
  readonly sizes: Int32Array;
  readonly coordinates: Int32Array;
  readonly lists: Int32Array[];
  readonly counts: Int32Array;
  readonly collectors: ((upstreamIndex: number) => void)[];
}

class DimensionsBound implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier: boolean;
  readonly #options: DimensionsBoundOptions;
  #layout: DimensionsLayout;
  readonly #scratch: Scratch;

  constructor(options: DimensionsBoundOptions) {
    const { downstream, upstream, downDims, pairs } = options;
    this.downstream = downstream;
    this.upstream = upstream;
    this.#options = options;
    this.#layout = this.#newLayout();
    this.strictlyEarlier = sameKeySpace(downstream, upstream) && lexicographicallyEarlier(pairs, downDims.length);
    this.#scratch = this.#newScratch();
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const layout = this.#current();
    return isSparse(downstream) ? upstreamOfSparse(layout, downstream) : upstreamOfDense(layout, downstream);
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const layout = this.#current();
    return isSparse(upstream) ? downstreamOfSparse(layout, upstream) : downstreamOfDense(layout, upstream);
  }

  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    pullMaxDense(this.#current(), values, out);
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const layout = this.#current();
    if (!(downstreamIndex >= 0 && downstreamIndex < layout.downTotal)) return;
    const shifts = layout.shifts;
    if (shifts) {
      const { strides, sizes, steps } = shifts;
      for (let k = 0; k < strides.length; k++) {
        const coordinate = (Math.floor(downstreamIndex / strides[k]!) % sizes[k]!) + steps[k]!;
        if (coordinate < 0 || coordinate >= sizes[k]!) return;
      }
      visit(downstreamIndex + shifts.delta);
      return;
    }
    // A visit that re-enters this mapping gets buffers of its own.
    const scratch = this.#scratch.busy ? this.#newScratch() : this.#scratch;
    scratch.busy = true;
    try {
      this.#visitUpstream(layout, scratch, downstreamIndex, visit);
    } finally {
      scratch.busy = false;
    }
  }

  /** The general case: each mapped dimension lists its upstream coordinates, and an odometer walks their product. */
  #visitUpstream(layout: DimensionsLayout, scratch: Scratch, downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const { sizes, coordinates, lists, counts, collectors } = scratch;
    const { pairs, downSizes, upSizes, upAxis } = layout;
    let rest = downstreamIndex;
    for (let dim = downSizes.length - 1; dim >= 0; dim--) {
      const size = downSizes[dim]!;
      coordinates[dim] = rest % size;
      rest = Math.floor(rest / size);
    }
    for (let axis = 0; axis < pairs.length; axis++) {
      const pair = pairs[axis]!;
      counts[axis] = 0;
      if (lists[axis]!.length < upSizes[pair.upstream]!) lists[axis] = new Int32Array(upSizes[pair.upstream]!);
      pair.bound.forEachUpstream(coordinates[pair.downstream]!, collectors[axis]!);
      if (counts[axis] === 0) return;
    }
    // A mapped upstream dimension walks its list, the others their whole range.
    const rank = upSizes.length;
    for (let dim = 0; dim < rank; dim++) {
      const axis = upAxis[dim]!;
      sizes[dim] = axis >= 0 ? counts[axis]! : upSizes[dim]!;
      if (sizes[dim] === 0) return;
      coordinates[dim] = 0;
    }
    for (;;) {
      let index = 0;
      for (let dim = 0; dim < rank; dim++) {
        const axis = upAxis[dim]!;
        const value = axis >= 0 ? lists[axis]![coordinates[dim]!]! : coordinates[dim]!;
        index = index * upSizes[dim]! + value;
      }
      visit(index);
      let dim = rank - 1;
      for (; dim >= 0; dim--) {
        coordinates[dim]!++;
        if (coordinates[dim]! < sizes[dim]!) break;
        coordinates[dim] = 0;
      }
      if (dim < 0) return;
    }
  }

  /** The layout for the current sizes, rebuilt when a dynamic dimension has grown. */
  #current(): DimensionsLayout {
    if (!isCurrent(this.#layout)) this.#layout = this.#newLayout();
    return this.#layout;
  }

  #newLayout(): DimensionsLayout {
    const { upstream, downDims, upDims, pairs } = this.#options;
    return layoutOf({ pairs, downDims, upDims, joined: upstream.dimensions !== undefined });
  }

  #newScratch(): Scratch {
    const { downDims, upDims, pairs } = this.#options;
    const rank = Math.max(downDims.length, upDims.length);
    const lists = pairs.map((pair) => new Int32Array(Math.max(1, pair.bound.upstream.size())));
    const counts = new Int32Array(pairs.length);
    const scratch: Scratch = {
      busy: false,
      sizes: new Int32Array(rank),
      coordinates: new Int32Array(rank),
      lists,
      counts,
      collectors: pairs.map((_, axis) => (upstreamIndex: number) => {
        const list = scratch.lists[axis]!;
        if (scratch.counts[axis]! < list.length) list[scratch.counts[axis]!++] = upstreamIndex;
      }),
    };
    return scratch;
  }
}

/**
 * Whether every upstream index is below its downstream index on one key space: the first
 * dimension that a mapping moves moves strictly earlier, and every dimension before it maps to
 * itself, because the first dimension is the most significant.
 */
function lexicographicallyEarlier(pairs: readonly DimensionPair[], rank: number): boolean {
  for (let dim = 0; dim < rank; dim++) {
    const pair = pairs.find((candidate) => candidate.downstream === dim);
    if (!pair || pair.upstream !== dim) return false;
    if (pair.bound.strictlyEarlier) return true;
    if (!(pair.bound instanceof ShiftedRange && pair.bound.isIdentity)) return false;
  }
  return false;
}
