import { z } from 'zod';
import { parseSpec } from '../../definitions/validation.ts';
import type { Calendar } from '../../partitions/calendar.ts';
import { formatDay, parseDay } from '../../util/dates.ts';
import { parseDuration } from '../../util/duration.ts';
import { PartitionError } from '../../util/errors.ts';
import { utcToZoned, zonedToUtc } from '../../util/time-zone.ts';
import { localTimeSchema, minuteOfDay, scheduleNameSchema, selectionSchema, timeZoneSchema, type ScheduleDefinition, type ScheduleOccurrence } from './schedule.ts';

/** When on each session: a local time, or a duration after the session's open or close (early closes included). */
export type SessionTime = string | { afterOpen: string } | { afterClose: string };

export interface CalendarScheduleOptions {
  name: string;
  /** The market calendar whose sessions the schedule fires on, e.g. `xnys()`. */
  calendar: Calendar;
  /** `HH:MM` local time on the session's date, or `{ afterOpen: '15m' }`, or `{ afterClose: '30m' }` (under a day; `0m` is at the bell). */
  at: SessionTime;
  /** Zone of an `HH:MM` time; default the calendar's. */
  tz?: string;
  selection: string;
  /** Which session's partition a tick requests: the one it fires on, or the one before. */
  partition: 'previousSession' | 'currentSession';
}

const DAY_MS = 86_400_000;
const offsetSchema = z
  .string()
  .refine((text) => /^0[dhms]$/.test(text) || (parseDuration(text) ?? DAY_MS) < DAY_MS, "expected a duration under a day, such as '30m' or '1h15m'");

const optionsSchema = z
  .object({
    name: scheduleNameSchema,
    calendar: z.custom<Calendar>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Calendar).closeAt === 'function' && typeof (value as Calendar).next === 'function',
      'expected a Calendar, e.g. xnys()',
    ),
    at: z.union([localTimeSchema, z.object({ afterOpen: offsetSchema }).strict(), z.object({ afterClose: offsetSchema }).strict()]),
    tz: timeZoneSchema.optional(),
    selection: selectionSchema,
    partition: z.enum(['previousSession', 'currentSession']),
  })
  .strict();

/**
 * A schedule that fires once on each session of a market calendar and on no other day, so holidays
 * are skipped: at a local time (`'05:00'`), or a duration after the open or the close, which follows
 * early closes (13:00 on the day after Thanksgiving). Each tick requests one session's partition
 * (`{ partition: '2026-11-25' }`): the session it fires on, or the one before it.
 *
 * A local time that clocks skip fires that much later (02:30 → 03:30) and one they repeat fires at
 * its first occurrence, as everywhere in Daybook's wall-time arithmetic.
 *
 * @example
 * const premarket = calendarSchedule({ name: 'northbridge/premarket', calendar: xnys(), at: '05:00', selection: 'group:northbridge', partition: 'previousSession' });
 * const afterClose = calendarSchedule({ name: 'northbridge/eod', calendar: xnys(), at: { afterClose: '30m' }, selection: 'northbridge/pnl', partition: 'currentSession' });
 * afterClose.nextTick(Date.parse('2026-11-27T00:00:00Z'))?.at; // 2026-11-27T18:30:00.000Z (13:30 New York: an early close)
 */
export function calendarSchedule(options: CalendarScheduleOptions): ScheduleDefinition {
  const input = parseSpec(optionsSchema, options, `calendar schedule ${JSON.stringify(options?.name)}`, undefined);
  const { calendar, at, partition } = input;
  const zone = input.tz ?? calendar.timeZone;
  const instantOf = sessionInstant(calendar, at, zone);
  const partitionOf = (session: string): string => (partition === 'currentSession' ? session : calendar.previous(session));
  const when = typeof at === 'string' ? `${at} ${zone}` : 'afterOpen' in at ? `${at.afterOpen} after the open` : `${at.afterClose} after the close`;

  return Object.freeze({
    kind: 'calendar' as const,
    name: input.name,
    selection: input.selection,
    spec: Object.freeze({ kind: 'calendar', name: input.name, calendar: calendar.name, at, tz: zone, selection: input.selection, partition }),
    description: `${when} on ${calendar.name} sessions, for the ${partition === 'currentSession' ? 'same' : 'previous'} session`,
    nextTick(afterMs: number): ScheduleOccurrence | undefined {
      // A tick lies on its session's date or, after an offset, the day after: start two days back.
      const from = formatDay(utcToZoned(zone, afterMs).day - 2);
      if (from > calendar.lastDate) return undefined;
      let session = from <= calendar.firstDate ? firstSession(calendar) : nextSession(calendar, formatDay(parseDay(from) - 1));
      while (session !== undefined) {
        const instant = instantOf(session);
        // The first session has no previous session, so it has no tick for the previous session's partition.
        if (instant > afterMs && (partition === 'currentSession' || session !== firstSession(calendar))) {
          return { at: instant, partitions: { partition: partitionOf(session) } };
        }
        session = nextSession(calendar, session);
      }
      return undefined;
    },
  });
}

function sessionInstant(calendar: Calendar, at: SessionTime, zone: string): (session: string) => number {
  if (typeof at === 'string') {
    const minute = minuteOfDay(at);
    return (session) => zonedToUtc(zone, parseDay(session), minute);
  }
  if ('afterOpen' in at) {
    const offset = parseDuration(at.afterOpen) ?? 0;
    return (session) => calendar.openAt(session).getTime() + offset;
  }
  const offset = parseDuration(at.afterClose) ?? 0;
  return (session) => calendar.closeAt(session).getTime() + offset;
}

function firstSession(calendar: Calendar): string {
  return formatDay(calendar.sessionDays()[0]!);
}

/** The first session after `date`, or undefined past the calendar's last date. */
function nextSession(calendar: Calendar, date: string): string | undefined {
  if (date >= calendar.lastDate) return undefined;
  try {
    return calendar.next(date);
  } catch (error) {
    if (error instanceof PartitionError && error.code === 'date-out-of-range') return undefined;
    throw error;
  }
}
