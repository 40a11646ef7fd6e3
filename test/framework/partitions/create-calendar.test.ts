import { describe, expect, it } from 'vitest';
import { createCalendar, PartitionError } from '../../../framework/index.ts';
import type { CalendarOptions, Closure, EarlyClose } from '../../../framework/index.ts';

// A small London market for 2026: Christmas and the Boxing Day substitute closed, two early closes.
const RULE_CLOSURES: Record<number, Closure[]> = {
  2026: [
    { date: '2026-01-01', name: "New Year's Day" },
    { date: '2026-12-25', name: 'Christmas Day' },
    { date: '2026-12-28', name: 'Boxing Day (substitute)' },
  ],
};
const RULE_EARLY_CLOSES: Record<number, EarlyClose[]> = {
  2026: [
    { date: '2026-12-24', close: '12:30', name: 'Christmas Eve' },
    { date: '2026-12-31', close: '12:30', name: "New Year's Eve" },
  ],
};

function options(overrides: Partial<CalendarOptions> = {}): CalendarOptions {
  return {
    name: 'XTST',
    timeZone: 'Europe/London',
    firstYear: 2026,
    lastYear: 2026,
    open: '08:00',
    close: '16:30',
    closuresOf: (year) => RULE_CLOSURES[year] ?? [],
    earlyClosesOf: (year) => RULE_EARLY_CLOSES[year] ?? [],
    ...overrides,
  };
}

function errorOf(action: () => unknown): PartitionError {
  try {
    action();
  } catch (error) {
    if (error instanceof PartitionError) return error;
    throw error;
  }
  throw new Error('expected a PartitionError, but nothing was thrown');
}

describe('createCalendar', () => {
  const calendar = createCalendar(options());

  describe('sessions', () => {
    it('skips weekends and rule closures, listing sessions inclusively in ascending order', () => {
      expect(calendar.sessions('2026-12-21', '2026-12-31')).toEqual([
        '2026-12-21',
        '2026-12-22',
        '2026-12-23',
        '2026-12-24',
        '2026-12-29',
        '2026-12-30',
        '2026-12-31',
      ]);
    });

    it('exposes every session as ascending day numbers that agree with sessions()', () => {
      const days = calendar.sessionDays();
      expect(days).toBeInstanceOf(Int32Array);
      // 2026 has 261 weekdays; three of them are closed.
      expect(days.length).toBe(258);
      expect(calendar.sessions('2026-01-01', '2026-12-31')).toHaveLength(258);
      expect(days[0]).toBe(Date.UTC(2026, 0, 2) / 86_400_000);
      expect(days.every((day, i) => i === 0 || day > days[i - 1]!)).toBe(true);
      expect(calendar.sessionDays()).toBe(days);
    });

    it('tells sessions from weekends and closures', () => {
      expect(calendar.isSession('2026-12-24')).toBe(true);
      expect(calendar.isSession('2026-12-25')).toBe(false);
      expect(calendar.isSession('2026-12-26')).toBe(false);
      expect(calendar.isSession('2026-12-27')).toBe(false);
      expect(calendar.isSession('2026-12-28')).toBe(false);
    });

    it('returns no sessions when from is after to', () => {
      expect(calendar.sessions('2026-12-31', '2026-12-01')).toEqual([]);
    });

    it('returns one session when from and to are the same session', () => {
      expect(calendar.sessions('2026-06-01', '2026-06-01')).toEqual(['2026-06-01']);
    });
  });

  describe('next and previous', () => {
    it('steps over a holiday weekend from a session', () => {
      expect(calendar.next('2026-12-24')).toBe('2026-12-29');
      expect(calendar.previous('2026-12-29')).toBe('2026-12-24');
    });

    it('accepts a date that is not a session and answers strictly after or before it', () => {
      expect(calendar.next('2026-12-26')).toBe('2026-12-29');
      expect(calendar.previous('2026-12-26')).toBe('2026-12-24');
      expect(calendar.next('2026-01-01')).toBe('2026-01-02');
    });

    it('agrees with a scan of sessionDays for every day of the year', () => {
      const days = Array.from(calendar.sessionDays());
      for (let day = Date.UTC(2026, 0, 2) / 86_400_000; day < Date.UTC(2026, 11, 31) / 86_400_000; day += 1) {
        const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
        const after = days.find((session) => session > day)!;
        expect(calendar.next(date)).toBe(new Date(after * 86_400_000).toISOString().slice(0, 10));
      }
    });

    it('throws date-out-of-range when no session lies before the first or after the last', () => {
      const beforeFirst = errorOf(() => calendar.previous('2026-01-02'));
      expect(beforeFirst).toMatchObject({ code: 'date-out-of-range', field: 'date' });
      expect(beforeFirst.message).toContain('XTST');
      expect(beforeFirst.message).toContain('2026-01-01');
      expect(errorOf(() => calendar.previous('2026-01-01')).code).toBe('date-out-of-range');
      expect(errorOf(() => calendar.next('2026-12-31')).code).toBe('date-out-of-range');
      expect(calendar.previous('2026-12-31')).toBe('2026-12-30');
    });
  });

  describe('dates the calendar cannot answer for', () => {
    it.each(['2025-12-31', '2027-01-01'])('throws date-out-of-range naming the calendar and its range for %s', (date) => {
      for (const action of [
        () => calendar.isSession(date),
        () => calendar.next(date),
        () => calendar.previous(date),
        () => calendar.hours(date),
        () => calendar.openAt(date),
        () => calendar.closeAt(date),
        () => calendar.sessions(date, '2026-06-30'),
        () => calendar.closures('2026-06-30', date),
        () => calendar.earlyCloses(date, date),
      ]) {
        const error = errorOf(action);
        expect(error.code).toBe('date-out-of-range');
        expect(error.message).toContain('calendar XTST');
        expect(error.message).toContain('YYYY-MM-DD');
        expect(error.message).toContain('2026-01-01 to 2026-12-31');
      }
    });

    it.each(['2026-02-30', '2026-1-05', '26-01-05', '', 'today', '2026-01-05T00:00'])(
      'throws invalid-partition-key naming the calendar and the format for %j',
      (date) => {
        const error = errorOf(() => calendar.isSession(date));
        expect(error).toMatchObject({ code: 'invalid-partition-key', field: 'date' });
        expect(error.message).toContain('calendar XTST');
        expect(error.message).toContain('expected YYYY-MM-DD');
      },
    );

    it('names which argument of a range is malformed', () => {
      expect(errorOf(() => calendar.sessions('2026-01-05', '2026-13-01')).field).toBe('to');
      expect(errorOf(() => calendar.closures('2026/01/05', '2026-12-01')).field).toBe('from');
    });
  });

  describe('hours', () => {
    it('gives the regular hours on a regular session and the early close on an early one', () => {
      expect(calendar.hours('2026-12-23')).toEqual({ open: '08:00', close: '16:30' });
      expect(calendar.hours('2026-12-24')).toEqual({ open: '08:00', close: '12:30' });
    });

    it('refuses a closure, naming it, and a weekend day', () => {
      const closure = errorOf(() => calendar.hours('2026-12-25'));
      expect(closure.code).toBe('invalid-partition-key');
      expect(closure.message).toBe('calendar XTST: 2026-12-25 is not a session (Christmas Day)');
      expect(errorOf(() => calendar.openAt('2026-12-26')).message).toContain('Saturday');
    });

    it('computes open and close instants in the zone, on both sides of a DST switch', () => {
      // British Summer Time starts on 2026-03-29.
      expect(calendar.openAt('2026-03-27').toISOString()).toBe('2026-03-27T08:00:00.000Z');
      expect(calendar.closeAt('2026-03-27').toISOString()).toBe('2026-03-27T16:30:00.000Z');
      expect(calendar.openAt('2026-03-30').toISOString()).toBe('2026-03-30T07:00:00.000Z');
      expect(calendar.closeAt('2026-03-30').toISOString()).toBe('2026-03-30T15:30:00.000Z');
    });

    it('closes at the early close instant on an early close', () => {
      expect(calendar.closeAt('2026-12-24').toISOString()).toBe('2026-12-24T12:30:00.000Z');
      expect(calendar.openAt('2026-12-24').toISOString()).toBe('2026-12-24T08:00:00.000Z');
    });

    it('reads a 24:00 close as the following local midnight, also across DST', () => {
      const wholeDay = createCalendar(options({ timeZone: 'America/New_York', open: '00:00', close: '24:00', earlyClosesOf: () => [] }));
      // New York switches to EDT on 2026-03-08.
      expect(wholeDay.openAt('2026-03-06').toISOString()).toBe('2026-03-06T05:00:00.000Z');
      expect(wholeDay.closeAt('2026-03-06').toISOString()).toBe('2026-03-07T05:00:00.000Z');
      expect(wholeDay.closeAt('2026-03-09').toISOString()).toBe('2026-03-10T04:00:00.000Z');
      expect(wholeDay.hours('2026-03-09')).toEqual({ open: '00:00', close: '24:00' });
    });
  });

  describe('closures and early closes', () => {
    it('lists closures from the rules inclusively, with their names', () => {
      expect(calendar.closures('2026-12-25', '2026-12-28')).toEqual([
        { date: '2026-12-25', name: 'Christmas Day' },
        { date: '2026-12-28', name: 'Boxing Day (substitute)' },
      ]);
      expect(calendar.closures('2026-01-02', '2026-12-24')).toEqual([]);
      expect(calendar.closures('2026-12-31', '2026-01-01')).toEqual([]);
    });

    it('lists early closes inclusively, with their close and name', () => {
      expect(calendar.earlyCloses('2026-01-01', '2026-12-31')).toEqual([
        { date: '2026-12-24', close: '12:30', name: 'Christmas Eve' },
        { date: '2026-12-31', close: '12:30', name: "New Year's Eve" },
      ]);
      expect(calendar.earlyCloses('2026-12-25', '2026-12-30')).toEqual([]);
    });

    it('adds ad-hoc closures and early closes from the options', () => {
      const adjusted = createCalendar(
        options({
          extraClosures: [{ date: '2026-06-15', name: 'Exchange outage' }],
          extraEarlyCloses: [{ date: '2026-06-12', close: '14:00', name: 'Systems upgrade' }],
        }),
      );
      expect(adjusted.isSession('2026-06-15')).toBe(false);
      expect(adjusted.next('2026-06-12')).toBe('2026-06-16');
      expect(adjusted.closures('2026-06-01', '2026-06-30')).toEqual([{ date: '2026-06-15', name: 'Exchange outage' }]);
      expect(adjusted.hours('2026-06-12')).toEqual({ open: '08:00', close: '14:00' });
      expect(adjusted.closeAt('2026-06-12').toISOString()).toBe('2026-06-12T13:00:00.000Z');
      expect(adjusted.sessionDays().length).toBe(calendar.sessionDays().length - 1);
      expect(calendar.isSession('2026-06-15')).toBe(true);
    });

    it('keeps the rule name when an ad-hoc closure repeats a rule closure', () => {
      const adjusted = createCalendar(options({ extraClosures: [{ date: '2026-12-25', name: 'Xmas' }] }));
      expect(adjusted.closures('2026-12-25', '2026-12-25')).toEqual([{ date: '2026-12-25', name: 'Christmas Day' }]);
      expect(adjusted.sessionDays().length).toBe(calendar.sessionDays().length);
    });

    it('replaces a rule early close with an ad-hoc one on the same date', () => {
      const adjusted = createCalendar(options({ extraEarlyCloses: [{ date: '2026-12-24', close: '11:00', name: 'Christmas Eve (short)' }] }));
      expect(adjusted.earlyCloses('2026-12-24', '2026-12-24')).toEqual([{ date: '2026-12-24', close: '11:00', name: 'Christmas Eve (short)' }]);
      expect(adjusted.closeAt('2026-12-24').toISOString()).toBe('2026-12-24T11:00:00.000Z');
    });

    it('drops a rule early close when an ad-hoc closure closes that day', () => {
      const adjusted = createCalendar(options({ extraClosures: [{ date: '2026-12-24', name: 'Christmas Eve closure' }] }));
      expect(adjusted.isSession('2026-12-24')).toBe(false);
      expect(adjusted.earlyCloses('2026-12-01', '2026-12-31')).toEqual([{ date: '2026-12-31', close: '12:30', name: "New Year's Eve" }]);
      expect(adjusted.previous('2026-12-29')).toBe('2026-12-23');
    });

    it('honours a custom weekend', () => {
      // A Sunday-to-Thursday market.
      const gulf = createCalendar(options({ weekend: [5, 6], closuresOf: () => [], earlyClosesOf: () => [] }));
      expect(gulf.isSession('2026-06-05')).toBe(false);
      expect(gulf.isSession('2026-06-07')).toBe(true);
      expect(gulf.next('2026-06-04')).toBe('2026-06-07');
    });
  });

  it('returns a frozen calendar carrying its name, zone and range', () => {
    expect(Object.isFrozen(calendar)).toBe(true);
    expect(calendar).toMatchObject({ name: 'XTST', timeZone: 'Europe/London', firstDate: '2026-01-01', lastDate: '2026-12-31' });
  });

  describe('validation of the options', () => {
    const cases: Array<[string, Partial<CalendarOptions>, string, string]> = [
      ['an empty name', { name: ' ' }, 'name', 'must be a non-empty string'],
      ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone', '"Mars/Olympus" is not a known IANA time zone'],
      ['a fractional year', { firstYear: 2025.5 }, 'firstYear', 'must be an integer year'],
      ['years in the wrong order', { firstYear: 2027, lastYear: 2026 }, 'lastYear', 'is before firstYear'],
      ['an open that is not HH:MM', { open: '8:00' }, 'open', 'expected HH:MM'],
      ['an open at 24:00', { open: '24:00' }, 'open', 'expected HH:MM'],
      ['a close that is not a time', { close: '16:60' }, 'close', 'expected HH:MM'],
      ['a close not after the open', { close: '08:00' }, 'close', 'is not after open 08:00'],
      ['a weekend day out of range', { weekend: [0, 7] }, 'weekend[1]', 'is not a weekday'],
      ['a weekend covering the week', { weekend: [0, 1, 2, 3, 4, 5, 6] }, 'weekend', 'no sessions'],
      ['an ad-hoc closure with a bad date', { extraClosures: [{ date: '2026-02-30', name: 'x' }] }, 'extraClosures[0].date', 'expected YYYY-MM-DD'],
      ['an ad-hoc closure outside the range', { extraClosures: [{ date: '2027-01-04', name: 'x' }] }, 'extraClosures[0].date', 'outside the calendar'],
      ['an ad-hoc closure on a weekend', { extraClosures: [{ date: '2026-06-06', name: 'x' }] }, 'extraClosures[0].date', 'is a Saturday'],
      ['an ad-hoc closure without a name', { extraClosures: [{ date: '2026-06-05', name: '' }] }, 'extraClosures[0].name', 'non-empty string'],
      [
        'an ad-hoc closure listed twice',
        { extraClosures: [{ date: '2026-06-05', name: 'x' }, { date: '2026-06-05', name: 'y' }] },
        'extraClosures[1].date',
        'listed twice',
      ],
      ['an ad-hoc early close with a bad time', { extraEarlyCloses: [{ date: '2026-06-05', close: '1pm', name: 'x' }] }, 'extraEarlyCloses[0].close', 'expected HH:MM'],
      [
        'an ad-hoc early close not after the open',
        { extraEarlyCloses: [{ date: '2026-06-05', close: '07:30', name: 'x' }] },
        'extraEarlyCloses[0].close',
        'is not after the open 08:00',
      ],
      [
        'an ad-hoc early close not before the regular close',
        { extraEarlyCloses: [{ date: '2026-06-05', close: '16:30', name: 'x' }] },
        'extraEarlyCloses[0].close',
        'is not before the regular close 16:30',
      ],
      [
        'an ad-hoc early close on a closure',
        { extraEarlyCloses: [{ date: '2026-12-25', close: '12:00', name: 'x' }] },
        'extraEarlyCloses[0].date',
        'is a closure (Christmas Day), not a session',
      ],
      ['an ad-hoc early close outside the range', { extraEarlyCloses: [{ date: '2025-12-31', close: '12:00', name: 'x' }] }, 'extraEarlyCloses[0].date', 'outside'],
      ['a rule closure dated in another year', { closuresOf: () => [{ date: '2025-12-25', name: 'x' }] }, 'closuresOf(2026)[0].date', 'is not in 2026'],
      [
        'a rule closing one date twice',
        { closuresOf: () => [{ date: '2026-12-25', name: 'a' }, { date: '2026-12-25', name: 'b' }] },
        'closuresOf(2026)[1].date',
        'is already closed (a)',
      ],
      ['a rule early close with a bad time', { earlyClosesOf: () => [{ date: '2026-12-24', close: 'noon', name: 'x' }] }, 'earlyClosesOf(2026)[0].close', 'expected HH:MM'],
    ];

    it.each(cases)('rejects %s with a PartitionError naming the calendar and the field', (_label, overrides, field, problem) => {
      const error = errorOf(() => createCalendar(options(overrides)));
      expect(error).toBeInstanceOf(PartitionError);
      expect(error.code).toBe('invalid-calendar');
      expect(error.field).toBe(field);
      expect(error.message).toContain(problem);
      if (field !== 'name') expect(error.message.startsWith(`calendar XTST: ${field} `)).toBe(true);
    });

    it('keeps the cause when the time zone is unknown', () => {
      expect(errorOf(() => createCalendar(options({ timeZone: 'Nowhere/Land' }))).cause).toBeInstanceOf(PartitionError);
    });
  });
});
