import { describe, expect, it } from 'vitest';
import { sameKeySpace, sessions, timeWindows } from '../../../../framework/index.ts';
import type { PartitionsDefinition } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { expectLaws, expectPartitionError, indexesToCheck, keysBetween } from './laws.ts';

const HOUR = 3_600_000;
const NEW_YORK = 'America/New_York';

/** The keys of the windows whose keys fall on a local date: from the date's first window to the next date's. */
function keysOfDay(definition: PartitionsDefinition, date: string, nextDate: string): string[] {
  const first = definition.indexOf(`${date}T00:00`);
  return keysBetween(definition, first, definition.indexOf(`${nextDate}T00:00`));
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function around(definition: PartitionsDefinition, key: string, radius: number): [number, number] {
  const index = definition.indexOf(key);
  return [index - radius, index + radius];
}

describe('daily windows', () => {
  const utc = timeWindows({ cadence: 'daily', start: '2026-01-01' });
  const ny = timeWindows({ cadence: 'daily', start: '2026-01-01', timeZone: NEW_YORK });

  it('has one key per day from the start up to 2101-01-01 by default', () => {
    expect(utc.size()).toBe(75 * 365 + 18);
    expect(utc.keyAt(0)).toBe('2026-01-01');
    expect(utc.keyAt(utc.size() - 1)).toBe('2100-12-31');
    expect(utc.indexOf('2028-02-29')).toBe(365 + 365 + 31 + 28);
    expect(utc.spec).toEqual({ kind: 'time-window', cadence: 'daily', timeZone: 'UTC', start: '2026-01-01', end: '2101-01-01' });
    expect(utc.description).toBe('daily windows in UTC from 2026-01-01');
    expect(utc.keyFormat).toBe('YYYY-MM-DD, a date from 2026-01-01 until 2101-01-01');
    expectLaws(utc, indexesToCheck(utc));
  });

  it('runs New York days from local midnight: 23 hours on 2026-03-08 and 25 hours on 2026-11-01', () => {
    const hours = (date: string) => {
      const index = ny.indexOf(date);
      return (ny.time!.windowEnd(index) - ny.time!.windowStart(index)) / HOUR;
    };
    expect(hours('2026-03-08')).toBe(23);
    expect(hours('2026-11-01')).toBe(25);
    expect(hours('2026-07-01')).toBe(24);
    expect(iso(ny.time!.windowStart(ny.indexOf('2026-03-08')))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(ny.time!.windowStart(ny.indexOf('2026-03-09')))).toBe('2026-03-09T04:00:00.000Z');
    expectLaws(ny, indexesToCheck(ny, [around(ny, '2026-03-08', 3), around(ny, '2026-11-01', 3)]));
  });

  it('counts a New York day as ended at the next local midnight', () => {
    const dstDay = ny.indexOf('2026-03-08');
    expect(ny.countEndedBy(Date.parse('2026-03-09T03:59:59.999Z'))).toBe(dstDay);
    expect(ny.countEndedBy(Date.parse('2026-03-09T04:00:00Z'))).toBe(dstDay + 1);
    expect(ny.countEndedBy(Date.parse('2026-01-01T04:59:59Z'))).toBe(0);
    expect(ny.countEndedBy(Date.parse('2200-01-01T00:00:00Z'))).toBe(ny.size());
    expect(ny.time!.indexContaining(Date.parse('2026-11-02T04:30:00Z'))).toBe(ny.indexOf('2026-11-01'));
    expect(ny.time!.indexContaining(Date.parse('2025-12-31T23:00:00Z'))).toBe(-1);
  });

  it('starts a day whose midnight does not exist at the first instant after it (Santiago, 2026-09-06)', () => {
    const santiago = timeWindows({ cadence: 'daily', start: '2026-09-01', end: '2026-10-01', timeZone: 'America/Santiago' });
    const index = santiago.indexOf('2026-09-06');
    expect(iso(santiago.time!.windowStart(index))).toBe('2026-09-06T04:00:00.000Z');
    expect((santiago.time!.windowEnd(index) - santiago.time!.windowStart(index)) / HOUR).toBe(23);
    expectLaws(santiago, indexesToCheck(santiago));
  });

  it('rejects bad dates and dates outside the range, naming the definition and the format', () => {
    expectPartitionError(() => ny.indexOf('2026-02-29'), 'invalid-partition-key',
      'daily windows in America/New_York from 2026-01-01: "2026-02-29" is not a partition key (not a date); expected YYYY-MM-DD, a date from 2026-01-01 until 2101-01-01');
    expectPartitionError(() => ny.indexOf('2026-03-08T00:00'), 'invalid-partition-key', 'not a date');
    expectPartitionError(() => ny.indexOf('2025-12-31'), 'invalid-partition-key', 'before the first window, 2026-01-01');
    expectPartitionError(() => ny.indexOf('2101-01-01'), 'invalid-partition-key', 'not before the end, 2101-01-01');
  });
});

describe('weekly windows', () => {
  const sundays = timeWindows({ cadence: 'weekly', start: '2026-01-04', timeZone: NEW_YORK });
  const mondays = timeWindows({ cadence: 'weekly', start: '2026-01-05', end: '2027-01-04', weekStart: 1 });

  it('keys Sunday-to-Saturday weeks by their Sunday', () => {
    expect(keysBetween(sundays, 0, 3)).toEqual(['2026-01-04', '2026-01-11', '2026-01-18']);
    expect(sundays.description).toBe('weekly windows (Sunday to Saturday) in America/New_York from 2026-01-04');
    expect(sundays.keyFormat).toBe('YYYY-MM-DD, a Sunday (the first day of a week) from 2026-01-04 until 2101-01-01');
    expect(sundays.spec).toEqual({
      kind: 'time-window', cadence: 'weekly', timeZone: NEW_YORK, start: '2026-01-04', end: '2101-01-01', weekStart: 0,
    });
    // 2101-01-01 is a Saturday, so the last week is the one starting Sunday 2100-12-26.
    expect(sundays.keyAt(sundays.size() - 1)).toBe('2100-12-26');
    expectLaws(sundays, indexesToCheck(sundays, [around(sundays, '2026-03-08', 2), around(sundays, '2026-11-01', 2)]));
  });

  it('gives the week of a spring-forward 167 hours and the week of a fall-back 169', () => {
    const hours = (key: string) => {
      const index = sundays.indexOf(key);
      return (sundays.time!.windowEnd(index) - sundays.time!.windowStart(index)) / HOUR;
    };
    expect(hours('2026-03-08')).toBe(167);
    expect(hours('2026-11-01')).toBe(169);
    expect(hours('2026-06-07')).toBe(168);
    expect(iso(sundays.time!.windowEnd(sundays.indexOf('2026-11-01')))).toBe('2026-11-08T05:00:00.000Z');
  });

  it('rejects a key that is not the first day of a week', () => {
    expectPartitionError(() => sundays.indexOf('2026-01-05'), 'invalid-partition-key',
      '"2026-01-05" is not a partition key (a Monday, not a Sunday); expected YYYY-MM-DD, a Sunday');
    expect(sundays.tryIndexOf('2026-01-10')).toBe(-1);
  });

  it('keys Monday-to-Sunday weeks by their Monday, up to the end', () => {
    expect(mondays.size()).toBe(52);
    expect(keysBetween(mondays, 50, 52)).toEqual(['2026-12-21', '2026-12-28']);
    expect(mondays.description).toBe('weekly windows (Monday to Sunday) in UTC from 2026-01-05 until 2027-01-04');
    expect(mondays.time!.indexContaining(Date.parse('2026-01-11T23:59:59Z'))).toBe(0);
    expect(mondays.time!.indexContaining(Date.parse('2026-01-12T00:00:00Z'))).toBe(1);
    expect(mondays.countEndedBy(Date.parse('2026-01-12T00:00:00Z'))).toBe(1);
    expectLaws(mondays, indexesToCheck(mondays, [[0, 52]]));
    expectPartitionError(() => mondays.indexOf('2026-01-04'), 'invalid-partition-key', 'before the first window, 2026-01-05');
  });

  it('rejects a start that is not a weekStart day rather than moving it', () => {
    expectPartitionError(() => timeWindows({ cadence: 'weekly', start: '2026-01-04', weekStart: 1 }), 'invalid-partitions-definition',
      'weekly windows in UTC: start 2026-01-04 is a Sunday, but weeks start on Monday (weekStart 1)');
    expectPartitionError(() => timeWindows({ cadence: 'weekly', start: '2026-01-04', weekStart: 7 }), 'invalid-partitions-definition',
      'weekStart 7 is not a weekday number');
  });

  it('holds every NYSE session of 2026 inside one Sunday-to-Saturday week, five or fewer a week', () => {
    const days = sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' });
    const perWeek = new Map<string, number>();
    for (let index = 0; index < days.size(); index++) {
      const week = sundays.time!.indexContaining(days.time!.windowStart(index));
      expect(sundays.time!.indexContaining(days.time!.windowEnd(index) - 1)).toBe(week);
      const key = week < 0 ? 'before' : sundays.keyAt(week);
      perWeek.set(key, (perWeek.get(key) ?? 0) + 1);
    }
    expect(perWeek.get('before')).toBe(1); // Friday 2026-01-02, before the first week
    expect(perWeek.get('2026-11-22')).toBe(4); // Thanksgiving week
    expect(perWeek.get('2026-03-08')).toBe(5);
    expect(Math.max(...perWeek.values())).toBe(5);
  });
});

describe('hourly windows', () => {
  const ny = timeWindows({ cadence: 'hourly', start: '2026-01-01', timeZone: NEW_YORK });

  it('has 23 New York hours on 2026-03-08, skipping 02:00', () => {
    const keys = keysOfDay(ny, '2026-03-08', '2026-03-09');
    expect(keys).toHaveLength(23);
    expect(keys.slice(0, 4)).toEqual(['2026-03-08T00:00', '2026-03-08T01:00', '2026-03-08T03:00', '2026-03-08T04:00']);
  });

  it('has 25 New York hours on 2026-11-01; the repeated 01:00 carries its offset the second time', () => {
    const keys = keysOfDay(ny, '2026-11-01', '2026-11-02');
    expect(keys).toHaveLength(25);
    expect(keys.slice(0, 4)).toEqual(['2026-11-01T00:00', '2026-11-01T01:00', '2026-11-01T01:00-05:00', '2026-11-01T02:00']);
    const second = ny.indexOf('2026-11-01T01:00-05:00');
    expect(iso(ny.time!.windowStart(second))).toBe('2026-11-01T06:00:00.000Z');
    expect(iso(ny.time!.windowStart(second - 1))).toBe('2026-11-01T05:00:00.000Z');
    expectLaws(ny, indexesToCheck(ny, [around(ny, '2026-03-08T00:00', 30), around(ny, '2026-11-01T00:00', 30)]));
  });

  it('accepts an explicit offset when it is the real one, and maps it to the canonical key', () => {
    expect(ny.indexOf('2026-11-01T01:00-04:00')).toBe(ny.indexOf('2026-11-01T01:00'));
    expect(ny.keyAt(ny.indexOf('2026-07-01T12:00-04:00'))).toBe('2026-07-01T12:00');
    expect(ny.keyAt(ny.indexOf('2026-12-01T12:00-05:00'))).toBe('2026-12-01T12:00');
    expectPartitionError(() => ny.indexOf('2026-07-01T12:00-05:00'), 'invalid-partition-key',
      'America/New_York is not at UTC-05:00 at that wall time');
    expectPartitionError(() => ny.indexOf('2026-11-01T01:00+00:00'), 'invalid-partition-key', 'not at UTC+00:00');
  });

  it('rejects a wall time that clocks skip, naming the definition and the format', () => {
    expectPartitionError(() => ny.indexOf('2026-03-08T02:00'), 'invalid-partition-key',
      'hourly windows in America/New_York from 2026-01-01T00:00: "2026-03-08T02:00" is not a partition key (America/New_York skips that wall time when its clocks go forward); expected YYYY-MM-DDTHH:MM, the local start in America/New_York of an hourly window from 2026-01-01T00:00 until 2101-01-01T00:00');
    expectPartitionError(() => ny.indexOf('2026-03-08T01:30'), 'invalid-partition-key', 'not the start of an hourly window');
    expectPartitionError(() => ny.indexOf('2026-03-08'), 'invalid-partition-key', 'not a local time YYYY-MM-DDTHH:MM');
    expectPartitionError(() => ny.indexOf('2026-03-08T24:00'), 'invalid-partition-key', 'not a local time');
    expectPartitionError(() => ny.indexOf('2025-12-31T23:00'), 'invalid-partition-key', 'before the first window');
  });

  it('counts hours ended by an instant and finds the hour containing it', () => {
    const start = Date.parse('2026-01-01T05:00:00Z');
    expect(ny.countEndedBy(start)).toBe(0);
    expect(ny.countEndedBy(start + HOUR - 1)).toBe(0);
    expect(ny.countEndedBy(start + HOUR)).toBe(1);
    expect(ny.countEndedBy(Date.parse('2026-11-01T06:30:00Z'))).toBe(ny.indexOf('2026-11-01T01:00-05:00'));
    expect(ny.time!.indexContaining(Date.parse('2026-11-01T06:30:00Z'))).toBe(ny.indexOf('2026-11-01T01:00-05:00'));
    expect(ny.time!.indexContaining(start - 1)).toBe(-1);
    expect(ny.size()).toBe((Date.parse('2101-01-01T05:00:00Z') - start) / HOUR);
  });

  it('keeps local whole hours in Asia/Kolkata (UTC+05:30), 24 a day', () => {
    const kolkata = timeWindows({ cadence: 'hourly', start: '2026-01-01', end: '2026-02-01', timeZone: 'Asia/Kolkata' });
    expect(kolkata.size()).toBe(31 * 24);
    expect(iso(kolkata.time!.windowStart(0))).toBe('2025-12-31T18:30:00.000Z');
    expect(kolkata.keyAt(1)).toBe('2026-01-01T01:00');
    expect(kolkata.indexOf('2026-01-01T01:00+05:30')).toBe(1);
    expect(kolkata.countEndedBy(Date.parse('2026-01-01T00:30:00Z'))).toBe(6);
    expectLaws(kolkata, indexesToCheck(kolkata, [[0, kolkata.size()]]));
  });

  it('has 25 Sydney hours on 2026-04-05 and 23 on 2026-10-04', () => {
    const sydney = timeWindows({ cadence: 'hourly', start: '2026-01-01', end: '2027-01-01', timeZone: 'Australia/Sydney' });
    const autumn = keysOfDay(sydney, '2026-04-05', '2026-04-06');
    expect(autumn).toHaveLength(25);
    expect(autumn.slice(2, 5)).toEqual(['2026-04-05T02:00', '2026-04-05T02:00+10:00', '2026-04-05T03:00']);
    const spring = keysOfDay(sydney, '2026-10-04', '2026-10-05');
    expect(spring).toHaveLength(23);
    expect(spring.slice(1, 3)).toEqual(['2026-10-04T01:00', '2026-10-04T03:00']);
    expectLaws(sydney, indexesToCheck(sydney, [around(sydney, '2026-04-05T00:00', 30), around(sydney, '2026-10-04T00:00', 30)]));
  });
});

describe('15-minute windows', () => {
  const ny = timeWindows({ cadence: '15-minute', start: '2026-01-01', timeZone: NEW_YORK });

  it('has 92 quarter hours on 2026-03-08, 100 on 2026-11-01 and 96 on other days', () => {
    expect(keysOfDay(ny, '2026-03-08', '2026-03-09')).toHaveLength(92);
    expect(keysOfDay(ny, '2026-11-01', '2026-11-02')).toHaveLength(100);
    expect(keysOfDay(ny, '2026-11-02', '2026-11-03')).toHaveLength(96);
  });

  it('jumps from 01:45 to 03:00 in spring, and repeats 01:00 to 01:45 with the offset in autumn', () => {
    expect(ny.keyAt(ny.indexOf('2026-03-08T01:45') + 1)).toBe('2026-03-08T03:00');
    const repeat = ny.indexOf('2026-11-01T01:45') + 1;
    expect(keysBetween(ny, repeat - 1, repeat + 5)).toEqual([
      '2026-11-01T01:45',
      '2026-11-01T01:00-05:00',
      '2026-11-01T01:15-05:00',
      '2026-11-01T01:30-05:00',
      '2026-11-01T01:45-05:00',
      '2026-11-01T02:00',
    ]);
    expectPartitionError(() => ny.indexOf('2026-03-08T02:30'), 'invalid-partition-key', 'skips that wall time');
    expectLaws(ny, indexesToCheck(ny, [around(ny, '2026-03-08T00:00', 120), around(ny, '2026-11-01T00:00', 120)]));
  });

  it('holds the 15-minute windows of a New York day inside its daily window', () => {
    const days = timeWindows({ cadence: 'daily', start: '2026-01-01', timeZone: NEW_YORK });
    const day = days.indexOf('2026-11-01');
    const first = ny.time!.indexContaining(days.time!.windowStart(day));
    const last = ny.time!.indexContaining(days.time!.windowEnd(day) - 1);
    expect([ny.keyAt(first), ny.keyAt(last), last - first + 1]).toEqual(['2026-11-01T00:00', '2026-11-01T23:45', 100]);
  });

  it('counts quarter hours of Sydney, UTC+11 in January', () => {
    const sydney = timeWindows({ cadence: '15-minute', start: '2026-01-01', end: '2026-01-02', timeZone: 'Australia/Sydney' });
    expect(sydney.size()).toBe(96);
    expect(iso(sydney.time!.windowStart(0))).toBe('2025-12-31T13:00:00.000Z');
    expect(sydney.countEndedBy(Date.parse('2025-12-31T14:10:00Z'))).toBe(4);
    expect(sydney.countEndedBy(Date.parse('2026-02-01T00:00:00Z'))).toBe(96);
    expectLaws(sydney, indexesToCheck(sydney, [[0, 96]]));
  });

  it('allows a quarter-hour start and rejects one between quarters', () => {
    const kolkata = timeWindows({ cadence: '15-minute', start: '2026-01-01T09:15', end: '2026-01-01T15:30', timeZone: 'Asia/Kolkata' });
    expect(kolkata.size()).toBe(25);
    expect([kolkata.keyAt(0), kolkata.keyAt(24)]).toEqual(['2026-01-01T09:15', '2026-01-01T15:15']);
    expect(kolkata.description).toBe('15-minute windows in Asia/Kolkata from 2026-01-01T09:15 until 2026-01-01T15:30');
    expectPartitionError(() => timeWindows({ cadence: '15-minute', start: '2026-01-01T09:10', timeZone: 'Asia/Kolkata' }),
      'invalid-partitions-definition', '15-minute windows in Asia/Kolkata: start 2026-01-01T09:10 is not the local start of a 15-minute window');
  });
});

describe('time window options', () => {
  it('treats a date start of sub-daily windows as local midnight, with the same spec', () => {
    const a = timeWindows({ cadence: 'hourly', start: '2026-01-01', timeZone: NEW_YORK });
    const b = timeWindows({ cadence: 'hourly', start: '2026-01-01T00:00', end: '2101-01-01T00:00', timeZone: NEW_YORK });
    expect(a.spec).toEqual({ kind: 'time-window', cadence: 'hourly', timeZone: NEW_YORK, start: '2026-01-01T00:00', end: '2101-01-01T00:00' });
    expect(sameKeySpace(a, b)).toBe(true);
    expect(sameKeySpace(a, timeWindows({ cadence: 'hourly', start: '2026-01-01' }))).toBe(false);
  });

  it('rejects bad zones, cadences, bounds and reversed ranges, naming the definition and the field', () => {
    const failure = (options: Parameters<typeof timeWindows>[0], ...fragments: string[]) =>
      expectPartitionError(() => timeWindows(options), 'invalid-partitions-definition', ...fragments);
    failure({ cadence: 'hourly', start: '2026-01-01', timeZone: 'Mars/Olympus' }, 'hourly windows: timeZone "Mars/Olympus" is not a known IANA time zone');
    failure({ cadence: 'monthly' as 'daily', start: '2026-01-01' }, 'time windows: cadence "monthly" is not one of 15-minute, hourly, daily, weekly');
    failure({ cadence: 'daily', start: '2026-13-01' }, 'daily windows in UTC: start "2026-13-01" is not a local date or time');
    failure({ cadence: 'daily', start: '2026-01-01T06:00' }, 'daily windows in UTC: start must be a date (YYYY-MM-DD)');
    failure({ cadence: 'daily', start: '2026-01-01', end: '2026-01-01' }, 'end 2026-01-01 is not after start 2026-01-01');
    failure({ cadence: 'hourly', start: '2026-01-01T10:00', end: '2026-01-01T09:00' }, 'hourly windows in UTC: end 2026-01-01T09:00 is not after start');
    failure({ cadence: 'hourly', start: '2026-01-01T00:30' }, 'start 2026-01-01T00:30 is not the local start of an hourly window');
    failure({ cadence: 'hourly', start: '2026-03-08T02:00', timeZone: NEW_YORK }, 'start 2026-03-08T02:00 does not exist in America/New_York');
  });

  it('starts in a fall-back overlap at the first occurrence', () => {
    const overlap = timeWindows({ cadence: 'hourly', start: '2026-11-01T01:00', end: '2026-11-01T03:00', timeZone: NEW_YORK });
    expect(overlap.size()).toBe(3);
    expect(keysBetween(overlap, 0, 3)).toEqual(['2026-11-01T01:00', '2026-11-01T01:00-05:00', '2026-11-01T02:00']);
  });
});
