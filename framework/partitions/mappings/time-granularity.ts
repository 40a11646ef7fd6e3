import type { PartitionsDefinition, TimeAxis } from '../definition.ts';
import type { BoundPartitionMapping, PartitionMapping, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { SubsetBuilder } from '../subset.ts';
import { checkPull, checkSubset, invalidMapping } from './guards.ts';
import { MissingKeys, missingFromPositions } from './missing-keys.ts';
import { VirtualAxis } from './virtual-axis.ts';

/**
 * Between two time-based definitions (sessions, time windows) of different granularity. A
 * downstream partition reads every upstream partition whose window starts within its own window
 * (the 96 quarter hours of a day, the sessions of a Sunday-to-Saturday week); when no upstream
 * window starts within it, as for a finer downstream, it reads the upstream partition whose window
 * contains its start (the day of a quarter hour).
 *
 * Windows are compared as instants, so zones and daylight-saving days need no special case.
 *
 * @example
 * deps: [{ asset: 'pixelforge/files', mapping: timeGranularity() }] // a daily reconciliation reads its 96 quarter hours
 */
export function timeGranularity(): PartitionMapping {
  return {
    spec: { kind: 'time-granularity' },
    bind(downstream, upstream) {
      for (const [side, definition] of [['downstream', downstream], ['upstream', upstream]] as const) {
        if (definition.time) continue;
        const hint = definition.dimensions
          ? `; map its time dimension with dimensions({ ${definition.dimensions[0]?.name ?? 'date'}: timeGranularity() })`
          : '';
        throw invalidMapping(
          'timeGranularity()',
          downstream,
          upstream,
          `both sides need a time axis (sessions or time windows), and the ${side} has none${hint}`,
        );
      }
      return new TimeGranularityBound(downstream, upstream);
    },
  };
}

/** For each downstream index, the half-open run `[lo, hi)` of upstream indexes it reads; both ascend. */
interface Runs {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Downstream indexes below this start before the upstream's first window. */
  readonly coveredFrom: number;
  /** Downstream indexes from this one end after the upstream's last window. */
  readonly coveredTo: number;
}

class TimeGranularityBound implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier = false;
  #runs: Runs | undefined;

  constructor(downstream: PartitionsDefinition, upstream: PartitionsDefinition) {
    this.downstream = downstream;
    this.upstream = upstream;
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const { lo, hi, coveredFrom, coveredTo } = this.#table();
    const builder = new SubsetBuilder(this.upstream.size());
    let uncovered = false;
    for (const [start, end] of downstream.ranges()) {
      for (let d = start; d < end; d++) builder.addRange(lo[d]!, hi[d]!);
      if (start < coveredFrom || end > coveredTo) uncovered = true;
    }
    return { subset: builder.build(), missing: uncovered ? this.#missing(downstream, coveredFrom, coveredTo) : [] };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const { lo, hi } = this.#table();
    const size = lo.length;
    const builder = new SubsetBuilder(size);
    // Every downstream index below `next` has been looked at, and `hi` ascends, so each is visited once per run.
    let next = 0;
    for (const [start, end] of upstream.ranges()) {
      let d = Math.max(next, firstAbove(hi, start));
      for (; d < size && lo[d]! < end; d++) {
        if (lo[d]! < hi[d]!) builder.addRange(d, d + 1);
      }
      next = Math.max(next, d);
    }
    return builder.build();
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const { lo, hi } = this.#table();
    if (downstreamIndex < 0 || downstreamIndex >= lo.length) return;
    for (let u = lo[downstreamIndex]!; u < hi[downstreamIndex]!; u++) visit(u);
  }

  /** Runs of different downstream partitions overlap in at most one index, so this is O(downstream + upstream). */
  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    const { lo, hi } = this.#table();
    for (let d = 0; d < out.length; d++) {
      let max = out[d]!;
      const end = hi[d]!;
      for (let u = lo[d]!; u < end; u++) {
        if (values[u]! > max) max = values[u]!;
      }
      out[d] = max;
    }
  }

  /** Two pointers over both ascending axes; built once, since time-based definitions are frozen. */
  #table(): Runs {
    if (this.#runs) return this.#runs;
    const down = this.downstream.time!;
    const up = this.upstream.time!;
    const downstreamSize = this.downstream.size();
    const upstreamSize = this.upstream.size();
    const lo = new Int32Array(downstreamSize);
    const hi = new Int32Array(downstreamSize);
    let first = 0;
    let last = 0;
    for (let d = 0; d < downstreamSize; d++) {
      const start = down.windowStart(d);
      const end = down.windowEnd(d);
      while (first < upstreamSize && up.windowStart(first) < start) first++;
      if (last < first) last = first;
      while (last < upstreamSize && up.windowStart(last) < end) last++;
      if (last > first) {
        lo[d] = first;
        hi[d] = last;
      } else if (first > 0 && up.windowEnd(first - 1) > start) {
        lo[d] = first - 1;
        hi[d] = first;
      } else {
        lo[d] = first;
        hi[d] = first;
      }
    }
    const runs: Runs = {
      lo,
      hi,
      coveredFrom: upstreamSize === 0 ? downstreamSize : firstWhere(downstreamSize, (d) => down.windowStart(d) >= up.windowStart(0)),
      coveredTo: upstreamSize === 0 ? 0 : firstWhere(downstreamSize, (d) => down.windowEnd(d) > up.windowEnd(upstreamSize - 1)),
    };
    this.#runs = runs;
    return runs;
  }

  /** The upstream windows the uncovered downstream partitions would read, found on the upstream axis extended past its ends. */
  #missing(downstream: PartitionSubset, coveredFrom: number, coveredTo: number): string[] {
    const axis = new VirtualAxis(this.upstream);
    const down = this.downstream.time!;
    if (!axis.extended) return [describeUncovered(this.upstream, this.downstream, downstream, coveredFrom, coveredTo)];
    const positions: number[] = [];
    for (const [start, end] of downstream.ranges()) {
      for (const [from, to] of [[start, Math.min(end, coveredFrom)], [Math.max(start, coveredTo), end]] as const) {
        for (let d = from; d < to; d++) addNeeded(positions, axis, down, d);
      }
    }
    return missingFromPositions(positions, this.upstream.size(), (position) => axis.keyAt(position));
  }
}

/** Appends the run of extended upstream positions downstream `d` reads, by the same rule as the table. */
function addNeeded(positions: number[], axis: VirtualAxis, down: TimeAxis, d: number): void {
  const start = down.windowStart(d);
  const first = axis.firstStartingAtOrAfter(start);
  const last = axis.firstStartingAtOrAfter(down.windowEnd(d));
  if (last > first) {
    positions.push(first, last);
    return;
  }
  const end = axis.windowEnd(first - 1);
  if (end !== undefined && end > start) positions.push(first - 1, first);
}

function describeUncovered(
  upstream: PartitionsDefinition,
  downstreamDefinition: PartitionsDefinition,
  downstream: PartitionSubset,
  coveredFrom: number,
  coveredTo: number,
): string {
  const missing = new MissingKeys();
  for (const d of downstream.indexes()) {
    if (d >= coveredFrom && d < coveredTo) continue;
    missing.add(downstreamDefinition.keyAt(d));
    if (missing.size >= 3) break;
  }
  return `(partitions of ${upstream.description} outside its range, needed by ${missing.result().join(', ')})`;
}

/** The first index in `[0, size)` where the ascending predicate holds, or `size`. */
function firstWhere(size: number, holds: (index: number) => boolean): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index whose value exceeds `bound`, in an ascending array. */
function firstAbove(values: Int32Array, bound: number): number {
  return firstWhere(values.length, (index) => values[index]! > bound);
}
