import type { UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { alongAxis, gatherMax, indicatorOf, product, spreadMax, subsetOfMarks, weightsFor } from './dimensions-grid.ts';
import type { DimensionsLayout } from './dimensions-layout.ts';
import { missingOfPairs } from './dimensions-missing.ts';
import { ShiftedRange } from './shifted-range.ts';

// The per-dimension mapping over whole grids: O(partitions) per step whatever the subset, which
// is what a large subset or a vector of values needs (see dimensions-grid.ts).

/** Upstream partitions needed by a downstream subset of any size, through 0/1 marks over the grid. */
export function upstreamOfDense(layout: DimensionsLayout, downstream: PartitionSubset): UpstreamPartitions {
  const { pairs, downSizes, upSizes } = layout;
  const shape = pairs.map((pair) => downSizes[pair.downstream]!);
  let tensor: Float64Array = new Float64Array(product(shape));
  gatherMax(indicatorOf(downstream), downSizes, weightsFor(downSizes, layout.downAxis, shape), tensor);
  const missing = missingOfPairs({ selected: markedIndexes(tensor), shape, pairs, upDims: layout.upDims, joined: layout.joined });
  pairs.forEach((pair, axis) => {
    tensor = alongAxis(tensor, shape, axis, upSizes[pair.upstream]!, 0, lineMapper((line) => pair.bound.upstreamOf(line).subset));
    shape[axis] = upSizes[pair.upstream]!;
  });
  const marks = new Float64Array(layout.upTotal);
  spreadMax(tensor, upSizes, weightsFor(upSizes, layout.upAxis, shape), marks);
  return { subset: subsetOfMarks(marks), missing };
}

/** Downstream partitions affected by an upstream subset of any size, through 0/1 marks over the grid. */
export function downstreamOfDense(layout: DimensionsLayout, upstream: PartitionSubset): PartitionSubset {
  const { pairs, downSizes, upSizes } = layout;
  const shape = pairs.map((pair) => upSizes[pair.upstream]!);
  let tensor: Float64Array = new Float64Array(product(shape));
  gatherMax(indicatorOf(upstream), upSizes, weightsFor(upSizes, layout.upAxis, shape), tensor);
  pairs.forEach((pair, axis) => {
    tensor = alongAxis(tensor, shape, axis, downSizes[pair.downstream]!, 0, lineMapper((line) => pair.bound.downstreamOf(line)));
    shape[axis] = downSizes[pair.downstream]!;
  });
  const marks = new Float64Array(layout.downTotal);
  spreadMax(tensor, downSizes, weightsFor(downSizes, layout.downAxis, shape), marks);
  return subsetOfMarks(marks);
}

/** Reduces over upstream-only dimensions, applies each dimension's `pullMax` along its axis, then broadcasts. */
export function pullMaxDense(layout: DimensionsLayout, values: Float64Array, out: Float64Array): void {
  const { pairs, downSizes, upSizes } = layout;
  const shape = pairs.map((pair) => upSizes[pair.upstream]!);
  let tensor: Float64Array;
  if (pairs.length === upSizes.length && pairs.every((pair, axis) => pair.upstream === axis)) {
    tensor = values;
  } else {
    tensor = new Float64Array(product(shape)).fill(-Infinity);
    gatherMax(values, upSizes, weightsFor(upSizes, layout.upAxis, shape), tensor);
  }
  pairs.forEach((pair, axis) => {
    if (pair.bound instanceof ShiftedRange && pair.bound.isIdentity) return;
    tensor = alongAxis(tensor, shape, axis, downSizes[pair.downstream]!, -Infinity, (lineIn, lineOut) => pair.bound.pullMax(lineIn, lineOut));
    shape[axis] = downSizes[pair.downstream]!;
  });
  spreadMax(tensor, downSizes, weightsFor(downSizes, layout.downAxis, shape), out);
}

/** The positions marked with 1, ascending. */
function markedIndexes(marks: Float64Array): Int32Array {
  let count = 0;
  for (let i = 0; i < marks.length; i++) if (marks[i] === 1) count++;
  const indexes = new Int32Array(count);
  for (let i = 0, n = 0; i < marks.length; i++) if (marks[i] === 1) indexes[n++] = i;
  return indexes;
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
