import type { PartitionDimension, PartitionsDefinition } from '../definition.ts';
import type { DimensionPair } from './dimensions.ts';
import { ShiftedRange } from './shifted-range.ts';

// Reading every dimension's size on every call costs as much as the mapping itself on the planner's
// per-partition paths, so the sizes are read once into a layout. Only a definition whose size can
// change (dynamic keys, or a kind this file does not know) is re-read, to rebuild the layout when
// it has grown.
const FIXED_SIZE_KINDS: ReadonlySet<string> = new Set(['sessions', 'time-window', 'static', 'unpartitioned']);

/**
 * When each downstream partition reads exactly one upstream partition, moved along some dimensions
 * by fixed steps (identity or offset per dimension, same dimension order, equal sizes), the
 * upstream index is `downstream + delta` whenever each moved coordinate stays in range.
 */
export interface Shifts {
  readonly delta: number;
  /** For each moved dimension: the stride of its coordinate, its size and its step. */
  readonly strides: readonly number[];
  readonly sizes: readonly number[];
  readonly steps: readonly number[];
}

/** The sizes of both sides at one moment, and what is derived from them. */
export interface DimensionsLayout {
  readonly pairs: readonly DimensionPair[];
  readonly upDims: readonly PartitionDimension[];
  /** For each downstream dimension, its pair axis or -1; likewise upstream. */
  readonly downAxis: readonly number[];
  readonly upAxis: readonly number[];
  readonly downSizes: readonly number[];
  readonly upSizes: readonly number[];
  readonly downTotal: number;
  readonly upTotal: number;
  /** Whether upstream keys join dimension keys with `|` (a multi-partitioned upstream). */
  readonly joined: boolean;
  readonly shifts: Shifts | undefined;
  /** Per pair axis, the 1-D answers (flat `[start, end, …]` ranges) by coordinate, filled as the sparse paths ask. */
  readonly downstreamAnswers: readonly Map<number, readonly number[]>[];
  readonly upstreamAnswers: readonly Map<number, readonly number[]>[];
  /** The definitions whose size may change, with their size when the layout was made. */
  readonly watched: readonly { readonly definition: PartitionsDefinition; readonly size: number }[];
}

export interface LayoutOptions {
  readonly pairs: readonly DimensionPair[];
  readonly downDims: readonly PartitionDimension[];
  readonly upDims: readonly PartitionDimension[];
  readonly joined: boolean;
}

export function layoutOf({ pairs, downDims, upDims, joined }: LayoutOptions): DimensionsLayout {
  const downSizes = downDims.map((dim) => dim.definition.size());
  const upSizes = upDims.map((dim) => dim.definition.size());
  const watched = [...downDims, ...upDims]
    .filter((dim) => !FIXED_SIZE_KINDS.has(dim.definition.spec.kind))
    .map((dim) => ({ definition: dim.definition, size: dim.definition.size() }));
  return {
    pairs,
    upDims,
    downAxis: downDims.map((_, dim) => pairs.findIndex((pair) => pair.downstream === dim)),
    upAxis: upDims.map((_, dim) => pairs.findIndex((pair) => pair.upstream === dim)),
    downSizes,
    upSizes,
    downTotal: downSizes.reduce((total, size) => total * size, 1),
    upTotal: upSizes.reduce((total, size) => total * size, 1),
    joined,
    shifts: shiftsOf(pairs, downSizes, upSizes),
    downstreamAnswers: pairs.map(() => new Map()),
    upstreamAnswers: pairs.map(() => new Map()),
    watched,
  };
}

/** Whether no definition has changed size since the layout was made. */
export function isCurrent(layout: DimensionsLayout): boolean {
  const { watched } = layout;
  for (let i = 0; i < watched.length; i++) {
    if (watched[i]!.definition.size() !== watched[i]!.size) return false;
  }
  return true;
}

function shiftsOf(pairs: readonly DimensionPair[], downSizes: readonly number[], upSizes: readonly number[]): Shifts | undefined {
  const rank = downSizes.length;
  if (upSizes.length !== rank || pairs.length !== rank) return undefined;
  const strides: number[] = [];
  const sizes: number[] = [];
  const steps: number[] = [];
  let delta = 0;
  let stride = 1;
  for (let dim = rank - 1; dim >= 0; dim--) {
    // Pairs are sorted by downstream dimension, so with one pair per dimension pairs[dim] is dimension dim's.
    const { upstream, bound } = pairs[dim]!;
    const size = downSizes[dim]!;
    if (upstream !== dim || !(bound instanceof ShiftedRange) || bound.lo !== bound.hi || upSizes[dim] !== size) return undefined;
    if (bound.lo !== 0) {
      strides.unshift(stride);
      sizes.unshift(size);
      steps.unshift(bound.lo);
      delta += bound.lo * stride;
    }
    stride *= size;
  }
  return { delta, strides, sizes, steps };
}
