import { z } from 'zod';
import { ASSET_KEY_PATTERN } from '../../definitions/asset-key.ts';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import type { JsonObject } from '../../store/schema.ts';
import { assertTimeZone } from '../../util/time-zone.ts';

/** The variants: `cronSchedule()`, `calendarSchedule()` and `weeklySchedule()`, one file each. */
export type ScheduleKind = 'cron' | 'calendar' | 'weekly';

/** One occurrence of a schedule: when it fires, and which partitions it asks for. */
export interface ScheduleOccurrence {
  /** Epoch ms. */
  readonly at: number;
  readonly partitions: PartitionRequest;
}

/**
 * A schedule: when to request a materialization of an asset selection, and of which partitions.
 * Frozen and pure: `nextTick` reads no clock, so ticks are computed for any time passed in.
 *
 * @example
 * const premarket = calendarSchedule({ name: 'northbridge/premarket', calendar: xnys(), at: '05:00', selection: 'group:northbridge', partition: 'previousSession' });
 * premarket.nextTick(Date.parse('2026-11-26T12:00:00Z')); // { at: 2026-11-27T10:00Z, partitions: { partition: '2026-11-25' } }
 */
export interface ScheduleDefinition {
  readonly kind: ScheduleKind;
  /** Unique among the daemon's schedules; part of every tick's idempotency key. */
  readonly name: string;
  /** The assets each tick materializes, in selection syntax (`key`, `+key`, `key+`, `group:NAME`, `tag:K=V`, `*`). */
  readonly selection: string;
  /** What the schedule was declared with, JSON-safe (a calendar by its name): for the store, the API and messages. */
  readonly spec: JsonObject;
  /** In words, e.g. `05:00 America/New_York on XNYS sessions, for the previous session`. */
  readonly description: string;
  /** The first occurrence strictly after `afterMs`, or undefined when there is none (past a calendar's last date). */
  nextTick(afterMs: number): ScheduleOccurrence | undefined;
}

/** Names look like asset keys (`northbridge/premarket`): they go into idempotency keys and messages. */
export const scheduleNameSchema = z
  .string()
  .max(200)
  .regex(ASSET_KEY_PATTERN, 'expected lower-case segments of a-z, 0-9, _ and - joined by "/", e.g. northbridge/premarket');

/** Selection syntax is checked for shape here; which assets it names is resolved against the definitions by the daemon. */
export const selectionSchema = z
  .string()
  .refine((text) => text.split(',').every((term) => term.trim() !== ''), 'expected a selection such as key, +key, key+, group:NAME, tag:K=V or *, joined by commas');

export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (24-hour)');

export const timeZoneSchema = z.string().refine((zone) => {
  try {
    assertTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

/** Minutes since midnight of an `HH:MM` the schemas above have accepted. */
export function minuteOfDay(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/** A partition request as JSON (undefined fields dropped), for the spec, the store and the audit log. */
export function partitionRequestJson(request: PartitionRequest): JsonObject {
  return JSON.parse(JSON.stringify(request)) as JsonObject;
}
