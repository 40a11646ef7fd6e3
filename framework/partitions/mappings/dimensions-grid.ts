import { SubsetBuilder } from '../subset.ts';
import type { PartitionSubset } from '../subset.ts';

// Strided array operations behind the per-dimension mapping. A multi-partitioned asset's values
// form a row-major array whose first dimension is most significant. The mapping moves them to a
// "pair tensor" with one axis per mapped dimension, transforms one axis at a time with that
// dimension's 1-D mapping, then spreads the result over the other side's shape. Every step is a
// tight loop over typed arrays: O(partitions) per step, allocation per array or per line only.

export function product(sizes: readonly number[]): number {
  let total = 1;
  for (const size of sizes) total *= size;
  return total;
}

/** Row-major weights of `sizes`, placed at the dimensions `axisOf` maps to axes; 0 elsewhere. */
export function weightsFor(sizes: readonly number[], axisOf: readonly number[], axisSizes: readonly number[]): number[] {
  const axisStrides = new Array<number>(axisSizes.length);
  let stride = 1;
  for (let axis = axisSizes.length - 1; axis >= 0; axis--) {
    axisStrides[axis] = stride;
    stride *= axisSizes[axis]!;
  }
  return sizes.map((_, dim) => (axisOf[dim]! >= 0 ? axisStrides[axisOf[dim]!]! : 0));
}

/** For each index `n` of an array of shape `sizes`: `dst[t] = max(dst[t], src[n])`, where `t = Σ coordinate × weight`. */
export function gatherMax(src: Float64Array, sizes: readonly number[], weights: readonly number[], dst: Float64Array): void {
  const total = product(sizes);
  if (total === 0) return;
  const rank = sizes.length;
  if (rank === 0) {
    if (src[0]! > dst[0]!) dst[0] = src[0]!;
    return;
  }
  const lastSize = sizes[rank - 1]!;
  const lastWeight = weights[rank - 1]!;
  const coordinates = new Int32Array(rank);
  let base = 0;
  for (let n = 0; n < total; n += lastSize) {
    let t = base;
    for (let c = 0; c < lastSize; c++, t += lastWeight) {
      const value = src[n + c]!;
      if (value > dst[t]!) dst[t] = value;
    }
    base = advance(coordinates, sizes, weights, base, rank - 2);
  }
}

/** For each index `n` of `dst`, of shape `sizes`: `dst[n] = max(dst[n], src[t])`, where `t = Σ coordinate × weight`. */
export function spreadMax(src: Float64Array, sizes: readonly number[], weights: readonly number[], dst: Float64Array): void {
  const total = product(sizes);
  if (total === 0) return;
  const rank = sizes.length;
  if (rank === 0) {
    if (src[0]! > dst[0]!) dst[0] = src[0]!;
    return;
  }
  const lastSize = sizes[rank - 1]!;
  const lastWeight = weights[rank - 1]!;
  const coordinates = new Int32Array(rank);
  let base = 0;
  for (let n = 0; n < total; n += lastSize) {
    let t = base;
    for (let c = 0; c < lastSize; c++, t += lastWeight) {
      const value = src[t]!;
      if (value > dst[n + c]!) dst[n + c] = value;
    }
    base = advance(coordinates, sizes, weights, base, rank - 2);
  }
}

/** Steps the odometer of dimensions `0..top` by one and returns the new weighted offset. */
function advance(coordinates: Int32Array, sizes: readonly number[], weights: readonly number[], offset: number, top: number): number {
  for (let dim = top; dim >= 0; dim--) {
    coordinates[dim]!++;
    offset += weights[dim]!;
    if (coordinates[dim]! < sizes[dim]!) return offset;
    offset -= weights[dim]! * sizes[dim]!;
    coordinates[dim] = 0;
  }
  return offset;
}

/**
 * Replaces axis `axis` of `src` (of shape `shape`) by an axis of `size`, computing each line along
 * it with `apply(lineIn, lineOut)`; `lineOut` is filled with `fill` first.
 */
export function alongAxis(
  src: Float64Array,
  shape: readonly number[],
  axis: number,
  size: number,
  fill: number,
  apply: (lineIn: Float64Array, lineOut: Float64Array) => void,
): Float64Array {
  const outer = product(shape.slice(0, axis));
  const inner = product(shape.slice(axis + 1));
  const oldSize = shape[axis]!;
  const dst = new Float64Array(outer * size * inner).fill(fill);
  if (outer * inner === 0 || size === 0) return dst;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      apply(src.subarray(o * oldSize, (o + 1) * oldSize), dst.subarray(o * size, (o + 1) * size));
    }
    return dst;
  }
  const lineIn = new Float64Array(oldSize);
  const lineOut = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const from = o * oldSize * inner + k;
      for (let j = 0; j < oldSize; j++) lineIn[j] = src[from + j * inner]!;
      lineOut.fill(fill);
      apply(lineIn, lineOut);
      const to = o * size * inner + k;
      for (let j = 0; j < size; j++) dst[to + j * inner] = lineOut[j]!;
    }
  }
  return dst;
}

/** Marks the partitions of a subset with 1 in a 0-filled array. */
export function indicatorOf(subset: PartitionSubset): Float64Array {
  const marks = new Float64Array(subset.universe);
  for (const [start, end] of subset.ranges()) marks.fill(1, start, end);
  return marks;
}

/** The subset of the positions marked with 1. */
export function subsetOfMarks(marks: Float64Array): PartitionSubset {
  const builder = new SubsetBuilder(marks.length);
  let start = -1;
  for (let i = 0; i < marks.length; i++) {
    if (marks[i] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      builder.addRange(start, i);
      start = -1;
    }
  }
  if (start >= 0) builder.addRange(start, marks.length);
  return builder.build();
}
