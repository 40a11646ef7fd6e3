import { expect } from 'vitest';
import { PartitionError } from '../../../../framework/index.ts';
import type { PartitionsDefinition } from '../../../../framework/index.ts';

// The laws every partitions definition obeys, checked on the indexes a test picks: the first and
// last keys, and the ones around the days that matter to it.

/** The indexes `[start, end)` clipped to the definition, plus the first and last `edge` indexes. */
export function indexesToCheck(definition: PartitionsDefinition, ranges: readonly (readonly [number, number])[] = [], edge = 50): number[] {
  const size = definition.size();
  const picked = new Set<number>();
  const add = (start: number, end: number) => {
    for (let index = Math.max(0, start); index < Math.min(size, end); index++) picked.add(index);
  };
  add(0, edge);
  add(size - edge, size);
  for (const [start, end] of ranges) add(start, end);
  return [...picked].sort((a, b) => a - b);
}

/** key → index → key round trips, strictly ascending windows, and the time axis agreeing with the keys. */
export function expectLaws(definition: PartitionsDefinition, indexes: readonly number[]): void {
  const size = definition.size();
  for (const index of indexes) {
    const key = definition.keyAt(index);
    expect(definition.indexOf(key), key).toBe(index);
    expect(definition.tryIndexOf(key), key).toBe(index);
    if (index + 1 < size) expect(definition.keyAt(index + 1), key).not.toBe(key);
    const time = definition.time;
    if (time === undefined) {
      // Without a time axis every partition has ended, except in a multi with a time dimension.
      if (definition.dimensions === undefined) expect(definition.countEndedBy(0)).toBe(size);
      continue;
    }
    const start = time.windowStart(index);
    const end = time.windowEnd(index);
    expect(end, key).toBeGreaterThan(start);
    if (index + 1 < size) expect(time.windowStart(index + 1), key).toBeGreaterThanOrEqual(end);
    expect(time.indexContaining(start), key).toBe(index);
    expect(time.indexContaining(end - 1), key).toBe(index);
    expect(definition.countEndedBy(end - 1), key).toBe(index);
    expect(definition.countEndedBy(end), key).toBe(index + 1);
  }
  expectPartitionError(() => definition.keyAt(-1), 'invalid-partition-key', `index -1 is out of range`);
  expectPartitionError(() => definition.keyAt(size), 'invalid-partition-key', `index ${size} is out of range`);
  expectPartitionError(() => definition.keyAt(0.5), 'invalid-partition-key', 'index 0.5 is out of range');
}

/** Runs `action`, expects a PartitionError with `code`, and returns its message after checking it contains each fragment. */
export function expectPartitionError(action: () => unknown, code: string, ...fragments: string[]): string {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PartitionError);
  const error = caught as PartitionError;
  expect(error.code).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error.message;
}

/** Every key of a definition from `start` to `end` (exclusive). */
export function keysBetween(definition: PartitionsDefinition, start: number, end: number): string[] {
  return Array.from({ length: end - start }, (_, offset) => definition.keyAt(start + offset));
}
