import { describe, expect, it } from 'vitest';
// The zone arithmetic is internal (not on the public surface), so its unit test reaches into util/.
import { assertTimeZone, utcToZoned, zonedToUtc, zonedToUtcAll, zoneOffsetMinutes } from '../../../framework/util/time-zone.ts';
import { dayFromCivil } from '../../../framework/util/dates.ts';
import { PartitionError } from '../../../framework/index.ts';

const NEW_YORK = 'America/New_York';
const iso = (epochMs: number) => new Date(epochMs).toISOString();
/** An instant from a UTC year that may be below 100, which Date.UTC would read as 19xx. */
const utcInstant = (year: number, month: number, day: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
};

describe('zoneOffsetMinutes', () => {
  it('gives standard and daylight offsets north and south of the equator, and half-hour offsets', () => {
    expect(zoneOffsetMinutes(NEW_YORK, Date.parse('2026-01-15T12:00:00Z'))).toBe(-300);
    expect(zoneOffsetMinutes(NEW_YORK, Date.parse('2026-07-15T12:00:00Z'))).toBe(-240);
    expect(zoneOffsetMinutes('Australia/Sydney', Date.parse('2026-01-15T12:00:00Z'))).toBe(660);
    expect(zoneOffsetMinutes('Australia/Sydney', Date.parse('2026-07-15T12:00:00Z'))).toBe(600);
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.parse('2026-07-15T12:00:00Z'))).toBe(330);
    expect(zoneOffsetMinutes('Australia/Lord_Howe', Date.parse('2026-07-15T12:00:00Z'))).toBe(630);
    expect(zoneOffsetMinutes('UTC', Date.parse('2026-07-15T12:00:00Z'))).toBe(0);
  });

  it('changes at the exact instant of a transition, including inside an hour it does not cache', () => {
    // New York springs forward at 07:00Z and falls back at 06:00Z; Lord Howe falls back 30 minutes at 15:00Z.
    const spring = Date.parse('2026-03-08T07:00:00Z');
    expect([zoneOffsetMinutes(NEW_YORK, spring - 1), zoneOffsetMinutes(NEW_YORK, spring)]).toEqual([-300, -240]);
    const fall = Date.parse('2026-11-01T06:00:00Z');
    expect([zoneOffsetMinutes(NEW_YORK, fall - 1), zoneOffsetMinutes(NEW_YORK, fall)]).toEqual([-240, -300]);
    // Asked again, the answers are the same (the hour around a transition is not cached).
    expect([zoneOffsetMinutes(NEW_YORK, fall - 1), zoneOffsetMinutes(NEW_YORK, fall)]).toEqual([-240, -300]);
    const lordHowe = Date.parse('2026-04-04T15:00:00Z');
    expect([zoneOffsetMinutes('Australia/Lord_Howe', lordHowe - 1), zoneOffsetMinutes('Australia/Lord_Howe', lordHowe)]).toEqual([660, 630]);
  });

  it('reads years below 100 and before the common era as themselves (Date.UTC would make year 50 into 1950)', () => {
    expect(zoneOffsetMinutes('UTC', utcInstant(50, 7, 1))).toBe(0);
    expect(zoneOffsetMinutes('UTC', utcInstant(-5, 7, 1))).toBe(0);
    // Before time zones, New York kept local mean time, 4:56:02 behind Greenwich.
    expect(zoneOffsetMinutes(NEW_YORK, utcInstant(50, 7, 1))).toBe(-296);
    expect(zoneOffsetMinutes(NEW_YORK, Date.parse('1850-07-01T00:00:00Z'))).toBe(-296);
  });
});

describe('utcToZoned', () => {
  it('gives the local day number and minute of the day', () => {
    expect(utcToZoned(NEW_YORK, Date.parse('2026-11-01T05:30:00Z'))).toEqual({ day: dayFromCivil(2026, 11, 1), minute: 90 });
    expect(utcToZoned(NEW_YORK, Date.parse('2026-11-01T06:30:00Z'))).toEqual({ day: dayFromCivil(2026, 11, 1), minute: 90 });
    expect(utcToZoned('Asia/Kolkata', Date.parse('2025-12-31T18:30:00Z'))).toEqual({ day: dayFromCivil(2026, 1, 1), minute: 0 });
    expect(utcToZoned(NEW_YORK, -1)).toEqual({ day: -1, minute: 19 * 60 - 1 });
  });
});

describe('zonedToUtcAll', () => {
  it('finds no instant for a wall time clocks skip, two for one they repeat, one otherwise', () => {
    expect(zonedToUtcAll(NEW_YORK, dayFromCivil(2026, 3, 8), 150)).toEqual([]);
    expect(zonedToUtcAll(NEW_YORK, dayFromCivil(2026, 11, 1), 75).map(iso)).toEqual(['2026-11-01T05:15:00.000Z', '2026-11-01T06:15:00.000Z']);
    expect(zonedToUtcAll(NEW_YORK, dayFromCivil(2026, 7, 1), 720).map(iso)).toEqual(['2026-07-01T16:00:00.000Z']);
    expect(zonedToUtcAll('Australia/Sydney', dayFromCivil(2026, 10, 4), 150)).toEqual([]);
    expect(zonedToUtcAll('Australia/Sydney', dayFromCivil(2026, 4, 5), 150).map(iso)).toEqual([
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T16:30:00.000Z',
    ]);
  });

  it('finds the local times of a far-east zone whose offset is near a day (Pacific/Kiritimati, UTC+14)', () => {
    expect(zonedToUtcAll('Pacific/Kiritimati', dayFromCivil(2026, 1, 1), 0).map(iso)).toEqual(['2025-12-31T10:00:00.000Z']);
  });
});

describe('zonedToUtc', () => {
  it('moves a skipped wall time forward by the gap, and takes the first of a repeated one', () => {
    expect(iso(zonedToUtc(NEW_YORK, dayFromCivil(2026, 3, 8), 150))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(zonedToUtc(NEW_YORK, dayFromCivil(2026, 11, 1), 75))).toBe('2026-11-01T05:15:00.000Z');
  });

  it('starts a day whose midnight is skipped at the first instant after it (Santiago, 2026-09-06)', () => {
    const day = dayFromCivil(2026, 9, 6);
    const start = zonedToUtc('America/Santiago', day, 0);
    expect(iso(start)).toBe('2026-09-06T04:00:00.000Z');
    expect(utcToZoned('America/Santiago', start)).toEqual({ day, minute: 60 });
    expect(utcToZoned('America/Santiago', start - 1)).toEqual({ day: day - 1, minute: 1439 });
  });

  it('round-trips every quarter hour of 2026 in New York and Sydney except skipped ones', () => {
    for (const zone of [NEW_YORK, 'Australia/Sydney']) {
      let skipped = 0;
      for (let day = dayFromCivil(2026, 1, 1); day < dayFromCivil(2027, 1, 1); day++) {
        for (let minute = 0; minute < 1440; minute += 15) {
          const all = zonedToUtcAll(zone, day, minute);
          if (all.length === 0) skipped++;
          for (const instant of all) expect(utcToZoned(zone, instant)).toEqual({ day, minute });
        }
      }
      expect(skipped, zone).toBe(4);
    }
  });
});

describe('assertTimeZone', () => {
  it('accepts IANA zones and rejects unknown ones with a PartitionError naming the field', () => {
    expect(() => assertTimeZone('Asia/Kolkata')).not.toThrow();
    for (const zone of ['Mars/Olympus', '', '+05:00']) {
      let caught: unknown;
      try {
        assertTimeZone(zone, 'timeZone');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PartitionError);
      expect((caught as PartitionError).message).toBe(`timeZone: unknown time zone "${zone}"`);
      expect((caught as PartitionError).field).toBe('timeZone');
    }
  });
});
