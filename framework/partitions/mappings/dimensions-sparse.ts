import type { UpstreamPartitions } from '../mapping.ts';
import { PartitionSubset } from '../subset.ts';
import { weightsFor } from './dimensions-grid.ts';
import type { DimensionsLayout } from './dimensions-layout.ts';
import { missingOfPairs } from './dimensions-missing.ts';

// The per-dimension mapping for a few partitions (an incremental re-plan's handful), in time
// proportional to the subset times the fan-out instead of to the grid: each selected partition is
// reduced to its coordinates on the mapped dimensions, each coordinate is mapped with its
// dimension's 1-D mapping (answers cached on the layout), and the product of the answers, full
// along the dimensions without a counterpart, is emitted as index ranges.

/** Whether a subset is small enough for the sparse path: at most 1/64 of its key space. */
export function isSparse(subset: PartitionSubset): boolean {
  const limit = subset.universe / 64;
  let count = 0;
  for (const [start, end] of subset.ranges()) {
    count += end - start;
    if (count > limit) return false;
  }
  return true;
}

/** Upstream partitions needed by a few downstream partitions; the same answer as `upstreamOfDense`. */
export function upstreamOfSparse(layout: DimensionsLayout, downstream: PartitionSubset): UpstreamPartitions {
  const { pairs, downSizes, upSizes } = layout;
  const shape = pairs.map((pair) => downSizes[pair.downstream]!);
  const selected = pairIndexes(downstream, downSizes, weightsFor(downSizes, layout.downAxis, shape));
  const subset = spread({
    selected,
    shape,
    sizes: upSizes,
    total: layout.upTotal,
    axisOf: layout.upAxis,
    answer: (axis, coordinate) =>
      cached(layout.upstreamAnswers[axis]!, coordinate, () =>
        pairs[axis]!.bound.upstreamOf(PartitionSubset.range(shape[axis]!, coordinate, coordinate + 1)).subset,
      ),
  });
  return { subset, missing: missingOfPairs({ selected, shape, pairs, upDims: layout.upDims, joined: layout.joined }) };
}

/** Downstream partitions affected by a few upstream partitions; the same answer as `downstreamOfDense`. */
export function downstreamOfSparse(layout: DimensionsLayout, upstream: PartitionSubset): PartitionSubset {
  const { pairs, downSizes, upSizes } = layout;
  const shape = pairs.map((pair) => upSizes[pair.upstream]!);
  return spread({
    selected: pairIndexes(upstream, upSizes, weightsFor(upSizes, layout.upAxis, shape)),
    shape,
    sizes: downSizes,
    total: layout.downTotal,
    axisOf: layout.downAxis,
    answer: (axis, coordinate) =>
      cached(layout.downstreamAnswers[axis]!, coordinate, () =>
        pairs[axis]!.bound.downstreamOf(PartitionSubset.range(shape[axis]!, coordinate, coordinate + 1)),
      ),
  });
}

/**
 * The distinct pair-tensor indexes of a subset's partitions, ascending: index `n` of a grid of
 * `sizes` goes to `Σ coordinate × weight`, so dimensions of weight 0 drop out.
 */
function pairIndexes(subset: PartitionSubset, sizes: readonly number[], weights: readonly number[]): number[] {
  const found: number[] = [];
  const rank = sizes.length;
  for (const [start, end] of subset.ranges()) {
    for (let n = start; n < end; n++) {
      let rest = n;
      let t = 0;
      for (let dim = rank - 1; dim >= 0; dim--) {
        const size = sizes[dim]!;
        t += (rest % size) * weights[dim]!;
        rest = Math.floor(rest / size);
      }
      // Runs along dimensions that drop out repeat an index; skip them before sorting.
      if (found.length === 0 || found[found.length - 1] !== t) found.push(t);
    }
  }
  found.sort((a, b) => a - b);
  let kept = 0;
  for (let i = 0; i < found.length; i++) {
    if (i === 0 || found[i] !== found[i - 1]) found[kept++] = found[i]!;
  }
  found.length = kept;
  return found;
}

interface SpreadInput {
  /** Distinct pair-tensor indexes on the side the subset came from. */
  readonly selected: readonly number[];
  /** The pair tensor's shape on that side. */
  readonly shape: readonly number[];
  /** The other side's dimension sizes, total, and pair axis of each dimension (-1 for none). */
  readonly sizes: readonly number[];
  readonly total: number;
  readonly axisOf: readonly number[];
  /** The other side's coordinates one coordinate of a pair axis maps to, as flat `[start, end, …]` ranges. */
  readonly answer: (axis: number, coordinate: number) => readonly number[];
}

/** The union over the selected pair indexes of the product of their per-dimension answers. */
function spread({ selected, shape, sizes, total, axisOf, answer }: SpreadInput): PartitionSubset {
  const rank = sizes.length;
  const strides = new Array<number>(rank);
  for (let dim = rank - 1, stride = 1; dim >= 0; dim--) {
    strides[dim] = stride;
    stride *= sizes[dim]!;
  }
  const full = sizes.map((size) => [0, size] as const);
  const coordinates = new Array<number>(shape.length);
  const lists = new Array<readonly number[]>(rank);
  const ranges: [number, number][] = [];
  for (const t of selected) {
    let rest = t;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      coordinates[axis] = rest % shape[axis]!;
      rest = Math.floor(rest / shape[axis]!);
    }
    let empty = false;
    // The last dimension that is not read in full: below it, each run of coordinates is one run of indexes.
    let last = -1;
    for (let dim = 0; dim < rank; dim++) {
      const list = axisOf[dim]! >= 0 ? answer(axisOf[dim]!, coordinates[axisOf[dim]!]!) : full[dim]!;
      if (list.length === 0) empty = true;
      if (list.length !== 2 || list[0] !== 0 || list[1] !== sizes[dim]) last = dim;
      lists[dim] = list;
    }
    if (empty) continue;
    if (last < 0) return PartitionSubset.full(total);
    emit(lists, strides, last, 0, 0, ranges);
  }
  return PartitionSubset.ranges(total, ranges);
}

function emit(
  lists: readonly (readonly number[])[],
  strides: readonly number[],
  last: number,
  dim: number,
  offset: number,
  into: [number, number][],
): void {
  const list = lists[dim]!;
  const stride = strides[dim]!;
  for (let i = 0; i < list.length; i += 2) {
    if (dim === last) {
      into.push([offset + list[i]! * stride, offset + list[i + 1]! * stride]);
      continue;
    }
    for (let c = list[i]!; c < list[i + 1]!; c++) emit(lists, strides, last, dim + 1, offset + c * stride, into);
  }
}

function cached(answers: Map<number, readonly number[]>, coordinate: number, compute: () => PartitionSubset): readonly number[] {
  let answer = answers.get(coordinate);
  if (answer === undefined) {
    answer = [...compute().ranges()].flat();
    answers.set(coordinate, answer);
  }
  return answer;
}
