import { expect } from 'vitest';
import { PartitionError, PartitionSubset } from '../../../../framework/index.ts';
import type { BoundPartitionMapping, PartitionsDefinition } from '../../../../framework/index.ts';

// The laws every bound mapping obeys, checked against brute force over forEachUpstream, which
// each mapping's own tests pin to expected keys.

/** A small deterministic generator (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The upstream indexes one downstream partition reads, by forEachUpstream, ascending. */
export function upstreamIndexes(bound: BoundPartitionMapping, downstreamIndex: number): number[] {
  const found: number[] = [];
  bound.forEachUpstream(downstreamIndex, (u) => found.push(u));
  return found.sort((a, b) => a - b);
}

/** The upstream keys one downstream key reads. */
export function upstreamKeys(bound: BoundPartitionMapping, downstreamKey: string): string[] {
  return upstreamIndexes(bound, bound.downstream.indexOf(downstreamKey)).map((u) => bound.upstream.keyAt(u));
}

/** The downstream keys affected by some upstream keys, by downstreamOf. */
export function downstreamKeys(bound: BoundPartitionMapping, upstreamKeysGiven: readonly string[]): string[] {
  const size = bound.upstream.size();
  const subset = PartitionSubset.indexes(size, upstreamKeysGiven.map((key) => bound.upstream.indexOf(key)));
  return [...bound.downstreamOf(subset).indexes()].map((d) => bound.downstream.keyAt(d));
}

/** The subset of the given keys of a definition. */
export function subsetOf(definition: PartitionsDefinition, keys: readonly string[]): PartitionSubset {
  return PartitionSubset.indexes(definition.size(), keys.map((key) => definition.indexOf(key)));
}

/** A random subset of about `density` of the key space, mixing single indexes and runs. */
export function randomSubset(size: number, next: () => number, density = 0.1): PartitionSubset {
  const ranges: [number, number][] = [];
  for (let i = 0; i < Math.max(1, size * density * 0.3); i++) {
    const start = Math.floor(next() * size);
    ranges.push([start, start + 1 + Math.floor(next() * 6)]);
  }
  return PartitionSubset.ranges(size, ranges);
}

/**
 * Checks that upstreamOf, downstreamOf and pullMax all agree with forEachUpstream: on every single
 * partition when `exhaustive`, and on random subsets and random values always.
 */
export function expectConsistent(bound: BoundPartitionMapping, { seed = 1, exhaustive = true, samples = 200 } = {}): void {
  const next = random(seed);
  const downstreamSize = bound.downstream.size();
  const upstreamSize = bound.upstream.size();
  const reads: number[][] = [];
  const readBy: number[][] = Array.from({ length: upstreamSize }, () => []);
  for (let d = 0; d < downstreamSize; d++) {
    const found = upstreamIndexes(bound, d);
    expect(new Set(found).size, `forEachUpstream(${d}) repeats an index`).toBe(found.length);
    for (const u of found) {
      expect(u >= 0 && u < upstreamSize, `forEachUpstream(${d}) visits ${u}`).toBe(true);
      readBy[u]!.push(d);
    }
    reads.push(found);
  }

  const singles = exhaustive
    ? Array.from({ length: downstreamSize }, (_, d) => d)
    : Array.from({ length: Math.min(samples, downstreamSize) }, () => Math.floor(next() * downstreamSize));
  for (const d of singles) {
    const { subset } = bound.upstreamOf(PartitionSubset.range(downstreamSize, d, d + 1));
    expect([...subset.indexes()], `upstreamOf(${bound.downstream.keyAt(d)})`).toEqual(reads[d]);
  }
  const upstreamSingles = exhaustive
    ? Array.from({ length: upstreamSize }, (_, u) => u)
    : Array.from({ length: Math.min(samples, upstreamSize) }, () => Math.floor(next() * upstreamSize));
  for (const u of upstreamSingles) {
    const affected = bound.downstreamOf(PartitionSubset.range(upstreamSize, u, u + 1));
    expect([...affected.indexes()], `downstreamOf(${bound.upstream.keyAt(u)})`).toEqual(readBy[u]);
  }

  for (let round = 0; round < 3; round++) {
    const downstream = randomSubset(downstreamSize, next);
    const expectedUp = new Set<number>();
    for (const d of downstream.indexes()) for (const u of reads[d]!) expectedUp.add(u);
    expect([...bound.upstreamOf(downstream).subset.indexes()]).toEqual([...expectedUp].sort((a, b) => a - b));

    const upstream = randomSubset(upstreamSize, next);
    const expectedDown = new Set<number>();
    for (const u of upstream.indexes()) for (const d of readBy[u]!) expectedDown.add(d);
    expect([...bound.downstreamOf(upstream).indexes()]).toEqual([...expectedDown].sort((a, b) => a - b));
  }

  expectPullMaxMatchesBruteForce(bound, reads, next);
}

function expectPullMaxMatchesBruteForce(bound: BoundPartitionMapping, reads: readonly number[][], next: () => number): void {
  const values = new Float64Array(bound.upstream.size());
  for (let u = 0; u < values.length; u++) values[u] = Math.floor(next() * 1000) - 500;
  if (values.length > 2) values[Math.floor(next() * values.length)] = Number.NaN;
  const out = new Float64Array(bound.downstream.size());
  for (let d = 0; d < out.length; d++) out[d] = next() < 0.5 ? -Infinity : Math.floor(next() * 1000) - 500;
  const expected = Float64Array.from(out);
  for (let d = 0; d < expected.length; d++) {
    for (const u of reads[d]!) if (values[u]! > expected[d]!) expected[d] = values[u]!;
  }
  bound.pullMax(values, out);
  expect(Array.from(out)).toEqual(Array.from(expected));
}

/** The PartitionError a call throws, for asserting on its code and message. */
export function partitionErrorOf(run: () => unknown): PartitionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PartitionError);
    return error as PartitionError;
  }
  throw new Error('expected a PartitionError, but nothing was thrown');
}

/**
 * Subset sizes that matter to the mappings: empty, a few partitions, either side of the sparse
 * paths' threshold (1/64 of the key space), and large ones.
 */
export function subsetSizes(universe: number): number[] {
  const threshold = Math.floor(universe / 64);
  return [...new Set([0, 1, 2, 5, threshold, threshold + 1, Math.floor(universe / 8), universe])].filter((n) => n <= universe);
}

/** `count` random partitions: scattered, or one run when `run`. */
export function subsetOfCount(universe: number, count: number, next: () => number, run: boolean): PartitionSubset {
  if (run) {
    const start = Math.floor(next() * (universe - count + 1));
    return PartitionSubset.range(universe, start, start + count);
  }
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(next() * universe));
  return PartitionSubset.indexes(universe, chosen);
}

/**
 * Checks upstreamOf and downstreamOf against forEachUpstream on random subsets of every size in
 * `subsetSizes`, scattered and as runs, so that both the sparse and the dense paths are compared.
 */
export function expectSubsetsConsistent(bound: BoundPartitionMapping, { seed = 1 } = {}): void {
  const next = random(seed);
  const downstreamSize = bound.downstream.size();
  const upstreamSize = bound.upstream.size();
  const reads = Array.from({ length: downstreamSize }, (_, d) => upstreamIndexes(bound, d));
  const readBy: number[][] = Array.from({ length: upstreamSize }, () => []);
  reads.forEach((found, d) => found.forEach((u) => readBy[u]!.push(d)));
  for (const run of [false, true]) {
    for (const count of subsetSizes(downstreamSize)) {
      const downstream = subsetOfCount(downstreamSize, count, next, run);
      const expected = new Set<number>();
      for (const d of downstream.indexes()) for (const u of reads[d]!) expected.add(u);
      expect([...bound.upstreamOf(downstream).subset.indexes()], `upstreamOf ${count} partitions`).toEqual(
        [...expected].sort((a, b) => a - b),
      );
    }
    for (const count of subsetSizes(upstreamSize)) {
      const upstream = subsetOfCount(upstreamSize, count, next, run);
      const expected = new Set<number>();
      for (const u of upstream.indexes()) for (const d of readBy[u]!) expected.add(d);
      expect([...bound.downstreamOf(upstream).indexes()], `downstreamOf ${count} partitions`).toEqual(
        [...expected].sort((a, b) => a - b),
      );
    }
  }
}
