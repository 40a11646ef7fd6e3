import { describe, expect, it } from 'vitest';
import { PartitionError, PartitionSubset } from '../../../framework/index.ts';

/** A deterministic pseudo-random sequence, so the fragmented subsets are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A fragmented subset (held as a bitset) and the same members as a Set. */
function scattered(universe: number, density: number, seed: number): [PartitionSubset, Set<number>] {
  const random = lcg(seed);
  const members = new Set<number>();
  for (let index = 0; index < universe; index++) if (random() < density) members.add(index);
  return [PartitionSubset.indexes(universe, members), members];
}

function sorted(members: Iterable<number>): number[] {
  return [...members].sort((a, b) => a - b);
}

describe('PartitionSubset', () => {
  it('holds a range, clipped to the universe, and answers count, has, first and ranges', () => {
    const subset = PartitionSubset.range(100, 90, 120);
    expect(subset.count()).toBe(10);
    expect([...subset.ranges()]).toEqual([[90, 100]]);
    expect([subset.has(89), subset.has(90), subset.has(99), subset.has(100), subset.has(-1)]).toEqual([false, true, true, false, false]);
    expect(subset.first()).toBe(90);
    expect(subset.isEmpty()).toBe(false);
  });

  it('merges overlapping and adjacent ranges given in any order', () => {
    const subset = PartitionSubset.ranges(50, [[30, 35], [0, 5], [5, 10], [8, 12], [20, 20], [40, 60]]);
    expect([...subset.ranges()]).toEqual([[0, 12], [30, 35], [40, 50]]);
    expect(subset.count()).toBe(27);
    expect([...PartitionSubset.indexes(10, [7, 3, 4, 99, -1, 3]).indexes()]).toEqual([3, 4, 7]);
  });

  it('is empty or full at the edges of the universe, including an empty universe', () => {
    expect(PartitionSubset.empty(10).isEmpty()).toBe(true);
    expect(PartitionSubset.empty(10).first()).toBe(-1);
    expect(PartitionSubset.full(10).count()).toBe(10);
    expect([...PartitionSubset.full(0).ranges()]).toEqual([]);
    expect(PartitionSubset.indexes(0, [0]).count()).toBe(0);
  });

  it('unions, intersects and subtracts ranges', () => {
    const a = PartitionSubset.ranges(100, [[0, 10], [20, 30]]);
    const b = PartitionSubset.ranges(100, [[5, 25], [90, 95]]);
    expect([...a.union(b).ranges()]).toEqual([[0, 30], [90, 95]]);
    expect([...a.intersect(b).ranges()]).toEqual([[5, 10], [20, 25]]);
    expect([...a.difference(b).ranges()]).toEqual([[0, 5], [25, 30]]);
    expect([...b.difference(a).ranges()]).toEqual([[10, 20], [90, 95]]);
    expect(a.union(PartitionSubset.range(100, 10, 20)).count()).toBe(30);
  });

  it('agrees with Set arithmetic for bitset with bitset, bitset with ranges and ranges with bitset', () => {
    const universe = 5000;
    const [left, leftSet] = scattered(universe, 0.3, 1);
    const [right, rightSet] = scattered(universe, 0.5, 2);
    const block = PartitionSubset.ranges(universe, [[100, 900], [2000, 2001], [4990, 5000]]);
    const blockSet = new Set(block.indexes());
    expect(leftSet.size).toBeGreaterThan(1000);
    expect(left.count()).toBe(leftSet.size);

    const cases: [string, PartitionSubset, Set<number>, PartitionSubset, Set<number>][] = [
      ['bitset, bitset', left, leftSet, right, rightSet],
      ['bitset, ranges', left, leftSet, block, blockSet],
      ['ranges, bitset', block, blockSet, right, rightSet],
    ];
    for (const [name, a, aSet, b, bSet] of cases) {
      const union = a.union(b);
      const intersection = a.intersect(b);
      const difference = a.difference(b);
      expect(sorted(union.indexes()), name).toEqual(sorted(new Set([...aSet, ...bSet])));
      expect(sorted(intersection.indexes()), name).toEqual(sorted([...aSet].filter((i) => bSet.has(i))));
      expect(sorted(difference.indexes()), name).toEqual(sorted([...aSet].filter((i) => !bSet.has(i))));
      expect(union.count(), name).toBe(new Set([...aSet, ...bSet]).size);
      for (let index = 0; index < universe; index += 37) {
        expect(intersection.has(index), `${name} ${index}`).toBe(aSet.has(index) && bSet.has(index));
      }
    }
  });

  it('reports the ranges of a bitset as ascending, disjoint and non-adjacent runs', () => {
    const [subset, members] = scattered(3000, 0.5, 7);
    const ranges = [...subset.ranges()];
    let previousEnd = -1;
    let total = 0;
    for (const [start, end] of ranges) {
      expect(start).toBeGreaterThan(previousEnd);
      expect(end).toBeGreaterThan(start);
      total += end - start;
      previousEnd = end;
    }
    expect(total).toBe(members.size);
    expect(subset.first()).toBe(Math.min(...members));
  });

  it('returns to ranges when an operation removes the fragmentation', () => {
    const [scatteredSet] = scattered(10_000, 0.5, 3);
    const cleared = scatteredSet.difference(PartitionSubset.full(10_000));
    expect(cleared.isEmpty()).toBe(true);
    expect(cleared.count()).toBe(0);
    const filled = scatteredSet.union(PartitionSubset.full(10_000));
    expect([...filled.ranges()]).toEqual([[0, 10_000]]);
  });

  it('counts a bitset whose last word is partly outside the universe', () => {
    const universe = 1000;
    const everyOther = PartitionSubset.indexes(universe, Array.from({ length: 500 }, (_, i) => i * 2));
    expect(everyOther.count()).toBe(500);
    expect(everyOther.union(PartitionSubset.indexes(universe, Array.from({ length: 500 }, (_, i) => i * 2 + 1))).count()).toBe(1000);
    expect([...PartitionSubset.full(universe).difference(everyOther).indexes()].slice(-2)).toEqual([997, 999]);
  });

  it('refuses to combine subsets of different key spaces', () => {
    let caught: unknown;
    try {
      PartitionSubset.full(10).union(PartitionSubset.full(11));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PartitionError);
    expect((caught as PartitionError).message).toBe('cannot combine subsets of different key spaces (10 and 11 keys)');
  });
});
