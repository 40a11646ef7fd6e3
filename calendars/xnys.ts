import { createCalendar } from '../framework/index.ts';
import type { Calendar, Closure, EarlyClose } from '../framework/index.ts';

// The New York Stock Exchange, 1990-2100, computed from the exchange's holiday rules (NYSE Rule 7.2
// and its holiday and early-closing calendars) rather than from a list of dates. Only the unscheduled
// closures and a few one-off early closes are listed. The rules and their exceptions follow NYSE's
// published calendars (2024-2027 are in the tests) and agree with the exchange_calendars (XNYS) and
// pandas_market_calendars (NYSE) libraries, whose sources cite NYSE's historical closings record.

/** Ad-hoc adjustments to XNYS from configuration, e.g. a day of mourning announced after this release. */
export interface XnysOptions {
  extraClosures?: readonly Closure[];
  extraEarlyCloses?: readonly EarlyClose[];
}

const FIRST_YEAR = 1990;
const LAST_YEAR = 2100;
const DAY_MS = 86_400_000;
const [SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY] = [0, 1, 2, 3, 4, 5, 6] as const;

// Closures that no rule predicts. Each is a weekday that would otherwise have been a session.
const UNSCHEDULED_CLOSURES: readonly Closure[] = [
  { date: '1994-04-27', name: 'National Day of Mourning for former President Richard Nixon' },
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'National Day of Mourning for former President Ronald Reagan' },
  { date: '2007-01-02', name: 'National Day of Mourning for former President Gerald Ford' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National Day of Mourning for former President George H. W. Bush' },
  { date: '2025-01-09', name: 'National Day of Mourning for former President Jimmy Carter' },
];

// Early closes that no rule predicts. The Friday after a Thursday Christmas closed early in 1997
// and 2003 but not in 2008, 2014 or 2025, so it is not a rule. The NYSE board set a 13:00 close for
// New Year's Eve 1999 ahead of the Y2K rollover (exchange_calendars records it; pandas_market_calendars
// calls it disputed, as NYSE's historical closings list omits it); we follow the board's decision.
// Intraday halts and weather closes (1994-02-11, 1996-01-08, 1997-10-27, 2005-06-01) are left out:
// they were not calendar events, and a late open (1996-01-08) cannot be expressed as an early close.
const UNSCHEDULED_EARLY_CLOSES: readonly EarlyClose[] = [
  { date: '1997-12-26', close: '13:00', name: 'Day after Christmas' },
  { date: '1999-12-31', close: '13:00', name: "New Year's Eve (Y2K rollover)" },
  { date: '2003-12-26', close: '13:00', name: 'Day after Christmas' },
];

/**
 * The NYSE calendar (MIC `XNYS`) from 1990-01-01 to 2100-12-31: sessions 09:30-16:00 America/New_York,
 * holidays with their weekend observance, 13:00 early closes (14:00 before 1993) and the historical
 * unscheduled closures. Without options the same instance is returned on every call.
 *
 * @example
 * xnys().previous('2026-11-27'); // '2026-11-25' (Thanksgiving is closed)
 * xnys().hours('2026-11-27'); // { open: '09:30', close: '13:00' }
 * xnys({ extraClosures: [{ date: '2030-06-03', name: 'Day of mourning' }] }).isSession('2030-06-03'); // false
 */
export function xnys({ extraClosures = [], extraEarlyCloses = [] }: XnysOptions = {}): Calendar {
  if (extraClosures.length === 0 && extraEarlyCloses.length === 0) {
    standard ??= build([], []);
    return standard;
  }
  return build(extraClosures, extraEarlyCloses);
}

let standard: Calendar | undefined;

function build(extraClosures: readonly Closure[], extraEarlyCloses: readonly EarlyClose[]): Calendar {
  return createCalendar({
    name: 'XNYS',
    timeZone: 'America/New_York',
    firstYear: FIRST_YEAR,
    lastYear: LAST_YEAR,
    open: '09:30',
    close: '16:00',
    closuresOf,
    earlyClosesOf,
    extraClosures,
    extraEarlyCloses,
  });
}

function closuresOf(year: number): Closure[] {
  const closures: Array<[number, string]> = [];
  // Rule 7.2 moves a Saturday holiday to the Friday before unless that Friday ends a monthly or yearly
  // accounting period. December 31 always does, so a Saturday New Year's Day is not observed at all
  // (2021-12-31 and 2010-12-31 were sessions).
  const newYear = dayOf(year, 1, 1);
  if (weekdayOf(newYear) === SUNDAY) closures.push([newYear + 1, "New Year's Day"]);
  else if (weekdayOf(newYear) !== SATURDAY) closures.push([newYear, "New Year's Day"]);
  // NYSE first closed for Martin Luther King Jr. Day in 1998.
  if (year >= 1998) closures.push([nthWeekday(year, 1, MONDAY, 3), 'Martin Luther King Jr. Day']);
  closures.push([nthWeekday(year, 2, MONDAY, 3), "Washington's Birthday"]);
  closures.push([easterSunday(year) - 2, 'Good Friday']);
  closures.push([lastWeekday(year, 5, MONDAY), 'Memorial Day']);
  // Juneteenth became a federal holiday in June 2021; NYSE first closed for it in 2022.
  if (year >= 2022) closures.push([nearestWeekday(dayOf(year, 6, 19)), 'Juneteenth National Independence Day']);
  closures.push([nearestWeekday(dayOf(year, 7, 4)), 'Independence Day']);
  closures.push([nthWeekday(year, 9, MONDAY, 1), 'Labor Day']);
  closures.push([thanksgiving(year), 'Thanksgiving Day']);
  closures.push([nearestWeekday(dayOf(year, 12, 25)), 'Christmas Day']);
  // Columbus Day and Veterans Day are bank holidays but have not closed NYSE since 1953.
  const scheduled = closures.map(([day, name]) => ({ date: formatDay(day), name }));
  const unscheduled = UNSCHEDULED_CLOSURES.filter((closure) => closure.date.startsWith(`${year}-`));
  return [...scheduled, ...unscheduled].sort((a, b) => a.date.localeCompare(b.date));
}

function earlyClosesOf(year: number): EarlyClose[] {
  // The standard early close moved from 14:00 to 13:00 in 1993.
  const close = year >= 1993 ? '13:00' : '14:00';
  const earlyCloses: Array<[number, string]> = [];
  // Independence Day early closes began in 1995, and only on a session right before the holiday
  // within the same week: none when July 4 falls on a Saturday, Sunday or Monday. When it falls on
  // a Thursday the early close was the Friday after (1996, 2002) until 2013, and the Wednesday
  // before from 2013 on.
  if (year >= 1995) {
    const july4 = dayOf(year, 7, 4);
    const weekday = weekdayOf(july4);
    if (weekday === TUESDAY || weekday === WEDNESDAY || weekday === FRIDAY) {
      earlyCloses.push([july4 - 1, 'Day before Independence Day']);
    } else if (weekday === THURSDAY) {
      earlyCloses.push(year < 2013 ? [july4 + 1, 'Day after Independence Day'] : [july4 - 1, 'Day before Independence Day']);
    }
  }
  // The day after Thanksgiving has closed early since 1992.
  if (year >= 1992) earlyCloses.push([thanksgiving(year) + 1, 'Day after Thanksgiving']);
  // Christmas Eve closes early when it is a session: Monday to Thursday. On a Friday it is the observed
  // Christmas holiday.
  const christmasEve = dayOf(year, 12, 24);
  if (weekdayOf(christmasEve) >= MONDAY && weekdayOf(christmasEve) <= THURSDAY) earlyCloses.push([christmasEve, 'Christmas Eve']);
  const scheduled = earlyCloses.map(([day, name]) => ({ date: formatDay(day), close, name }));
  const unscheduled = UNSCHEDULED_EARLY_CLOSES.filter((earlyClose) => earlyClose.date.startsWith(`${year}-`));
  return [...scheduled, ...unscheduled].sort((a, b) => a.date.localeCompare(b.date));
}

function thanksgiving(year: number): number {
  return nthWeekday(year, 11, THURSDAY, 4);
}

// Day numbers (days since 1970-01-01) through Date.UTC, exact for the Gregorian years covered here.
function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The `n`th given weekday of a month, e.g. the third Monday of January. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
}

/** The last given weekday of a month, e.g. the last Monday of May. */
function lastWeekday(year: number, month: number, weekday: number): number {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** A Saturday holiday is observed on the Friday before, a Sunday one on the Monday after. */
function nearestWeekday(day: number): number {
  const weekday = weekdayOf(day);
  return weekday === SATURDAY ? day - 1 : weekday === SUNDAY ? day + 1 : day;
}

/** Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" computus). */
function easterSunday(year: number): number {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const yearOfCentury = year % 100;
  const leapCorrection = Math.floor(century / 4);
  const centuryRemainder = century % 4;
  const moonCorrection = Math.floor((century + 8) / 25);
  const moonShift = Math.floor((century - moonCorrection + 1) / 3);
  const epact = (19 * golden + century - leapCorrection - moonShift + 15) % 30;
  const weekShift = (32 + 2 * centuryRemainder + 2 * Math.floor(yearOfCentury / 4) - epact - (yearOfCentury % 4)) % 7;
  const lateCorrection = Math.floor((golden + 11 * epact + 22 * weekShift) / 451);
  const monthDay = epact + weekShift - 7 * lateCorrection + 114;
  return dayOf(year, Math.floor(monthDay / 31), (monthDay % 31) + 1);
}
