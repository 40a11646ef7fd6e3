import { DAY_MS } from './dates.ts';
import { PartitionError } from './errors.ts';

// Time-zone arithmetic on IANA zones through Intl, which carries the tz database, so no
// library or data file is needed. Offsets are cached per zone and per UTC hour.

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();
const HOUR_MS = 3_600_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a PartitionError when `timeZone` is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string, where = 'timezone'): void {
  try {
    formatterFor(timeZone);
  } catch (cause) {
    throw new PartitionError('invalid-partitions-definition', `${where}: unknown time zone "${timeZone}"`, {
      cause,
      field: where,
    });
  }
}

/** The zone's offset from UTC, in minutes, at an instant (e.g. -300 for New York in winter). */
export function zoneOffsetMinutes(timeZone: string, epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  // Offsets change on whole minutes; all real zones change at instants that are whole quarter hours,
  // so caching by the hour is exact except within an hour containing a transition, which we skip caching.
  const cached = cache.get(hour);
  if (cached !== undefined) return cached;
  const offset = computeOffset(timeZone, epochMs);
  if (computeOffset(timeZone, hour * HOUR_MS) === offset && computeOffset(timeZone, hour * HOUR_MS + HOUR_MS - 1) === offset) {
    cache.set(hour, offset);
  }
  return offset;
}

function computeOffset(timeZone: string, epochMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  // Intl counts years before 1 CE by era ("2 BC" is astronomical year -1).
  const era = parts.find((part) => part.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const local = new Date(0);
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes the year as given.
  local.setUTCFullYear(year, get('month') - 1, get('day'));
  local.setUTCHours(get('hour'), get('minute'), get('second'));
  return Math.round((local.getTime() - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** Local wall time (day number and minute of the day) of an instant in a zone. */
export function utcToZoned(timeZone: string, epochMs: number): { day: number; minute: number } {
  const local = epochMs + zoneOffsetMinutes(timeZone, epochMs) * 60_000;
  const day = Math.floor(local / DAY_MS);
  return { day, minute: Math.floor((local - day * DAY_MS) / 60_000) };
}

/**
 * The instants at which a local wall time occurs in a zone: none inside a spring-forward gap,
 * two inside a fall-back overlap (earlier first), one otherwise.
 */
export function zonedToUtcAll(timeZone: string, day: number, minute: number): number[] {
  const wall = day * DAY_MS + minute * 60_000;
  const candidates = new Set<number>();
  // Any real offset lies within ±18 hours; the offsets in force a day either side cover a transition.
  for (const probe of [wall - DAY_MS, wall, wall + DAY_MS]) {
    candidates.add(wall - zoneOffsetMinutes(timeZone, probe) * 60_000);
  }
  return [...candidates]
    .filter((instant) => instant + zoneOffsetMinutes(timeZone, instant) * 60_000 === wall)
    .sort((a, b) => a - b);
}

/**
 * The instant of a local wall time. In a gap it moves forward by the gap's length (as Temporal's
 * "compatible" disambiguation does); in an overlap it takes the earlier instant.
 */
export function zonedToUtc(timeZone: string, day: number, minute: number): number {
  const exact = zonedToUtcAll(timeZone, day, minute);
  if (exact.length > 0) return exact[0]!;
  const wall = day * DAY_MS + minute * 60_000;
  const before = zoneOffsetMinutes(timeZone, wall - DAY_MS);
  return wall - before * 60_000;
}
