import { PartitionError } from '../util/errors.ts';

/**
 * A set of partitions of one definition, as indexes in `[0, universe)`. It is held as sorted
 * half-open ranges while it has few runs, and as a bitset once it fragments; never as strings.
 *
 * @example
 * const week = PartitionSubset.range(days.size(), days.indexOf('2026-11-16'), days.indexOf('2026-11-20') + 1);
 */
export class PartitionSubset {
  /** Size of the key space the indexes belong to. */
  readonly universe: number;
  /** `[start0, end0, start1, end1, …]` when held as ranges. */
  readonly #bounds: readonly number[] | undefined;
  /** One bit per partition when held as a bitset. */
  readonly #words: Uint32Array | undefined;

  private constructor(universe: number, bounds: readonly number[] | undefined, words: Uint32Array | undefined) {
    this.universe = universe;
    this.#bounds = bounds;
    this.#words = words;
  }

  static empty(universe: number): PartitionSubset {
    return new PartitionSubset(universe, [], undefined);
  }

  static full(universe: number): PartitionSubset {
    return PartitionSubset.range(universe, 0, universe);
  }

  /** Partitions `start` (inclusive) to `end` (exclusive), clipped to the universe. */
  static range(universe: number, start: number, end: number): PartitionSubset {
    return PartitionSubset.ranges(universe, [[start, end]]);
  }

  /** A subset from ranges in any order, overlapping or not. */
  static ranges(universe: number, ranges: Iterable<readonly [number, number]>): PartitionSubset {
    const sorted = [...ranges].filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
    const builder = new SubsetBuilder(universe);
    for (const [start, end] of sorted) builder.addRange(start, end);
    return builder.build();
  }

  /** A subset from ascending indexes, held as ranges unless they fragment. */
  static ascending(universe: number, indexes: Iterable<number>): PartitionSubset {
    const builder = new SubsetBuilder(universe);
    for (const index of indexes) builder.addRange(index, index + 1);
    return builder.build();
  }

  /** A subset from indexes in any order; indexes outside the universe are ignored. */
  static indexes(universe: number, indexes: Iterable<number>): PartitionSubset {
    const words = new Uint32Array(Math.ceil(universe / 32));
    for (const index of indexes) {
      if (index >= 0 && index < universe) words[index >>> 5]! |= 1 << (index & 31);
    }
    return new PartitionSubset(universe, undefined, words).#compacted();
  }

  count(): number {
    if (this.#bounds) {
      let total = 0;
      for (let i = 0; i < this.#bounds.length; i += 2) total += this.#bounds[i + 1]! - this.#bounds[i]!;
      return total;
    }
    let total = 0;
    for (let word of this.#words!) {
      word -= (word >>> 1) & 0x55555555;
      word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
      total += (((word + (word >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return total;
  }

  isEmpty(): boolean {
    return this.#bounds ? this.#bounds.length === 0 : this.#words!.every((word) => word === 0);
  }

  has(index: number): boolean {
    if (index < 0 || index >= this.universe) return false;
    if (this.#words) return (this.#words[index >>> 5]! & (1 << (index & 31))) !== 0;
    const bounds = this.#bounds!;
    let lo = 0;
    let hi = bounds.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid * 2]! <= index) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && index < bounds[hi * 2 + 1]!;
  }

  /** Ascending, disjoint, non-adjacent half-open ranges `[start, end)`. */
  *ranges(): Generator<readonly [number, number]> {
    if (this.#bounds) {
      for (let i = 0; i < this.#bounds.length; i += 2) yield [this.#bounds[i]!, this.#bounds[i + 1]!];
      return;
    }
    const words = this.#words!;
    let start = -1;
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      if ((word === 0 && start < 0) || (word === 0xffffffff && start >= 0)) continue;
      for (let bit = 0; bit < 32; bit++) {
        const index = w * 32 + bit;
        if (index >= this.universe) break;
        const set = (word & (1 << bit)) !== 0;
        if (set && start < 0) start = index;
        if (!set && start >= 0) {
          yield [start, index];
          start = -1;
        }
      }
    }
    if (start >= 0) yield [start, this.universe];
  }

  /** Ascending indexes. */
  *indexes(): Generator<number> {
    for (const [start, end] of this.ranges()) {
      for (let index = start; index < end; index++) yield index;
    }
  }

  /** The first index, or -1 when empty. */
  first(): number {
    for (const [start] of this.ranges()) return start;
    return -1;
  }

  union(other: PartitionSubset): PartitionSubset {
    return this.#combine(other, (a, b) => a | b, (a, b) => a || b);
  }

  intersect(other: PartitionSubset): PartitionSubset {
    return this.#combine(other, (a, b) => a & b, (a, b) => a && b);
  }

  difference(other: PartitionSubset): PartitionSubset {
    return this.#combine(other, (a, b) => a & ~b, (a, b) => a && !b);
  }

  #combine(
    other: PartitionSubset,
    wordOp: (a: number, b: number) => number,
    keep: (inLeft: boolean, inRight: boolean) => boolean,
  ): PartitionSubset {
    if (other.universe !== this.universe) {
      throw new PartitionError(
        'invalid-partitions-definition',
        `cannot combine subsets of different key spaces (${this.universe} and ${other.universe} keys)`,
      );
    }
    if (this.#words && other.#words) {
      const right = other.#words;
      return new PartitionSubset(this.universe, undefined, this.#words.map((word, i) => wordOp(word, right[i]!)))
        .#compacted();
    }
    // Sweep over the boundaries of both range lists.
    const left = [...this.ranges()].flat();
    const right = [...other.ranges()].flat();
    const builder = new SubsetBuilder(this.universe);
    let i = 0;
    let j = 0;
    let inLeft = false;
    let inRight = false;
    let openAt = -1;
    while (i < left.length || j < right.length) {
      const next = Math.min(left[i] ?? Infinity, right[j] ?? Infinity);
      while (left[i] === next) {
        inLeft = !inLeft;
        i++;
      }
      while (right[j] === next) {
        inRight = !inRight;
        j++;
      }
      const inside = keep(inLeft, inRight);
      if (inside && openAt < 0) openAt = next;
      if (!inside && openAt >= 0) {
        builder.addRange(openAt, next);
        openAt = -1;
      }
    }
    return builder.build();
  }

  /** Ranges while there are few runs, a bitset otherwise. */
  #compacted(): PartitionSubset {
    const builder = new SubsetBuilder(this.universe);
    for (const [start, end] of this.ranges()) {
      builder.addRange(start, end);
      if (builder.fragmented()) return this.#words ? this : toBitset(this);
    }
    return builder.build();
  }

  /** @internal */
  static fromParts(universe: number, bounds: readonly number[] | undefined, words: Uint32Array | undefined): PartitionSubset {
    return new PartitionSubset(universe, bounds, words);
  }
}

function toBitset(subset: PartitionSubset): PartitionSubset {
  const words = new Uint32Array(Math.ceil(subset.universe / 32));
  for (const index of subset.indexes()) words[index >>> 5]! |= 1 << (index & 31);
  return PartitionSubset.fromParts(subset.universe, undefined, words);
}

/** Collects ranges added in ascending order, merging overlapping and adjacent ones. */
export class SubsetBuilder {
  readonly #universe: number;
  readonly #bounds: number[] = [];

  constructor(universe: number) {
    this.#universe = universe;
  }

  addRange(start: number, end: number): void {
    const lo = Math.max(0, start);
    const hi = Math.min(this.#universe, end);
    if (hi <= lo) return;
    const last = this.#bounds.length - 1;
    if (last > 0 && lo <= this.#bounds[last]!) {
      this.#bounds[last] = Math.max(this.#bounds[last]!, hi);
    } else {
      this.#bounds.push(lo, hi);
    }
  }

  /** More runs than a bitset of the universe would cost to hold. */
  fragmented(): boolean {
    return this.#bounds.length / 2 > this.#universe / 64 + 8;
  }

  build(): PartitionSubset {
    if (this.fragmented()) return toBitset(PartitionSubset.fromParts(this.#universe, this.#bounds, undefined));
    return PartitionSubset.fromParts(this.#universe, this.#bounds, undefined);
  }
}
