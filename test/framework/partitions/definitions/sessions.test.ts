import { describe, expect, it } from 'vitest';
import { xnys } from '../../../../calendars/index.ts';
import { createCalendar, sameKeySpace, sessions, timeWindows } from '../../../../framework/index.ts';
import { expectLaws, expectPartitionError, indexesToCheck, keysBetween } from './laws.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02' });
const year2026 = sessions(calendar, { start: '2026-01-01', end: '2026-12-31' });

describe('sessions', () => {
  it('has one key per 2026 NYSE session: 261 weekdays less 10 holidays', () => {
    expect(year2026.size()).toBe(251);
    expect(year2026.keyAt(0)).toBe('2026-01-02');
    expect(year2026.keyAt(250)).toBe('2026-12-31');
    expect(keysBetween(year2026, year2026.indexOf('2026-11-24'), year2026.indexOf('2026-12-01') + 1)).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-27',
      '2026-11-30',
      '2026-12-01',
    ]);
  });

  it('round-trips keys and windows from the first session to the last, across both DST changes', () => {
    const around = (date: string) => {
      const index = days.indexOf(date);
      return [index - 5, index + 5] as const;
    };
    expectLaws(days, indexesToCheck(days, [around('2026-03-09'), around('2026-11-02')]));
    expect(days.keyAt(days.size() - 1)).toBe(calendar.sessions('2100-12-01', '2100-12-31').at(-1));
    expectLaws(year2026, indexesToCheck(year2026, [[0, 251]]));
  });

  it('starts at the first session after a start that is a holiday, and records it in the spec', () => {
    expect(year2026.spec).toEqual({ kind: 'sessions', calendar: 'XNYS', start: '2026-01-02', end: '2026-12-31' });
    const fromNewYear = sessions(calendar, { start: '2026-01-01' });
    expect(fromNewYear.keyAt(0)).toBe('2026-01-02');
    expect(sameKeySpace(fromNewYear, days)).toBe(true);
    const endingOnHoliday = sessions(calendar, { start: '2026-11-02', end: '2026-11-26' });
    expect(endingOnHoliday.keyAt(endingOnHoliday.size() - 1)).toBe('2026-11-25');
    expect(endingOnHoliday.spec).toMatchObject({ end: '2026-11-25' });
  });

  it('names itself and its key format', () => {
    expect(days.description).toBe('XNYS sessions from 2026-01-02');
    expect(days.keyFormat).toBe(`YYYY-MM-DD, an XNYS session from 2026-01-02 to ${days.keyAt(days.size() - 1)}`);
    expect(year2026.description).toBe('XNYS sessions from 2026-01-02 to 2026-12-31');
  });

  it('rejects holidays, weekends, malformed dates and dates outside the range, naming the definition and format', () => {
    expectPartitionError(() => days.indexOf('2026-11-26'), 'invalid-partition-key',
      'XNYS sessions from 2026-01-02: "2026-11-26" is not a partition key (XNYS has no session on that date); expected YYYY-MM-DD, an XNYS session from 2026-01-02');
    expectPartitionError(() => days.indexOf('2026-11-28'), 'invalid-partition-key', 'XNYS has no session on that date');
    expectPartitionError(() => days.indexOf('2026-02-30'), 'invalid-partition-key', 'not a date');
    expectPartitionError(() => days.indexOf('2026-1-05'), 'invalid-partition-key', 'not a date');
    expectPartitionError(() => days.indexOf('2025-12-31'), 'invalid-partition-key', 'before the first session, 2026-01-02');
    expectPartitionError(() => year2026.indexOf('2027-01-04'), 'invalid-partition-key', 'after the last session, 2026-12-31');
    expect(days.tryIndexOf('2026-11-26')).toBe(-1);
    expect(days.tryIndexOf('')).toBe(-1);
  });

  it('rejects starts and ends outside the calendar, reversed ranges and ranges without a session', () => {
    expectPartitionError(() => sessions(calendar, { start: '1989-12-29' }), 'invalid-partitions-definition',
      'XNYS sessions: start 1989-12-29 is outside the XNYS calendar, which runs from 1990-01-01 to 2100-12-31');
    expectPartitionError(() => sessions(calendar, { start: '2026-01-02', end: '2101-01-03' }), 'invalid-partitions-definition', 'end 2101-01-03');
    expectPartitionError(() => sessions(calendar, { start: 'Jan 2' }), 'invalid-partitions-definition', 'start "Jan 2" is not a date');
    expectPartitionError(() => sessions(calendar, { start: '2026-03-02', end: '2026-03-01' }), 'invalid-partitions-definition',
      'end 2026-03-01 is before start 2026-03-02');
    expectPartitionError(() => sessions(calendar, { start: '2026-11-26', end: '2026-11-26' }), 'invalid-partitions-definition',
      'contains no XNYS session');
  });

  it('gives each session its whole New York day as a window: 04:00Z in summer and 05:00Z in winter', () => {
    const time = days.time!;
    expect(time.timeZone).toBe('America/New_York');
    expect(time.calendar).toBe(calendar);
    const friday = days.indexOf('2026-03-06');
    expect(new Date(time.windowStart(friday)).toISOString()).toBe('2026-03-06T05:00:00.000Z');
    expect(new Date(time.windowEnd(friday)).toISOString()).toBe('2026-03-07T05:00:00.000Z');
    const monday = days.indexOf('2026-03-09');
    expect(new Date(time.windowStart(monday)).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(time.windowEnd(monday)).toISOString()).toBe('2026-03-10T04:00:00.000Z');
  });

  it('finds the session containing an instant, and none on a weekend or holiday', () => {
    const time = days.time!;
    expect(time.indexContaining(Date.parse('2026-11-20T19:15:00Z'))).toBe(days.indexOf('2026-11-20'));
    // 00:30 on Friday 2026-11-27 in New York is in Friday's session; 23:30 the evening before is Thanksgiving.
    expect(time.indexContaining(Date.parse('2026-11-27T05:30:00Z'))).toBe(days.indexOf('2026-11-27'));
    expect(time.indexContaining(Date.parse('2026-11-27T04:30:00Z'))).toBe(-1);
    expect(time.indexContaining(Date.parse('2026-11-28T15:00:00Z'))).toBe(-1);
    expect(time.indexContaining(Date.parse('2025-12-31T15:00:00Z'))).toBe(-1);
  });

  it('counts the sessions whose New York day has ended', () => {
    const thanksgivingEve = days.indexOf('2026-11-25');
    expect(days.countEndedBy(Date.parse('2026-11-26T04:59:59.999Z'))).toBe(thanksgivingEve);
    expect(days.countEndedBy(Date.parse('2026-11-26T05:00:00Z'))).toBe(thanksgivingEve + 1);
    // Thanksgiving is no session, so the count stays put through it.
    expect(days.countEndedBy(Date.parse('2026-11-28T04:59:59Z'))).toBe(thanksgivingEve + 1);
    expect(days.countEndedBy(Date.parse('2026-11-28T05:00:00Z'))).toBe(thanksgivingEve + 2);
    expect(days.countEndedBy(Date.parse('2020-01-01T00:00:00Z'))).toBe(0);
    expect(year2026.countEndedBy(Date.parse('2030-01-01T00:00:00Z'))).toBe(251);
    expect(days.countEndedBy(Infinity)).toBe(days.size());
  });

  it('holds each 15-minute New York window in one session or none', () => {
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-11-20', end: '2026-11-24', timeZone: 'America/New_York' });
    const perSession = new Map<string, number>();
    for (let index = 0; index < quarters.size(); index++) {
      const start = days.time!.indexContaining(quarters.time!.windowStart(index));
      const last = days.time!.indexContaining(quarters.time!.windowEnd(index) - 1);
      expect(last).toBe(start);
      const key = start < 0 ? 'none' : days.keyAt(start);
      perSession.set(key, (perSession.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(perSession)).toEqual({ '2026-11-20': 96, none: 192, '2026-11-23': 96 });
  });

  it('uses the calendar zone for windows: Asia/Kolkata days begin at 18:30Z the day before', () => {
    const xnse = createCalendar({
      name: 'XTST',
      timeZone: 'Asia/Kolkata',
      firstYear: 2026,
      lastYear: 2026,
      open: '09:15',
      close: '15:30',
      closuresOf: () => [{ date: '2026-01-26', name: 'Republic Day' }],
    });
    const indian = sessions(xnse, { start: '2026-01-01' });
    expect(indian.description).toBe('XTST sessions from 2026-01-01');
    expect(indian.size()).toBe(261 - 1);
    expect(indian.tryIndexOf('2026-01-26')).toBe(-1);
    expect(new Date(indian.time!.windowStart(0)).toISOString()).toBe('2025-12-31T18:30:00.000Z');
    expect(indian.time!.windowEnd(0) - indian.time!.windowStart(0)).toBe(86_400_000);
    expectLaws(indian, indexesToCheck(indian, [[0, indian.size()]]));
  });
});
