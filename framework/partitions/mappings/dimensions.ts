import type { PartitionDimension, PartitionsDefinition } from '../definition.ts';
import { sameKeySpace } from '../definition.ts';
import type { BoundPartitionMapping, PartitionMapping, PartitionMappingSpec, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { DaybookError, PartitionError } from '../../util/errors.ts';
import { alongAxis, gatherMax, indicatorOf, product, spreadMax, subsetOfMarks, weightsFor } from './dimensions-grid.ts';
import { checkPull, checkSubset, invalidMapping } from './guards.ts';
import { missingOfPairs } from './dimensions-missing.ts';
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

/** Reusable buffers for `forEachUpstream`, so that a call allocates nothing. */
interface Scratch {
  busy: boolean;
  readonly sizes: Int32Array;
  readonly upSizes: Int32Array;
  readonly coordinates: Int32Array;
  readonly lists: Int32Array[];
  readonly counts: Int32Array;
  readonly collectors: ((upstreamIndex: number) => void)[];
}

class DimensionsBound implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier: boolean;
  readonly #downDims: readonly PartitionDimension[];
  readonly #upDims: readonly PartitionDimension[];
  readonly #pairs: readonly DimensionPair[];
  /** For each downstream dimension, its pair axis or -1; likewise upstream. */
  readonly #downAxis: number[];
  readonly #upAxis: number[];
  readonly #scratch: Scratch;

  constructor({ downstream, upstream, downDims, upDims, pairs }: DimensionsBoundOptions) {
    this.downstream = downstream;
    this.upstream = upstream;
    this.#downDims = downDims;
    this.#upDims = upDims;
    this.#pairs = pairs;
    this.#downAxis = downDims.map((_, dim) => pairs.findIndex((pair) => pair.downstream === dim));
    this.#upAxis = upDims.map((_, dim) => pairs.findIndex((pair) => pair.upstream === dim));
    this.strictlyEarlier = sameKeySpace(downstream, upstream) && lexicographicallyEarlier(pairs, downDims.length);
    this.#scratch = this.#newScratch();
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const downSizes = sizesOf(this.#downDims);
    const upSizes = sizesOf(this.#upDims);
    const pairs = this.#pairs;
    const shape = pairs.map((pair) => downSizes[pair.downstream]!);
    let tensor: Float64Array = new Float64Array(product(shape));
    gatherMax(indicatorOf(downstream), downSizes, weightsFor(downSizes, this.#downAxis, shape), tensor);
    const missing = missingOfPairs({ tensor, shape, pairs, upDims: this.#upDims, joined: this.upstream.dimensions !== undefined });
    pairs.forEach((pair, axis) => {
      tensor = alongAxis(tensor, shape, axis, upSizes[pair.upstream]!, 0, lineMapper((line) => pair.bound.upstreamOf(line).subset));
      shape[axis] = upSizes[pair.upstream]!;
    });
    const marks = new Float64Array(product(upSizes));
    spreadMax(tensor, upSizes, weightsFor(upSizes, this.#upAxis, shape), marks);
    return { subset: subsetOfMarks(marks), missing };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const downSizes = sizesOf(this.#downDims);
    const upSizes = sizesOf(this.#upDims);
    const pairs = this.#pairs;
    const shape = pairs.map((pair) => upSizes[pair.upstream]!);
    let tensor: Float64Array = new Float64Array(product(shape));
    gatherMax(indicatorOf(upstream), upSizes, weightsFor(upSizes, this.#upAxis, shape), tensor);
    pairs.forEach((pair, axis) => {
      tensor = alongAxis(tensor, shape, axis, downSizes[pair.downstream]!, 0, lineMapper((line) => pair.bound.downstreamOf(line)));
      shape[axis] = downSizes[pair.downstream]!;
    });
    const marks = new Float64Array(product(downSizes));
    spreadMax(tensor, downSizes, weightsFor(downSizes, this.#downAxis, shape), marks);
    return subsetOfMarks(marks);
  }

  /** Reduces over upstream-only dimensions, applies each dimension's `pullMax` along its axis, then broadcasts. */
  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    const downSizes = sizesOf(this.#downDims);
    const upSizes = sizesOf(this.#upDims);
    const pairs = this.#pairs;
    const shape = pairs.map((pair) => upSizes[pair.upstream]!);
    let tensor: Float64Array;
    if (pairs.length === upSizes.length && pairs.every((pair, axis) => pair.upstream === axis)) {
      tensor = values;
    } else {
      tensor = new Float64Array(product(shape)).fill(-Infinity);
      gatherMax(values, upSizes, weightsFor(upSizes, this.#upAxis, shape), tensor);
    }
    pairs.forEach((pair, axis) => {
      if (pair.bound instanceof ShiftedRange && pair.bound.isIdentity) return;
      tensor = alongAxis(tensor, shape, axis, downSizes[pair.downstream]!, -Infinity, (lineIn, lineOut) => pair.bound.pullMax(lineIn, lineOut));
      shape[axis] = downSizes[pair.downstream]!;
    });
    spreadMax(tensor, downSizes, weightsFor(downSizes, this.#downAxis, shape), out);
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    // A visit that re-enters this mapping gets buffers of its own.
    const scratch = this.#scratch.busy ? this.#newScratch() : this.#scratch;
    scratch.busy = true;
    try {
      this.#visitUpstream(scratch, downstreamIndex, visit);
    } finally {
      scratch.busy = false;
    }
  }

  #visitUpstream(scratch: Scratch, downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const { sizes, upSizes, coordinates, lists, counts, collectors } = scratch;
    const down = this.#downDims;
    let rest = downstreamIndex;
    let total = 1;
    for (let dim = 0; dim < down.length; dim++) total *= down[dim]!.definition.size();
    if (!(downstreamIndex >= 0 && downstreamIndex < total)) return;
    for (let dim = down.length - 1; dim >= 0; dim--) {
      const size = down[dim]!.definition.size();
      coordinates[dim] = rest % size;
      rest = Math.floor(rest / size);
    }
    for (let axis = 0; axis < this.#pairs.length; axis++) {
      const pair = this.#pairs[axis]!;
      counts[axis] = 0;
      if (lists[axis]!.length < pair.bound.upstream.size()) lists[axis] = new Int32Array(pair.bound.upstream.size());
      pair.bound.forEachUpstream(coordinates[pair.downstream]!, collectors[axis]!);
      if (counts[axis] === 0) return;
    }
    // Odometer over the upstream dimensions: a mapped one walks its list, the others their whole range.
    const up = this.#upDims;
    const rank = up.length;
    for (let dim = 0; dim < rank; dim++) {
      const axis = this.#upAxis[dim]!;
      upSizes[dim] = up[dim]!.definition.size();
      sizes[dim] = axis >= 0 ? counts[axis]! : upSizes[dim]!;
      if (sizes[dim] === 0) return;
      coordinates[dim] = 0;
    }
    for (;;) {
      let index = 0;
      for (let dim = 0; dim < rank; dim++) {
        const axis = this.#upAxis[dim]!;
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

  #newScratch(): Scratch {
    const rank = Math.max(this.#downDims.length, this.#upDims.length);
    const lists = this.#pairs.map((pair) => new Int32Array(Math.max(1, pair.bound.upstream.size())));
    const counts = new Int32Array(this.#pairs.length);
    const scratch: Scratch = {
      busy: false,
      sizes: new Int32Array(rank),
      upSizes: new Int32Array(rank),
      coordinates: new Int32Array(rank),
      lists,
      counts,
      collectors: this.#pairs.map((_, axis) => (upstreamIndex: number) => {
        const list = scratch.lists[axis]!;
        if (scratch.counts[axis]! < list.length) list[scratch.counts[axis]!++] = upstreamIndex;
      }),
    };
    return scratch;
  }
}

function sizesOf(dims: readonly PartitionDimension[]): number[] {
  return dims.map((dim) => dim.definition.size());
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

/** Adapts a subset-to-subset function to lines of 0/1 marks, reusing the answer while lines repeat. */
function lineMapper(map: (line: PartitionSubset) => PartitionSubset): (lineIn: Float64Array, lineOut: Float64Array) => void {
  let previousIn: Float64Array | undefined;
  let previousOut: Float64Array | undefined;
  return (lineIn, lineOut) => {
    if (previousIn && previousOut && previousIn.length === lineIn.length && sameMarks(previousIn, lineIn)) {
      lineOut.set(previousOut);
      return;
    }
    if (lineIn.includes(1)) {
      for (const [start, end] of map(subsetOfMarks(lineIn)).ranges()) lineOut.fill(1, start, end);
    }
    previousIn = Float64Array.from(lineIn);
    previousOut = Float64Array.from(lineOut);
  };
}

function sameMarks(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
