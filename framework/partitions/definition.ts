import type { Calendar } from './calendar.ts';

/** JSON-safe description of a partitions definition; equal specs mean equal key spaces. */
export type PartitionsSpec =
  | { kind: 'sessions'; calendar: string; start: string; end: string }
  | { kind: 'time-window'; cadence: TimeCadence; timeZone: string; start: string; end: string; weekStart?: number }
  | { kind: 'static'; keys: readonly string[] }
  | { kind: 'dynamic'; name: string }
  | { kind: 'multi'; dimensions: readonly { name: string; spec: PartitionsSpec }[] }
  | { kind: 'unpartitioned' };

export type TimeCadence = '15-minute' | 'hourly' | 'daily' | 'weekly';

/**
 * The time axis of a time-based definition (sessions and time windows). Windows are half-open
 * `[start, end)` in epoch milliseconds and ascend with the index, which lets mappings between
 * granularities work with two pointers instead of per-key lookups.
 */
export interface TimeAxis {
  readonly timeZone: string;
  /** Start (inclusive) of the window of partition `index`, epoch ms. */
  windowStart(index: number): number;
  /** End (exclusive) of the window of partition `index`, epoch ms. */
  windowEnd(index: number): number;
  /** Index of the partition whose window contains the instant, or -1 when none does. */
  indexContaining(epochMs: number): number;
  /** The calendar, for session partitions. */
  readonly calendar?: Calendar;
}

/** One named dimension of a multi-partitions definition. */
export interface PartitionDimension {
  readonly name: string;
  readonly definition: PartitionsDefinition;
}

/**
 * The ordered key space of an asset. Every key has a dense integer index in `[0, size())`, in both
 * directions, so sets of partitions are ranges or bitsets and never arrays of strings.
 *
 * @example
 * const days = sessions(xnys(), { start: '2026-01-02' });
 * days.keyAt(days.indexOf('2026-11-20')); // '2026-11-20'
 */
export interface PartitionsDefinition {
  readonly spec: PartitionsSpec;
  /** Names the definition in messages, e.g. `XNYS sessions from 2026-01-02`. */
  readonly description: string;
  /** The expected key format, e.g. `YYYY-MM-DD, an XNYS session on or after 2026-01-02`. */
  readonly keyFormat: string;
  /** Number of keys. For dynamic definitions, the number of keys added so far. */
  size(): number;
  /**
   * Number of partitions whose window has ended by `epochMs` (all of them for definitions without
   * a time axis). Counted arithmetically, without building keys.
   */
  countEndedBy(epochMs: number): number;
  /** Index of a key; throws a PartitionError naming this definition and the key format. */
  indexOf(key: string): number;
  /** Index of a key, or -1 when it is not a key of this definition. */
  tryIndexOf(key: string): number;
  /** Key at an index; throws a PartitionError when the index is out of range. */
  keyAt(index: number): string;
  /** The time axis, for sessions and time windows. */
  readonly time: TimeAxis | undefined;
  /** The dimensions of a multi-partitions definition, in key order; undefined otherwise. */
  readonly dimensions: readonly PartitionDimension[] | undefined;
}

/** Whether two definitions describe the same key space. */
export function sameKeySpace(a: PartitionsDefinition, b: PartitionsDefinition): boolean {
  return a === b || JSON.stringify(a.spec) === JSON.stringify(b.spec);
}
