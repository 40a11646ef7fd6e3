import type { Calendar } from '../calendar.ts';
import type { PartitionsDefinition, TimeAxis } from '../definition.ts';
import { formatDay, tryParseDay } from '../../util/dates.ts';
import { utcToZoned, zonedToUtc } from '../../util/time-zone.ts';
import { badDefinition, badKey, inRange, indexOutOfRange } from './keys.ts';
import { lowerBound } from '../../util/lower-bound.ts';

export interface SessionsOptions {
  /** First date, `YYYY-MM-DD`. When it is not a session, the first session after it is the first key. */
  start: string;
  /** Last date, inclusive, `YYYY-MM-DD`; default the calendar's last date. */
  end?: string;
}

/**
 * One partition per trading session of a market calendar, keyed `YYYY-MM-DD`.
 *
 * `start` and `end` need not be sessions: the key space runs from the first session on or after
 * `start` to the last session on or before `end`, since a user writing "from 2026-01-01" should not
 * have to know that it is a holiday. The spec records the sessions actually used, so two definitions
 * with the same sessions have equal specs.
 *
 * The window of a session is its whole local day in the calendar's zone, `[midnight, next midnight)`,
 * not its trading hours, so that sub-daily windows (15 minutes, hourly) fall inside sessions and
 * sessions fall inside weeks whatever the hours of the day.
 *
 * @example
 * const days = sessions(xnys(), { start: '2026-01-02' });
 * days.keyAt(days.indexOf('2026-11-27') - 1); // '2026-11-25' (Thanksgiving is not a session)
 */
export function sessions(calendar: Calendar, { start, end = calendar.lastDate }: SessionsOptions): PartitionsDefinition {
  const subject = `${calendar.name} sessions`;
  const firstDate = tryParseDay(calendar.firstDate)!;
  const lastDate = tryParseDay(calendar.lastDate)!;
  const bound = (field: string, text: string): number => {
    const day = tryParseDay(text);
    if (day === undefined) throw badDefinition(subject, field, `${JSON.stringify(text)} is not a date; expected YYYY-MM-DD`);
    if (day < firstDate || day > lastDate) {
      throw badDefinition(
        subject,
        field,
        `${text} is outside the ${calendar.name} calendar, which runs from ${calendar.firstDate} to ${calendar.lastDate}`,
      );
    }
    return day;
  };
  const startDay = bound('start', start);
  const endDay = bound('end', end);
  if (endDay < startDay) throw badDefinition(subject, 'end', `${end} is before start ${start}`);

  // The key space is the slice [from, to) of the calendar's own session array: nothing per key is built.
  const days = calendar.sessionDays();
  const from = lowerBound(days, startDay);
  const to = lowerBound(days, endDay + 1);
  if (to <= from) throw badDefinition(subject, 'start', `${start} to ${end} contains no ${calendar.name} session`);
  const size = to - from;
  const first = formatDay(days[from]!);
  const last = formatDay(days[to - 1]!);
  const zone = calendar.timeZone;

  const dayAt = (index: number): number => {
    if (!inRange(index, size)) throw indexOutOfRange(definition, index);
    return days[from + index]!;
  };

  const locate = (key: string): number | string => {
    const day = typeof key === 'string' ? tryParseDay(key) : undefined;
    if (day === undefined) return 'not a date';
    if (day < days[from]!) return `before the first session, ${first}`;
    if (day > days[to - 1]!) return `after the last session, ${last}`;
    const at = lowerBound(days, day);
    return days[at] === day ? at - from : `${calendar.name} has no session on that date`;
  };

  const time: TimeAxis = Object.freeze({
    timeZone: zone,
    calendar,
    windowStart: (index: number) => zonedToUtc(zone, dayAt(index), 0),
    windowEnd: (index: number) => zonedToUtc(zone, dayAt(index) + 1, 0),
    indexContaining(epochMs: number): number {
      const { day } = utcToZoned(zone, epochMs);
      const at = lowerBound(days, day);
      return at >= from && at < to && days[at] === day ? at - from : -1;
    },
  });

  const definition: PartitionsDefinition = Object.freeze({
    spec: Object.freeze({ kind: 'sessions' as const, calendar: calendar.name, start: first, end: last }),
    description: `${calendar.name} sessions from ${first}${endDay === lastDate ? '' : ` to ${last}`}`,
    keyFormat: `YYYY-MM-DD, an ${calendar.name} session from ${first} to ${last}`,
    size: () => size,
    countEndedBy(epochMs: number): number {
      if (!Number.isFinite(epochMs)) return epochMs > 0 ? size : 0;
      // A session's window ends at the next local midnight, so the sessions before today's local date have ended.
      const { day } = utcToZoned(zone, epochMs);
      return Math.min(size, Math.max(0, lowerBound(days, day) - from));
    },
    indexOf(key: string): number {
      const found = locate(key);
      if (typeof found === 'string') throw badKey(definition, key, found);
      return found;
    },
    tryIndexOf(key: string): number {
      const found = locate(key);
      return typeof found === 'number' ? found : -1;
    },
    keyAt: (index: number) => formatDay(dayAt(index)),
    time,
    dimensions: undefined,
  });
  return definition;
}
