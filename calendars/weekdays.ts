import { createCalendar, PartitionError } from '../framework/index.ts';
import type { Calendar, Closure, EarlyClose } from '../framework/index.ts';

/** A Monday-to-Friday calendar with the user's own holidays. */
export interface WeekdaysOptions {
  /** Names the calendar in errors and output, e.g. `OPS-LONDON`. */
  name: string;
  /** IANA zone of the session hours. Default `UTC`. */
  timeZone?: string;
  /**
   * Local session hours, `HH:MM`. Default `00:00` to `24:00`: a session is the whole local day, so
   * `closeAt()` is the following midnight, which suits daily batches that wait for a day to end.
   */
  open?: string;
  close?: string;
  /** Weekday holidays: a `YYYY-MM-DD` date (named "Holiday") or a named closure. */
  holidays?: ReadonlyArray<string | Closure>;
  /** Sessions that close before `close`. */
  earlyCloses?: readonly EarlyClose[];
  /** Years covered, inclusive. Default 1990 to 2100, like XNYS. */
  firstYear?: number;
  lastYear?: number;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A plain Monday-to-Friday calendar: every weekday is a session except the listed holidays.
 * Holidays must be weekdays inside the calendar's years; anything else is a configuration mistake and
 * fails here with the holiday's index, rather than being silently ignored.
 *
 * @example
 * const ops = weekdays({ name: 'OPS', timeZone: 'Europe/London', holidays: ['2026-12-25', { date: '2026-12-28', name: 'Boxing Day (substitute)' }] });
 * ops.next('2026-12-24'); // '2026-12-29'
 */
export function weekdays({
  name,
  timeZone = 'UTC',
  open = '00:00',
  close = '24:00',
  holidays = [],
  earlyCloses = [],
  firstYear = 1990,
  lastYear = 2100,
}: WeekdaysOptions): Calendar {
  const fail = (field: string, problem: string): never => {
    throw new PartitionError('invalid-calendar', `calendar ${name}: ${field} ${problem}`, { field });
  };
  if (!Array.isArray(holidays)) fail('holidays', 'must be an array of YYYY-MM-DD dates or { date, name } closures');

  const byYear = new Map<number, Closure[]>();
  const seen = new Set<string>();
  holidays.forEach((holiday, i) => {
    const closure = typeof holiday === 'string' ? { date: holiday, name: 'Holiday' } : holiday;
    const field = `holidays[${i}]`;
    if (typeof closure !== 'object' || closure === null) return fail(field, 'must be a YYYY-MM-DD date or a { date, name } closure');
    const match = typeof closure.date === 'string' ? DATE_PATTERN.exec(closure.date) : null;
    const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
    const utc = new Date(Date.UTC(year, month - 1, day));
    // Date.UTC rolls 2026-02-30 over into March, so a real date is one that survives the round trip.
    if (!match || utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) {
      return fail(field, `${JSON.stringify(closure.date)} is not a valid date; expected YYYY-MM-DD`);
    }
    if (year < firstYear || year > lastYear) fail(field, `${closure.date} is outside the calendar's years ${firstYear} to ${lastYear}`);
    const weekday = utc.getUTCDay();
    if (weekday === 0 || weekday === 6) fail(field, `${closure.date} is a ${WEEKDAY_NAMES[weekday]}; list weekday holidays only`);
    if (seen.has(closure.date)) fail(field, `${closure.date} is listed twice`);
    seen.add(closure.date);
    const list = byYear.get(year) ?? [];
    list.push({ date: closure.date, name: closure.name });
    byYear.set(year, list);
  });

  return createCalendar({
    name,
    timeZone,
    firstYear,
    lastYear,
    open,
    close,
    weekend: [0, 6],
    closuresOf: (year) => byYear.get(year) ?? [],
    extraEarlyCloses: earlyCloses,
  });
}
