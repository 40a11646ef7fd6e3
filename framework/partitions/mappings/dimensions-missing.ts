import type { PartitionDimension } from '../definition.ts';
import { PartitionSubset } from '../subset.ts';
import type { DimensionPair } from './dimensions.ts';
import { product } from './dimensions-grid.ts';
import { MissingKeys } from './missing-keys.ts';

export interface PairsMissingInput {
  /**
   * The selected downstream partitions reduced to the pair axes: ascending, distinct indexes into
   * an array of shape `shape` (downstream sizes).
   */
  readonly selected: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly pairs: readonly DimensionPair[];
  readonly upDims: readonly PartitionDimension[];
  /** Whether upstream keys join dimension keys with `|` (a multi-partitioned upstream). */
  readonly joined: boolean;
}

/**
 * The upstream keys a per-dimension mapping needs but that do not exist, as full upstream keys
 * (`2026-01-01|PF001`): every combination of the keys each dimension needs, in which at least one
 * dimension's key is missing. The common case, no dimension missing anything, costs one 1-D call
 * per mapped dimension; only then are the selected partitions enumerated.
 */
export function missingOfPairs({ selected, shape, pairs, upDims, joined }: PairsMissingInput): string[] {
  const perCoordinate = pairs.map((pair, axis) => missingAlong(selected, shape, pair, axis));
  if (perCoordinate.every((missing) => missing === undefined)) return [];
  const collector = new MissingKeys();
  const rank = shape.length;
  const coordinates = new Int32Array(rank);
  const allKeys = new Map<number, string[]>();
  for (let s = 0; s < selected.length; s++) {
    let rest = selected[s]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      coordinates[axis] = rest % shape[axis]!;
      rest = Math.floor(rest / shape[axis]!);
    }
    if (!perCoordinate.some((missing, axis) => missing?.has(coordinates[axis]!))) continue;
    const choices = upDims.map((dim, upstream) => {
      const axis = pairs.findIndex((pair) => pair.upstream === upstream);
      if (axis < 0) {
        let keys = allKeys.get(upstream);
        if (!keys) {
          keys = Array.from({ length: dim.definition.size() }, (_, index) => dim.definition.keyAt(index));
          allKeys.set(upstream, keys);
        }
        return { keys, firstMissing: keys.length };
      }
      const coordinate = coordinates[axis]!;
      const keys: string[] = [];
      pairs[axis]!.bound.forEachUpstream(coordinate, (index) => keys.push(dim.definition.keyAt(index)));
      const firstMissing = keys.length;
      for (const key of perCoordinate[axis]?.get(coordinate) ?? []) {
        // A 1-D note ("… and 40 more") is not a key to combine: the total becomes a lower bound.
        if (key.startsWith('…')) collector.markIncomplete();
        else keys.push(key);
      }
      return { keys, firstMissing };
    });
    if (!addCombinations(collector, choices, joined)) break;
  }
  return collector.result();
}

/** For one pair axis, the missing keys of each selected coordinate that has some; undefined when none has. */
function missingAlong(
  selected: ArrayLike<number>,
  shape: readonly number[],
  pair: DimensionPair,
  axis: number,
): Map<number, readonly string[]> | undefined {
  const size = shape[axis]!;
  const coordinates = coordinatesAlong(selected, size, product(shape.slice(axis + 1)));
  if (coordinates.length === 0) return undefined;
  if (pair.bound.upstreamOf(PartitionSubset.ascending(size, coordinates)).missing.length === 0) return undefined;
  const missing = new Map<number, readonly string[]>();
  for (const coordinate of coordinates) {
    const keys = pair.bound.upstreamOf(PartitionSubset.range(size, coordinate, coordinate + 1)).missing;
    if (keys.length > 0) missing.set(coordinate, keys);
  }
  return missing;
}

/** The distinct coordinates along one axis (of `size`, at `stride`) of the selected indexes, ascending. */
function coordinatesAlong(selected: ArrayLike<number>, size: number, stride: number): number[] {
  const coordinates: number[] = [];
  // Marking costs the axis size and sorting the selection's, so take the cheaper.
  if (selected.length * 8 >= size) {
    const marks = new Uint8Array(size);
    for (let s = 0; s < selected.length; s++) marks[Math.floor(selected[s]! / stride) % size] = 1;
    for (let c = 0; c < size; c++) if (marks[c] === 1) coordinates.push(c);
    return coordinates;
  }
  for (let s = 0; s < selected.length; s++) coordinates.push(Math.floor(selected[s]! / stride) % size);
  coordinates.sort((a, b) => a - b);
  let kept = 0;
  for (let i = 0; i < coordinates.length; i++) {
    if (i === 0 || coordinates[i] !== coordinates[i - 1]) coordinates[kept++] = coordinates[i]!;
  }
  coordinates.length = kept;
  return coordinates;
}

/** Adds every combination with at least one missing part; false once the collector is full. */
function addCombinations(
  collector: MissingKeys,
  choices: readonly { keys: readonly string[]; firstMissing: number }[],
  joined: boolean,
): boolean {
  if (choices.some((choice) => choice.keys.length === 0)) return true;
  const positions = new Array<number>(choices.length).fill(0);
  for (;;) {
    if (choices.some((choice, dim) => positions[dim]! >= choice.firstMissing)) {
      const parts = choices.map((choice, dim) => choice.keys[positions[dim]!]!);
      if (!collector.add(joined ? parts.join('|') : parts[0]!)) return false;
    }
    let dim = choices.length - 1;
    for (; dim >= 0; dim--) {
      positions[dim]!++;
      if (positions[dim]! < choices[dim]!.keys.length) break;
      positions[dim] = 0;
    }
    if (dim < 0) return true;
  }
}
