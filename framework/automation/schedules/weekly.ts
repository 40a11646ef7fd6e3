import { z } from 'zod';
import { parseSpec } from '../../definitions/validation.ts';
import { formatDay, weekdayOf } from '../../util/dates.ts';
import { utcToZoned, zonedToUtc } from '../../util/time-zone.ts';
import { localTimeSchema, minuteOfDay, scheduleNameSchema, selectionSchema, timeZoneSchema, type ScheduleDefinition, type ScheduleOccurrence } from './schedule.ts';

export interface WeeklyScheduleOptions {
  name: string;
  /** Day of the tick, 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Local time of the tick, `HH:MM`; default `00:00`. */
  at?: string;
  /** IANA zone of the tick and of the weeks; default `UTC`. */
  tz?: string;
  /** First day of a week, as in `timeWindows({ cadence: 'weekly', weekStart })`; default 0 (Sunday). */
  weekStart?: number;
  selection: string;
  /** The last whole week before the tick's day (default), or the week the tick falls in. */
  partition?: 'previousWeek' | 'currentWeek';
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekdaySchema = z.number().int().min(0).max(6);

const optionsSchema = z
  .object({
    name: scheduleNameSchema,
    weekday: weekdaySchema,
    at: localTimeSchema.default('00:00'),
    tz: timeZoneSchema.default('UTC'),
    weekStart: weekdaySchema.default(0),
    selection: selectionSchema,
    partition: z.enum(['previousWeek', 'currentWeek']).default('previousWeek'),
  })
  .strict();

/**
 * A schedule that fires once a week at a local time, e.g. Sunday 00:00 New York for the week that
 * just ended. A tick requests the seven days of one week as a date range (`{ from: '2026-11-15',
 * to: '2026-11-21' }`): exactly the one window of a weekly time-window asset with the same
 * `weekStart` and zone, and the days or sessions of that week of daily or session assets.
 *
 * @example
 * const weekly = weeklySchedule({ name: 'weekly/quality', weekday: 0, at: '00:00', tz: 'America/New_York', selection: 'group:weekly' });
 * weekly.nextTick(Date.parse('2026-11-20T12:00:00Z')); // { at: 2026-11-22T05:00Z, partitions: { from: '2026-11-15', to: '2026-11-21' } }
 */
export function weeklySchedule(options: WeeklyScheduleOptions): ScheduleDefinition {
  const input = parseSpec(optionsSchema, options, `weekly schedule ${JSON.stringify(options?.name)}`, undefined);
  const { weekday, at, tz, weekStart, partition } = input;
  const minute = minuteOfDay(at);
  const occurrence = (day: number): ScheduleOccurrence => {
    // The week holding the tick's day starts on the latest weekStart day on or before it.
    const currentStart = day - ((weekdayOf(day) - weekStart + 7) % 7);
    const first = partition === 'currentWeek' ? currentStart : currentStart - 7;
    return { at: zonedToUtc(tz, day, minute), partitions: { from: formatDay(first), to: formatDay(first + 6) } };
  };
  return Object.freeze({
    kind: 'weekly' as const,
    name: input.name,
    selection: input.selection,
    spec: Object.freeze({ kind: 'weekly', name: input.name, weekday, at, tz, weekStart, selection: input.selection, partition }),
    description: `${WEEKDAYS[weekday]} ${at} ${tz}, for the ${partition === 'currentWeek' ? 'current' : 'previous'} ${WEEKDAYS[weekStart]}-to-${WEEKDAYS[(weekStart + 6) % 7]} week`,
    nextTick(afterMs: number): ScheduleOccurrence | undefined {
      // Start a day back: a wall time moved across a daylight-saving change stays within it.
      let day = utcToZoned(tz, afterMs).day - 1;
      day += (weekday - weekdayOf(day) + 7) % 7;
      for (;;) {
        const next = occurrence(day);
        if (next.at > afterMs) return next;
        day += 7;
      }
    },
  });
}
