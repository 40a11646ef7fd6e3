import type { PartitionsDefinition, PartitionsSpec, TimeAxis, TimeCadence } from '../definition.ts';
import { formatDay, tryParseDay, weekdayOf } from '../../util/dates.ts';
import { assertTimeZone, utcToZoned, zoneOffsetMinutes, zonedToUtc, zonedToUtcAll } from '../../util/time-zone.ts';
import { badDefinition, badKey, inRange, indexOutOfRange } from './keys.ts';

export interface TimeWindowsOptions {
  cadence: TimeCadence;
  /** The first window's local start, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`; it must begin a window of the cadence. */
  start: string;
  /** Local bound, exclusive: the last window is the last one that starts before it. Default `2101-01-01`. */
  end?: string;
  /** IANA zone of the wall times, e.g. `America/New_York`. */
  timeZone?: string;
  /** Weekly only: the first day of each week, 0 = Sunday … 6 = Saturday. */
  weekStart?: number;
}

/*
 * The rules, also in docs/partitions.md:
 * - daily and weekly windows run from one local midnight to another, so a window lasts 23, 24 or 25
 *   hours (167 to 169 for a week) around a daylight-saving change. Where local midnight does not
 *   exist, the window starts at the first instant after it. The key is the local date of the first day.
 * - hourly and 15-minute windows step in absolute time from the start, so a New York day holds 23,
 *   24 or 25 hourly windows. The key is the local wall time of the window's start. A wall time that
 *   clocks skip is not a key. A wall time that clocks repeat names its FIRST occurrence; a window
 *   starting at the second occurrence takes the UTC offset as well (`2026-11-01T01:15-05:00`). Any key
 *   may carry an explicit offset when it is the zone's real offset at that time; `keyAt` always
 *   returns the canonical form.
 * - `start` must begin a window (a `weekStart` day for weekly windows, a whole hour or quarter hour
 *   of local time for sub-daily ones) and is rejected otherwise, rather than silently moved.
 * - `end` is exclusive and bounds window starts, so the last window may run past it.
 */

const CADENCES: readonly TimeCadence[] = ['15-minute', 'hourly', 'daily', 'weekly'];
const STEP_MINUTES = { '15-minute': 15, hourly: 60 } as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DEFAULT_END = '2101-01-01';
const MINUTE_MS = 60_000;
const BOUND = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/;
const WALL_KEY = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?:([+-])(\d{2}):(\d{2}))?$/;

/** The validated options both shapes of windows are built from. */
interface WindowsContext {
  readonly subject: string;
  readonly zone: string;
  readonly weekStart: number;
  readonly startWall: WallTime;
  readonly endWall: WallTime;
}

interface WallTime {
  readonly day: number;
  readonly minute: number;
}

/** What each shape of windows provides; `assemble` turns it into a definition. */
interface Windows {
  size(): number;
  readonly startText: string;
  readonly endText: string;
  readonly description: string;
  readonly keyFormat: string;
  windowStart(index: number): number;
  windowEnd(index: number): number;
  keyOf(index: number): string;
  /** The index of a key, or why it is not one. */
  locate(key: string): number | string;
  /** The index of the window containing an instant, unclipped: negative before the first window. */
  position(epochMs: number): number;
}

/**
 * Time windows of a fixed cadence (15 minutes, hourly, daily or weekly) in any IANA zone, correct
 * across daylight-saving changes. Keys are local: `YYYY-MM-DD` for days and weeks (the week's first
 * day), `YYYY-MM-DDTHH:MM` for sub-daily windows.
 *
 * @example
 * const quarters = timeWindows({ cadence: '15-minute', start: '2026-01-01', timeZone: 'America/New_York' });
 * quarters.keyAt(quarters.indexOf('2026-11-01T01:45') + 1); // '2026-11-01T01:00-05:00' (clocks fell back)
 */
export function timeWindows({
  cadence,
  start,
  end = DEFAULT_END,
  timeZone = 'UTC',
  weekStart = 0,
}: TimeWindowsOptions): PartitionsDefinition {
  if (!CADENCES.includes(cadence)) {
    throw badDefinition('time windows', 'cadence', `${JSON.stringify(cadence)} is not one of ${CADENCES.join(', ')}`);
  }
  const subject = `${cadence} windows in ${timeZone}`;
  try {
    if (typeof timeZone !== 'string') throw new TypeError('not a string');
    assertTimeZone(timeZone, 'timeZone');
  } catch (cause) {
    throw badDefinition(`${cadence} windows`, 'timeZone', `${JSON.stringify(timeZone)} is not a known IANA time zone`, cause);
  }
  if (!Number.isInteger(weekStart) || weekStart < 0 || weekStart > 6) {
    throw badDefinition(subject, 'weekStart', `${weekStart} is not a weekday number (0 = Sunday … 6 = Saturday)`);
  }
  const parse = (field: string, text: string): WallTime => {
    const match = typeof text === 'string' ? BOUND.exec(text) : null;
    const day = match ? tryParseDay(match[1]!) : undefined;
    const hour = Number(match?.[2] ?? 0);
    const minute = Number(match?.[3] ?? 0);
    if (day === undefined || hour > 23 || minute > 59) {
      throw badDefinition(subject, field, `${JSON.stringify(text)} is not a local date or time; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM`);
    }
    return { day, minute: hour * 60 + minute };
  };
  const context = { subject, zone: timeZone, weekStart, startWall: parse('start', start), endWall: parse('end', end) };
  const windows = cadence === 'daily' || cadence === 'weekly' ? dayWindows(cadence, context) : fixedWindows(cadence, context);
  const spec: PartitionsSpec = {
    kind: 'time-window',
    cadence,
    timeZone,
    start: windows.startText,
    end: windows.endText,
    ...(cadence === 'weekly' ? { weekStart } : {}),
  };
  return assemble(Object.freeze(spec), timeZone, windows);
}

/** Daily and weekly windows: whole local days, indexed by day-number arithmetic. */
function dayWindows(cadence: 'daily' | 'weekly', { subject, zone, weekStart, startWall, endWall }: WindowsContext): Windows {
  if (startWall.minute !== 0) throw badDefinition(subject, 'start', `must be a date (YYYY-MM-DD): ${cadence} windows begin at local midnight`);
  if (endWall.minute !== 0) throw badDefinition(subject, 'end', `must be a date (YYYY-MM-DD): ${cadence} windows end at local midnight`);
  const startDay = startWall.day;
  const endDay = endWall.day;
  const step = cadence === 'weekly' ? 7 : 1;
  const startText = formatDay(startDay);
  const endText = formatDay(endDay);
  if (cadence === 'weekly' && weekdayOf(startDay) !== weekStart) {
    throw badDefinition(
      subject,
      'start',
      `${startText} is a ${WEEKDAYS[weekdayOf(startDay)]}, but weeks start on ${WEEKDAYS[weekStart]} (weekStart ${weekStart})`,
    );
  }
  if (endDay <= startDay) throw badDefinition(subject, 'end', `${endText} is not after start ${startText}`);
  const size = Math.ceil((endDay - startDay) / step);
  const until = endText === DEFAULT_END ? '' : ` until ${endText}`;
  const week = `${WEEKDAYS[weekStart]} to ${WEEKDAYS[(weekStart + 6) % 7]}`;
  const dayOf = (index: number): number => {
    if (!inRange(index, size)) throw indexOutOfRange(windows, index);
    return startDay + index * step;
  };
  const windows: Windows = {
    size: () => size,
    startText,
    endText,
    description:
      cadence === 'weekly' ? `weekly windows (${week}) in ${zone} from ${startText}${until}` : `daily windows in ${zone} from ${startText}${until}`,
    keyFormat:
      cadence === 'weekly'
        ? `YYYY-MM-DD, a ${WEEKDAYS[weekStart]} (the first day of a week) from ${startText} until ${endText}`
        : `YYYY-MM-DD, a date from ${startText} until ${endText}`,
    windowStart: (index) => zonedToUtc(zone, dayOf(index), 0),
    windowEnd: (index) => zonedToUtc(zone, dayOf(index) + step, 0),
    keyOf: (index) => formatDay(dayOf(index)),
    locate(key) {
      const day = typeof key === 'string' ? tryParseDay(key) : undefined;
      if (day === undefined) return 'not a date';
      if (day < startDay) return `before the first window, ${startText}`;
      if ((day - startDay) % step !== 0) return `a ${WEEKDAYS[weekdayOf(day)]}, not a ${WEEKDAYS[weekStart]}`;
      const index = (day - startDay) / step;
      return index < size ? index : `not before the end, ${endText}`;
    },
    position: (epochMs) => Math.floor((utcToZoned(zone, epochMs).day - startDay) / step),
  };
  return windows;
}

/** Hourly and 15-minute windows: a fixed step in absolute time, indexed by division. */
function fixedWindows(cadence: '15-minute' | 'hourly', { subject, zone, startWall, endWall }: WindowsContext): Windows {
  const stepMinutes = STEP_MINUTES[cadence];
  const stepMs = stepMinutes * MINUTE_MS;
  const aWindow = cadence === 'hourly' ? 'an hourly window' : 'a 15-minute window';
  const startText = wallText(startWall.day, startWall.minute);
  const endText = wallText(endWall.day, endWall.minute);
  if (startWall.minute % stepMinutes !== 0) {
    throw badDefinition(subject, 'start', `${startText} is not the local start of ${aWindow}`);
  }
  // The first occurrence of the start, as for keys; a start that clocks skip cannot name a window.
  const startInstant = zonedToUtcAll(zone, startWall.day, startWall.minute)[0];
  if (startInstant === undefined) throw badDefinition(subject, 'start', `${startText} does not exist in ${zone}: clocks skip it`);
  const endInstant = zonedToUtc(zone, endWall.day, endWall.minute);
  if (endInstant <= startInstant) throw badDefinition(subject, 'end', `${endText} is not after start ${startText}`);
  const size = Math.ceil((endInstant - startInstant) / stepMs);
  const until = endText === `${DEFAULT_END}T00:00` ? '' : ` until ${endText}`;
  const repeats = zone === 'UTC' ? '' : `; a wall time that clocks repeat names its first occurrence, and the second carries its UTC offset (YYYY-MM-DDTHH:MM±HH:MM)`;
  const instantOf = (index: number): number => {
    if (!inRange(index, size)) throw indexOutOfRange(windows, index);
    return startInstant + index * stepMs;
  };
  const windows: Windows = {
    size: () => size,
    startText,
    endText,
    description: `${cadence} windows in ${zone} from ${startText}${until}`,
    keyFormat: `YYYY-MM-DDTHH:MM, the local start in ${zone} of ${aWindow} from ${startText} until ${endText}${repeats}`,
    windowStart: instantOf,
    windowEnd: (index) => instantOf(index) + stepMs,
    keyOf: (index) => wallKey(zone, instantOf(index)),
    locate(key) {
      const instant = typeof key === 'string' ? instantOfKey(zone, key) : 'not a string';
      if (typeof instant === 'string') return instant;
      const offset = instant - startInstant;
      if (offset < 0) return `before the first window, ${startText}`;
      if (offset % stepMs !== 0) return `not the start of ${aWindow}`;
      const index = offset / stepMs;
      return index < size ? index : `not before the end, ${endText}`;
    },
    position: (epochMs) => Math.floor((epochMs - startInstant) / stepMs),
  };
  return windows;
}

function assemble(spec: PartitionsSpec, zone: string, windows: Windows): PartitionsDefinition {
  const size = windows.size();
  const time: TimeAxis = Object.freeze({
    timeZone: zone,
    windowStart: windows.windowStart,
    windowEnd: windows.windowEnd,
    indexContaining(epochMs: number): number {
      if (!Number.isFinite(epochMs)) return -1;
      const index = windows.position(epochMs);
      return index >= 0 && index < size ? index : -1;
    },
  });
  const definition: PartitionsDefinition = Object.freeze({
    spec,
    description: windows.description,
    keyFormat: windows.keyFormat,
    size: () => size,
    countEndedBy(epochMs: number): number {
      if (!Number.isFinite(epochMs)) return epochMs > 0 ? size : 0;
      // Every window before the one containing the instant has ended; that one has not.
      return Math.min(size, Math.max(0, windows.position(epochMs)));
    },
    indexOf(key: string): number {
      const found = windows.locate(key);
      if (typeof found === 'string') throw badKey(definition, key, found);
      return found;
    },
    tryIndexOf(key: string): number {
      const found = windows.locate(key);
      return typeof found === 'number' ? found : -1;
    },
    keyAt: (index: number) => windows.keyOf(index),
    time,
    dimensions: undefined,
  });
  return definition;
}

/** The instant a sub-daily key names, or why it names none. */
function instantOfKey(zone: string, key: string): number | string {
  const match = WALL_KEY.exec(key);
  const day = match ? tryParseDay(match[1]!) : undefined;
  if (!match || day === undefined || Number(match[2]) > 23 || Number(match[3]) > 59) return 'not a local time YYYY-MM-DDTHH:MM';
  const minute = Number(match[2]) * 60 + Number(match[3]);
  if (match[4] !== undefined) {
    const offset = (match[4] === '-' ? -1 : 1) * (Number(match[5]) * 60 + Number(match[6]));
    const instant = (day * 1440 + minute - offset) * MINUTE_MS;
    if (Number(match[6]) > 59 || zoneOffsetMinutes(zone, instant) !== offset) {
      return `${zone} is not at UTC${match[4]}${match[5]}:${match[6]} at that wall time`;
    }
    return instant;
  }
  const instant = zonedToUtcAll(zone, day, minute)[0];
  return instant ?? `${zone} skips that wall time when its clocks go forward`;
}

/** The key of a window starting at `instant`: its local wall time, plus the offset on a repeat. */
function wallKey(zone: string, instant: number): string {
  const { day, minute } = utcToZoned(zone, instant);
  const text = wallText(day, minute);
  const occurrences = zonedToUtcAll(zone, day, minute);
  return occurrences.length > 1 && occurrences[0] !== instant ? text + offsetText(zoneOffsetMinutes(zone, instant)) : text;
}

function wallText(day: number, minute: number): string {
  return `${formatDay(day)}T${twoDigits(Math.floor(minute / 60))}:${twoDigits(minute % 60)}`;
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${twoDigits(Math.floor(abs / 60))}:${twoDigits(abs % 60)}`;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
