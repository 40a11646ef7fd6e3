import { describe, expect, it } from 'vitest';
import { weekdays } from '../../calendars/index.ts';
import { PartitionError } from '../../framework/index.ts';

function errorOf(action: () => unknown): PartitionError {
  try {
    action();
  } catch (error) {
    if (error instanceof PartitionError) return error;
    throw error;
  }
  throw new Error('expected a PartitionError, but nothing was thrown');
}

describe('weekdays', () => {
  const ops = weekdays({
    name: 'OPS',
    holidays: ['2026-12-25', { date: '2026-12-28', name: 'Boxing Day (substitute)' }],
  });

  it('defaults to whole UTC days from 1990 to 2100', () => {
    expect(ops).toMatchObject({ name: 'OPS', timeZone: 'UTC', firstDate: '1990-01-01', lastDate: '2100-12-31' });
    expect(ops.hours('2026-06-01')).toEqual({ open: '00:00', close: '24:00' });
    expect(ops.openAt('2026-06-01').toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(ops.closeAt('2026-06-01').toISOString()).toBe('2026-06-02T00:00:00.000Z');
  });

  it('makes every weekday a session except the holidays', () => {
    expect(ops.isSession('1990-01-01')).toBe(true);
    expect(ops.isSession('2026-12-26')).toBe(false);
    expect(ops.sessions('2026-12-21', '2026-12-31')).toEqual(['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-29', '2026-12-30', '2026-12-31']);
    // 2026 has 261 weekdays.
    expect(ops.sessions('2026-01-01', '2026-12-31')).toHaveLength(259);
    expect(ops.sessions('2025-01-01', '2025-12-31')).toHaveLength(261);
  });

  it('names string holidays "Holiday" and keeps the names of named ones', () => {
    expect(ops.closures('2026-01-01', '2026-12-31')).toEqual([
      { date: '2026-12-25', name: 'Holiday' },
      { date: '2026-12-28', name: 'Boxing Day (substitute)' },
    ]);
  });

  it('steps over weekends and holidays with next and previous', () => {
    expect(ops.next('2026-12-24')).toBe('2026-12-29');
    expect(ops.previous('2026-12-29')).toBe('2026-12-24');
    expect(ops.next('2026-06-05')).toBe('2026-06-08');
  });

  it('uses the given zone and hours, across DST', () => {
    const london = weekdays({ name: 'LDN', timeZone: 'Europe/London', open: '08:00', close: '16:30', firstYear: 2026, lastYear: 2027 });
    expect(london.firstDate).toBe('2026-01-01');
    expect(london.lastDate).toBe('2027-12-31');
    // British Summer Time starts on 2026-03-29.
    expect(london.openAt('2026-03-27').toISOString()).toBe('2026-03-27T08:00:00.000Z');
    expect(london.openAt('2026-03-30').toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(london.closeAt('2026-03-30').toISOString()).toBe('2026-03-30T15:30:00.000Z');
  });

  it('ends a whole-day session at the next local midnight, also on a DST switch', () => {
    const newYork = weekdays({ name: 'NYOPS', timeZone: 'America/New_York' });
    // New York switches to EDT on Sunday 2026-03-08; Friday is EST, Monday EDT.
    expect(newYork.closeAt('2026-03-06').toISOString()).toBe('2026-03-07T05:00:00.000Z');
    expect(newYork.openAt('2026-03-09').toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('applies early closes from the options', () => {
    const early = weekdays({
      name: 'OPS',
      open: '09:00',
      close: '17:00',
      earlyCloses: [{ date: '2026-12-24', close: '12:00', name: 'Christmas Eve' }],
    });
    expect(early.hours('2026-12-24')).toEqual({ open: '09:00', close: '12:00' });
    expect(early.earlyCloses('2026-12-01', '2026-12-31')).toEqual([{ date: '2026-12-24', close: '12:00', name: 'Christmas Eve' }]);
  });

  it('refuses dates outside its years', () => {
    const short = weekdays({ name: 'SHORT', firstYear: 2026, lastYear: 2026 });
    expect(errorOf(() => short.next('2026-12-31')).code).toBe('date-out-of-range');
    expect(errorOf(() => short.isSession('2027-01-04')).message).toContain('calendar SHORT');
  });

  it.each([
    ['a malformed holiday', ['2026-02-30'], 'holidays[0]', '"2026-02-30" is not a valid date; expected YYYY-MM-DD'],
    ['a holiday in another format', ['25/12/2026'], 'holidays[0]', 'expected YYYY-MM-DD'],
    ['a holiday on a weekend', ['2026-12-24', '2026-12-26'], 'holidays[1]', '2026-12-26 is a Saturday; list weekday holidays only'],
    ['a holiday outside the years', ['2101-01-03'], 'holidays[0]', "outside the calendar's years 1990 to 2100"],
    ['a holiday listed twice', ['2026-12-25', { date: '2026-12-25', name: 'Christmas' }], 'holidays[1]', 'listed twice'],
  ])('rejects %s, naming the calendar and the holiday', (_label, holidays, field, problem) => {
    const error = errorOf(() => weekdays({ name: 'OPS', holidays }));
    expect(error).toMatchObject({ code: 'invalid-calendar', field });
    expect(error.message.startsWith(`calendar OPS: ${field} `)).toBe(true);
    expect(error.message).toContain(problem);
  });

  it('rejects bad hours and zones through the builder', () => {
    expect(errorOf(() => weekdays({ name: 'OPS', open: '17:00', close: '09:00' }))).toMatchObject({ code: 'invalid-calendar', field: 'close' });
    expect(errorOf(() => weekdays({ name: 'OPS', timeZone: 'Europe/Atlantis' }))).toMatchObject({ code: 'invalid-calendar', field: 'timeZone' });
  });
});
