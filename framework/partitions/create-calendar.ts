import type { Calendar, Closure, EarlyClose, SessionHours } from './calendar.ts';
import { dayFromCivil, formatDay, tryParseDay, weekdayOf } from '../util/dates.ts';
import { PartitionError } from '../util/errors.ts';
import { assertTimeZone, zonedToUtc } from '../util/time-zone.ts';
import { lowerBound } from '../util/lower-bound.ts';

/** How a calendar is built from yearly rules plus the user's ad-hoc adjustments. */
export interface CalendarOptions {
  /** The market identifier, e.g. `XNYS`; every error names it. */
  name: string;
  /** The IANA zone of session hours, e.g. `America/New_York`. */
  timeZone: string;
  /** First and last years covered, inclusive: the calendar runs from `firstYear-01-01` to `lastYear-12-31`. */
  firstYear: number;
  lastYear: number;
  /** Regular local hours, `HH:MM`. `close` may be `24:00`, the end of the day. */
  open: string;
  close: string;
  /** Weekdays that never have a session, 0 = Sunday … 6 = Saturday. Default: Saturday and Sunday. */
  weekend?: readonly number[];
  /** The weekday closures of one year (holidays and unscheduled closures), each dated in that year and named. */
  closuresOf: (year: number) => readonly Closure[];
  /** The early closes of one year, each dated in that year. */
  earlyClosesOf?: (year: number) => readonly EarlyClose[];
  /** Closures added by configuration. One on a date the rules already close is accepted and keeps the rule's name. */
  extraClosures?: readonly Closure[];
  /** Early closes added by configuration. One on a date the rules already close early replaces the rule's. */
  extraEarlyCloses?: readonly EarlyClose[];
}

const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_OF_DAY = '24:00';
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface EarlyCloseEntry {
  readonly value: EarlyClose;
  readonly minute: number;
}

/**
 * Builds a Calendar from yearly rules. Everything is computed once, so every method is O(1) or
 * O(log n) plus the size of its answer. Options are validated up front: a bad rule or a bad ad-hoc
 * adjustment fails here, with the calendar and the field named, rather than at query time.
 *
 * @example
 * const cal = createCalendar({
 *   name: 'XTST', timeZone: 'Europe/London', firstYear: 2026, lastYear: 2026, open: '08:00', close: '16:30',
 *   closuresOf: () => [{ date: '2026-12-25', name: 'Christmas Day' }],
 *   earlyClosesOf: () => [{ date: '2026-12-24', close: '12:30', name: 'Christmas Eve' }],
 * });
 * cal.next('2026-12-24'); // '2026-12-28'
 * cal.closeAt('2026-12-24'); // 2026-12-24T12:30:00.000Z
 */
export function createCalendar({
  name,
  timeZone,
  firstYear,
  lastYear,
  open,
  close,
  weekend = [0, 6],
  closuresOf,
  earlyClosesOf = () => [],
  extraClosures = [],
  extraEarlyCloses = [],
}: CalendarOptions): Calendar {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new PartitionError('invalid-calendar', `calendar name ${describe(name)} must be a non-empty string`, { field: 'name' });
  }
  const fail = (field: string, problem: string): never => {
    throw new PartitionError('invalid-calendar', `calendar ${name}: ${field} ${problem}`, { field });
  };

  try {
    assertTimeZone(timeZone, 'timeZone');
  } catch (cause) {
    throw new PartitionError('invalid-calendar', `calendar ${name}: timeZone ${describe(timeZone)} is not a known IANA time zone`, {
      cause,
      field: 'timeZone',
    });
  }
  for (const [field, year] of [['firstYear', firstYear], ['lastYear', lastYear]] as const) {
    if (!Number.isInteger(year) || year < 1 || year > 9999) fail(field, `${describe(year)} must be an integer year from 1 to 9999`);
  }
  if (firstYear > lastYear) fail('lastYear', `${lastYear} is before firstYear ${firstYear}`);

  const openMinute = parseTime(open, false) ?? fail('open', `${describe(open)} is not a time; expected HH:MM`);
  const closeMinute = parseTime(close, true) ?? fail('close', `${describe(close)} is not a time; expected HH:MM`);
  if (closeMinute <= openMinute) fail('close', `${close} is not after open ${open}`);

  if (!Array.isArray(weekend)) fail('weekend', 'must be an array of weekdays (0 = Sunday … 6 = Saturday)');
  const isWeekend = new Array<boolean>(7).fill(false);
  weekend.forEach((weekday, i) => {
    if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6) fail(`weekend[${i}]`, `${describe(weekday)} is not a weekday from 0 (Sunday) to 6 (Saturday)`);
    isWeekend[weekday] = true;
  });
  if (isWeekend.every(Boolean)) fail('weekend', 'covers every day of the week, so the calendar would have no sessions');
  if (typeof closuresOf !== 'function') fail('closuresOf', 'must be a function of the year');
  if (typeof earlyClosesOf !== 'function') fail('earlyClosesOf', 'must be a function of the year');

  const firstDay = dayFromCivil(firstYear, 1, 1);
  const lastDay = dayFromCivil(lastYear, 12, 31);
  const firstDate = formatDay(firstDay);
  const lastDate = formatDay(lastDay);

  // Checks one dated entry of the rules or of the configuration and returns its day number.
  const entryDay = (entry: Closure | EarlyClose, where: string, year: number | undefined): number => {
    if (typeof entry !== 'object' || entry === null) return fail(where, 'must be an object with a date and a name');
    const day = typeof entry.date === 'string' ? tryParseDay(entry.date) : undefined;
    if (day === undefined) return fail(`${where}.date`, `${describe(entry.date)} is not a valid date; expected YYYY-MM-DD`);
    if (typeof entry.name !== 'string' || entry.name.trim() === '') fail(`${where}.name`, `of ${entry.date} must be a non-empty string`);
    if (year !== undefined && !entry.date.startsWith(`${String(year).padStart(4, '0')}-`)) {
      fail(`${where}.date`, `${entry.date} is not in ${year}`);
    }
    if (day < firstDay || day > lastDay) fail(`${where}.date`, `${entry.date} is outside the calendar's range ${firstDate} to ${lastDate}`);
    if (isWeekend[weekdayOf(day)]) {
      fail(`${where}.date`, `${entry.date} (${entry.name}) is a ${WEEKDAY_NAMES[weekdayOf(day)]}, a weekend day; list weekday dates only`);
    }
    return day;
  };

  // A closure from the configuration may repeat one from the rules (e.g. added before a release
  // that knows it): that is harmless, so the first one wins.
  const closureByDay = new Map<number, Closure>();
  const ruleEarlyCloses: Array<[EarlyClose, string, number]> = [];
  for (let year = firstYear; year <= lastYear; year += 1) {
    const closures = closuresOf(year);
    if (!Array.isArray(closures)) fail(`closuresOf(${year})`, 'must return an array of closures');
    closures.forEach((closure, i) => {
      const where = `closuresOf(${year})[${i}]`;
      const day = entryDay(closure, where, year);
      if (closureByDay.has(day)) fail(`${where}.date`, `${closure.date} is already closed (${closureByDay.get(day)!.name})`);
      closureByDay.set(day, Object.freeze({ date: closure.date, name: closure.name }));
    });
    const earlyCloses = earlyClosesOf(year);
    if (!Array.isArray(earlyCloses)) fail(`earlyClosesOf(${year})`, 'must return an array of early closes');
    earlyCloses.forEach((earlyClose, i) => ruleEarlyCloses.push([earlyClose, `earlyClosesOf(${year})[${i}]`, year]));
  }
  const extraClosureDays = new Set<number>();
  if (!Array.isArray(extraClosures)) fail('extraClosures', 'must be an array of closures');
  extraClosures.forEach((closure, i) => {
    const day = entryDay(closure, `extraClosures[${i}]`, undefined);
    if (extraClosureDays.has(day)) fail(`extraClosures[${i}].date`, `${closure.date} is listed twice`);
    extraClosureDays.add(day);
    if (!closureByDay.has(day)) closureByDay.set(day, Object.freeze({ date: closure.date, name: closure.name }));
  });

  const earlyByDay = new Map<number, EarlyCloseEntry>();
  const earlyEntry = (earlyClose: EarlyClose, where: string, year: number | undefined): [number, EarlyCloseEntry] => {
    const day = entryDay(earlyClose, where, year);
    const minute = parseTime(earlyClose.close, true) ?? fail(`${where}.close`, `${describe(earlyClose.close)} is not a time; expected HH:MM`);
    if (minute <= openMinute) fail(`${where}.close`, `${earlyClose.close} on ${earlyClose.date} is not after the open ${open}`);
    if (minute >= closeMinute) fail(`${where}.close`, `${earlyClose.close} on ${earlyClose.date} is not before the regular close ${close}`);
    return [day, { value: Object.freeze({ date: earlyClose.date, close: earlyClose.close, name: earlyClose.name }), minute }];
  };
  for (const [earlyClose, where, year] of ruleEarlyCloses) {
    const [day, entry] = earlyEntry(earlyClose, where, year);
    if (earlyByDay.has(day)) fail(`${where}.date`, `${earlyClose.date} already closes early (${earlyByDay.get(day)!.value.name})`);
    // A closure supersedes a scheduled early close, e.g. a day of mourning declared on Christmas Eve.
    if (!closureByDay.has(day)) earlyByDay.set(day, entry);
  }
  const extraEarlyDays = new Set<number>();
  if (!Array.isArray(extraEarlyCloses)) fail('extraEarlyCloses', 'must be an array of early closes');
  extraEarlyCloses.forEach((earlyClose, i) => {
    const where = `extraEarlyCloses[${i}]`;
    const [day, entry] = earlyEntry(earlyClose, where, undefined);
    if (closureByDay.has(day)) fail(`${where}.date`, `${earlyClose.date} is a closure (${closureByDay.get(day)!.name}), not a session`);
    if (extraEarlyDays.has(day)) fail(`${where}.date`, `${earlyClose.date} is listed twice`);
    extraEarlyDays.add(day);
    earlyByDay.set(day, entry);
  });

  // rank[i] is the number of sessions before day firstDay + i, so a day is a session when the rank
  // steps up after it, its session index is its rank, and next/previous are one lookup each.
  const span = lastDay - firstDay + 1;
  const rank = new Int32Array(span + 1);
  const buffer = new Int32Array(span);
  let count = 0;
  for (let offset = 0; offset < span; offset += 1) {
    rank[offset] = count;
    const day = firstDay + offset;
    if (!isWeekend[weekdayOf(day)] && !closureByDay.has(day)) buffer[count++] = day;
  }
  rank[span] = count;
  const sessionDays = buffer.slice(0, count);
  if (count === 0) fail('closuresOf', `leaves no session from ${firstDate} to ${lastDate}`);

  const closureDays = Int32Array.from([...closureByDay.keys()].sort((a, b) => a - b));
  const closureList = Array.from(closureDays, (day) => closureByDay.get(day)!);
  const earlyDays = Int32Array.from([...earlyByDay.keys()].sort((a, b) => a - b));
  const earlyList = Array.from(earlyDays, (day) => earlyByDay.get(day)!.value);
  const regularHours: SessionHours = Object.freeze({ open, close });

  const dayOf = (date: string, field: string): number => {
    const day = typeof date === 'string' ? tryParseDay(date) : undefined;
    if (day === undefined) {
      throw new PartitionError('invalid-partition-key', `calendar ${name}: ${field} ${describe(date)} is not a valid date; expected YYYY-MM-DD`, {
        field,
        partition: String(date).slice(0, 64),
      });
    }
    if (day < firstDay || day > lastDay) {
      throw new PartitionError(
        'date-out-of-range',
        `calendar ${name}: ${field} ${date} is outside the calendar's range; expected a YYYY-MM-DD date from ${firstDate} to ${lastDate}`,
        { field, partition: date },
      );
    }
    return day;
  };
  const isSessionDay = (day: number): boolean => rank[day - firstDay + 1]! !== rank[day - firstDay]!;
  const sessionDayOf = (date: string): number => {
    const day = dayOf(date, 'date');
    if (!isSessionDay(day)) {
      const why = closureByDay.get(day)?.name ?? `a ${WEEKDAY_NAMES[weekdayOf(day)]}`;
      throw new PartitionError('invalid-partition-key', `calendar ${name}: ${date} is not a session (${why})`, { field: 'date', partition: date });
    }
    return day;
  };
  const between = <T>(days: Int32Array, values: readonly T[], from: string, to: string): T[] => {
    const start = dayOf(from, 'from');
    const end = dayOf(to, 'to');
    return values.slice(lowerBound(days, start), lowerBound(days, end + 1));
  };

  return Object.freeze({
    name,
    timeZone,
    firstDate,
    lastDate,
    sessionDays: () => sessionDays,
    isSession: (date: string) => isSessionDay(dayOf(date, 'date')),
    sessions(from: string, to: string): string[] {
      const start = dayOf(from, 'from') - firstDay;
      const end = dayOf(to, 'to') - firstDay;
      if (start > end) return [];
      return Array.from(sessionDays.subarray(rank[start]!, rank[end + 1]!), formatDay);
    },
    next(date: string): string {
      const after = rank[dayOf(date, 'date') - firstDay + 1]!;
      if (after >= count) {
        throw new PartitionError('date-out-of-range', `calendar ${name}: no session after ${date} up to ${lastDate}, the calendar's last date`, {
          field: 'date',
          partition: date,
        });
      }
      return formatDay(sessionDays[after]!);
    },
    previous(date: string): string {
      const before = rank[dayOf(date, 'date') - firstDay]!;
      if (before === 0) {
        throw new PartitionError('date-out-of-range', `calendar ${name}: no session before ${date} from ${firstDate}, the calendar's first date`, {
          field: 'date',
          partition: date,
        });
      }
      return formatDay(sessionDays[before - 1]!);
    },
    hours(date: string): SessionHours {
      const early = earlyByDay.get(sessionDayOf(date));
      return early ? Object.freeze({ open, close: early.value.close }) : regularHours;
    },
    openAt: (date: string) => new Date(zonedToUtc(timeZone, sessionDayOf(date), openMinute)),
    closeAt(date: string): Date {
      const day = sessionDayOf(date);
      return new Date(zonedToUtc(timeZone, day, earlyByDay.get(day)?.minute ?? closeMinute));
    },
    earlyCloses: (from: string, to: string) => between(earlyDays, earlyList, from, to),
    closures: (from: string, to: string) => between(closureDays, closureList, from, to),
  });
}

/** Minutes after local midnight of `HH:MM`; `24:00` only where the end of the day makes sense (a close). */
function parseTime(text: unknown, allowEndOfDay: boolean): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (allowEndOfDay && text === END_OF_DAY) return 24 * 60;
  const match = TIME_PATTERN.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}


/** A value as it appears in a message: strings quoted, long ones cut, so bad input cannot flood a log. */
function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
