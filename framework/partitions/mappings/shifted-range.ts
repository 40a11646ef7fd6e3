import type { PartitionsDefinition } from '../definition.ts';
import type { BoundPartitionMapping, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { SubsetBuilder } from '../subset.ts';
import { checkPull, checkSubset } from './guards.ts';
import { missingFromPositions } from './missing-keys.ts';
import { VirtualAxis } from './virtual-axis.ts';

export interface ShiftedRangeOptions {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  /** Downstream index `d` is the same partition as upstream index `d + shift`. */
  readonly shift: number;
  /** Downstream `d` reads upstream `[d + shift + from, d + shift + to]`, both inclusive. */
  readonly from: number;
  readonly to: number;
  readonly strictlyEarlier: boolean;
}

/**
 * The bound form shared by identity, offset and window over one ordered axis: each downstream
 * partition reads a run of upstream partitions at a fixed distance. Every direction is arithmetic
 * on ranges, and `pullMax` is a sliding-window maximum, O(downstream + upstream).
 */
export class ShiftedRange implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier: boolean;
  /** First upstream index read by downstream 0 (unclipped). */
  readonly lo: number;
  /** Last upstream index read by downstream 0 (unclipped). */
  readonly hi: number;
  readonly #shift: number;

  constructor({ downstream, upstream, shift, from, to, strictlyEarlier }: ShiftedRangeOptions) {
    this.downstream = downstream;
    this.upstream = upstream;
    this.strictlyEarlier = strictlyEarlier;
    this.lo = shift + from;
    this.hi = shift + to;
    this.#shift = shift;
  }

  /** Whether each downstream partition reads exactly the upstream partition of the same index. */
  get isIdentity(): boolean {
    return this.lo === 0 && this.hi === 0 && this.downstream.size() === this.upstream.size();
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const size = this.upstream.size();
    const builder = new SubsetBuilder(size);
    const outside: number[] = [];
    for (const [start, end] of downstream.ranges()) {
      const lo = start + this.lo;
      const hi = end - 1 + this.hi + 1;
      builder.addRange(lo, hi);
      if (lo < 0 || hi > size) outside.push(lo, hi);
    }
    const missing = outside.length === 0 ? [] : missingFromPositions(outside, size, this.#namer());
    return { subset: builder.build(), missing };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const builder = new SubsetBuilder(this.downstream.size());
    for (const [start, end] of upstream.ranges()) builder.addRange(start - this.hi, end - this.lo);
    return builder.build();
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const first = Math.max(0, downstreamIndex + this.lo);
    const last = Math.min(this.upstream.size() - 1, downstreamIndex + this.hi);
    for (let u = first; u <= last; u++) visit(u);
  }

  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    if (this.lo === this.hi) pullShifted(values, out, this.lo);
    else pullSliding(values, out, this.lo, this.hi);
  }

  /** Names upstream positions by the downstream key at the same place when there is one, which is exact on one axis. */
  #namer(): (position: number) => string {
    const downstreamSize = this.downstream.size();
    let axis: VirtualAxis | undefined;
    return (position) => {
      const d = position - this.#shift;
      if (d >= 0 && d < downstreamSize) return this.downstream.keyAt(d);
      axis ??= new VirtualAxis(this.upstream);
      return axis.keyAt(position);
    };
  }
}

function pullShifted(values: Float64Array, out: Float64Array, by: number): void {
  const first = Math.max(0, -by);
  const end = Math.min(out.length, values.length - by);
  for (let d = first; d < end; d++) {
    const value = values[d + by]!;
    if (value > out[d]!) out[d] = value;
  }
}

/**
 * Sliding-window maximum with a monotonic deque of upstream indexes held in a ring buffer: each
 * upstream index enters and leaves once. NaN values are skipped, so they never win, as in `>`.
 */
function pullSliding(values: Float64Array, out: Float64Array, lo: number, hi: number): void {
  const upstreamSize = values.length;
  const capacity = Math.min(hi - lo + 1, upstreamSize) + 2;
  const deque = new Int32Array(capacity);
  let head = 0;
  let length = 0;
  let next = 0;
  const end = Math.min(out.length, upstreamSize - lo);
  for (let d = Math.max(0, -hi); d < end; d++) {
    const first = d + lo;
    const last = Math.min(d + hi, upstreamSize - 1);
    if (next < first) next = first;
    for (; next <= last; next++) {
      const value = values[next]!;
      if (value !== value) continue;
      while (length > 0 && values[deque[(head + length - 1) % capacity]!]! <= value) length--;
      deque[(head + length) % capacity] = next;
      length++;
    }
    while (length > 0 && deque[head]! < first) {
      head = (head + 1) % capacity;
      length--;
    }
    if (length > 0) {
      const max = values[deque[head]!]!;
      if (max > out[d]!) out[d] = max;
    }
  }
}
