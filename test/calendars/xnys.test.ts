import { describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import { PartitionError } from '../../framework/index.ts';

const calendar = xnys();

function closureDates(year: number): string[] {
  return calendar.closures(`${year}-01-01`, `${year}-12-31`).map((closure) => closure.date);
}

function earlyCloseDates(year: number): string[] {
  return calendar.earlyCloses(`${year}-01-01`, `${year}-12-31`).map((earlyClose) => `${earlyClose.date} ${earlyClose.close}`);
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

describe('xnys', () => {
  describe('holidays as NYSE publishes them', () => {
    it('closes on the ten 2024 holidays, named as NYSE names them', () => {
      expect(calendar.closures('2024-01-01', '2024-12-31')).toEqual([
        { date: '2024-01-01', name: "New Year's Day" },
        { date: '2024-01-15', name: 'Martin Luther King Jr. Day' },
        { date: '2024-02-19', name: "Washington's Birthday" },
        { date: '2024-03-29', name: 'Good Friday' },
        { date: '2024-05-27', name: 'Memorial Day' },
        { date: '2024-06-19', name: 'Juneteenth National Independence Day' },
        { date: '2024-07-04', name: 'Independence Day' },
        { date: '2024-09-02', name: 'Labor Day' },
        { date: '2024-11-28', name: 'Thanksgiving Day' },
        { date: '2024-12-25', name: 'Christmas Day' },
      ]);
    });

    it('closes on the 2025 holidays and the national day of mourning for President Carter', () => {
      expect(closureDates(2025)).toEqual([
        '2025-01-01',
        '2025-01-09',
        '2025-01-20',
        '2025-02-17',
        '2025-04-18',
        '2025-05-26',
        '2025-06-19',
        '2025-07-04',
        '2025-09-01',
        '2025-11-27',
        '2025-12-25',
      ]);
    });

    it('observes Independence Day 2026 on Friday July 3', () => {
      expect(closureDates(2026)).toEqual([
        '2026-01-01',
        '2026-01-19',
        '2026-02-16',
        '2026-04-03',
        '2026-05-25',
        '2026-06-19',
        '2026-07-03',
        '2026-09-07',
        '2026-11-26',
        '2026-12-25',
      ]);
    });

    it('observes Saturday Juneteenth and Christmas 2027 on the Friday and Sunday Independence Day on the Monday', () => {
      expect(closureDates(2027)).toEqual([
        '2027-01-01',
        '2027-01-18',
        '2027-02-15',
        '2027-03-26',
        '2027-05-31',
        '2027-06-18',
        '2027-07-05',
        '2027-09-06',
        '2027-11-25',
        '2027-12-24',
      ]);
    });

    it('matches the historical record for 1998, 2001, 2012 and 2018', () => {
      expect(closureDates(1998)).toEqual([
        '1998-01-01',
        '1998-01-19',
        '1998-02-16',
        '1998-04-10',
        '1998-05-25',
        '1998-07-03',
        '1998-09-07',
        '1998-11-26',
        '1998-12-25',
      ]);
      expect(closureDates(2001)).toEqual([
        '2001-01-01',
        '2001-01-15',
        '2001-02-19',
        '2001-04-13',
        '2001-05-28',
        '2001-07-04',
        '2001-09-03',
        '2001-09-11',
        '2001-09-12',
        '2001-09-13',
        '2001-09-14',
        '2001-11-22',
        '2001-12-25',
      ]);
      expect(closureDates(2012)).toEqual([
        '2012-01-02',
        '2012-01-16',
        '2012-02-20',
        '2012-04-06',
        '2012-05-28',
        '2012-07-04',
        '2012-09-03',
        '2012-10-29',
        '2012-10-30',
        '2012-11-22',
        '2012-12-25',
      ]);
      expect(closureDates(2018)).toEqual([
        '2018-01-01',
        '2018-01-15',
        '2018-02-19',
        '2018-03-30',
        '2018-05-28',
        '2018-07-04',
        '2018-09-03',
        '2018-11-22',
        '2018-12-05',
        '2018-12-25',
      ]);
    });

    it('does not close for Columbus Day or Veterans Day', () => {
      expect(calendar.isSession('2024-10-14')).toBe(true);
      expect(calendar.isSession('2024-11-11')).toBe(true);
    });
  });

  describe('weekend observance', () => {
    it("does not observe a Saturday New Year's Day on the Friday before, which ends the year", () => {
      expect(calendar.isSession('2021-12-31')).toBe(true);
      expect(calendar.isSession('2022-01-03')).toBe(true);
      expect(calendar.closures('2021-12-25', '2022-01-14')).toEqual([]);
      expect(calendar.isSession('2010-12-31')).toBe(true);
      expect(calendar.closures('2010-12-25', '2011-01-14')).toEqual([]);
      expect(calendar.isSession('1999-12-31')).toBe(true);
    });

    it("observes a Sunday New Year's Day on the Monday", () => {
      for (const date of ['1995-01-02', '2006-01-02', '2012-01-02', '2017-01-02', '2023-01-02']) {
        expect(calendar.closures(date, date)).toEqual([{ date, name: "New Year's Day" }]);
      }
    });

    it('observes Saturday Independence Day and Christmas on the Friday, Sunday ones on the Monday', () => {
      expect(calendar.isSession('2015-07-03')).toBe(false);
      expect(calendar.isSession('2021-07-05')).toBe(false);
      expect(calendar.isSession('2010-12-24')).toBe(false);
      expect(calendar.isSession('2021-12-24')).toBe(false);
      expect(calendar.isSession('2022-12-26')).toBe(false);
      expect(calendar.closures('2022-12-26', '2022-12-26')[0]?.name).toBe('Christmas Day');
    });

    it('closes for Juneteenth only from 2022, moving it off weekends', () => {
      expect(calendar.isSession('2021-06-18')).toBe(true);
      expect(calendar.isSession('2021-06-21')).toBe(true);
      expect(calendar.isSession('2022-06-20')).toBe(false);
      expect(calendar.isSession('2023-06-19')).toBe(false);
      expect(calendar.isSession('2027-06-18')).toBe(false);
      expect(calendar.closures('1990-01-01', '2021-12-31').some((closure) => closure.name.startsWith('Juneteenth'))).toBe(false);
    });

    it('closes for Martin Luther King Jr. Day only from 1998', () => {
      expect(calendar.isSession('1997-01-20')).toBe(true);
      expect(calendar.isSession('1998-01-19')).toBe(false);
      expect(calendar.closures('1990-01-01', '1997-12-31').some((closure) => closure.name.startsWith('Martin'))).toBe(false);
      expect(calendar.closures('1998-01-01', '2100-12-31').filter((closure) => closure.name.startsWith('Martin'))).toHaveLength(103);
    });

    it('closes on Good Friday, two days before Gregorian Easter', () => {
      const goodFridays = calendar.closures('1990-01-01', '2100-12-31').filter((closure) => closure.name === 'Good Friday');
      expect(goodFridays).toHaveLength(111);
      const dates = goodFridays.map((closure) => closure.date);
      for (const date of ['1990-04-13', '2000-04-21', '2008-03-21', '2011-04-22', '2019-04-19', '2038-04-23', '2100-03-26']) {
        expect(dates).toContain(date);
      }
    });
  });

  describe('unscheduled closures', () => {
    it.each([
      ['1994-04-27', 'National Day of Mourning for former President Richard Nixon'],
      ['2001-09-11', 'September 11 attacks'],
      ['2001-09-12', 'September 11 attacks'],
      ['2001-09-13', 'September 11 attacks'],
      ['2001-09-14', 'September 11 attacks'],
      ['2004-06-11', 'National Day of Mourning for former President Ronald Reagan'],
      ['2007-01-02', 'National Day of Mourning for former President Gerald Ford'],
      ['2012-10-29', 'Hurricane Sandy'],
      ['2012-10-30', 'Hurricane Sandy'],
      ['2018-12-05', 'National Day of Mourning for former President George H. W. Bush'],
      ['2025-01-09', 'National Day of Mourning for former President Jimmy Carter'],
    ])('closes on %s (%s)', (date, name) => {
      expect(calendar.isSession(date)).toBe(false);
      expect(calendar.closures(date, date)).toEqual([{ date, name }]);
    });

    it('resumes trading after the September 11 closure on the Monday after', () => {
      expect(calendar.next('2001-09-10')).toBe('2001-09-17');
      expect(calendar.previous('2001-09-17')).toBe('2001-09-10');
    });
  });

  describe('early closes', () => {
    it('closes early at 13:00 on the days NYSE published for 2024 to 2027', () => {
      expect(calendar.earlyCloses('2024-01-01', '2024-12-31')).toEqual([
        { date: '2024-07-03', close: '13:00', name: 'Day before Independence Day' },
        { date: '2024-11-29', close: '13:00', name: 'Day after Thanksgiving' },
        { date: '2024-12-24', close: '13:00', name: 'Christmas Eve' },
      ]);
      expect(earlyCloseDates(2025)).toEqual(['2025-07-03 13:00', '2025-11-28 13:00', '2025-12-24 13:00']);
      expect(earlyCloseDates(2026)).toEqual(['2026-11-27 13:00', '2026-12-24 13:00']);
      expect(earlyCloseDates(2027)).toEqual(['2027-11-26 13:00']);
    });

    it('closes early at 14:00 before 1993, and only from 1992 on the day after Thanksgiving', () => {
      expect(earlyCloseDates(1990)).toEqual(['1990-12-24 14:00']);
      expect(earlyCloseDates(1991)).toEqual(['1991-12-24 14:00']);
      expect(earlyCloseDates(1992)).toEqual(['1992-11-27 14:00', '1992-12-24 14:00']);
      expect(earlyCloseDates(1993)).toEqual(['1993-11-26 13:00']);
      expect(calendar.hours('1991-11-29')).toEqual({ open: '09:30', close: '16:00' });
    });

    it('closes early before Independence Day only from 1995', () => {
      expect(calendar.hours('1990-07-03').close).toBe('16:00');
      expect(calendar.hours('1991-07-05').close).toBe('16:00');
      expect(calendar.hours('1995-07-03').close).toBe('13:00');
    });

    it('closed early on the Friday after a Thursday Independence Day until 2012, and on the Wednesday before from 2013', () => {
      expect(calendar.hours('1996-07-03').close).toBe('16:00');
      expect(calendar.hours('1996-07-05').close).toBe('13:00');
      expect(calendar.hours('2002-07-03').close).toBe('16:00');
      expect(calendar.hours('2002-07-05').close).toBe('13:00');
      expect(calendar.hours('2013-07-03').close).toBe('13:00');
      expect(calendar.hours('2013-07-05').close).toBe('16:00');
      expect(calendar.hours('2019-07-03').close).toBe('13:00');
      expect(calendar.hours('2019-07-05').close).toBe('16:00');
    });

    it('does not close early before an Independence Day observed on a Friday or Monday', () => {
      for (const date of ['2015-07-02', '2020-07-02', '2026-07-02', '2021-07-02', '2022-07-01', '2016-07-01']) {
        expect(calendar.hours(date)).toEqual({ open: '09:30', close: '16:00' });
      }
    });

    it('closes early on Christmas Eve from Monday to Thursday; on a Friday it is the Christmas holiday', () => {
      for (const date of ['2007-12-24', '2013-12-24', '2014-12-24', '2015-12-24']) expect(calendar.hours(date).close).toBe('13:00');
      expect(calendar.isSession('2021-12-24')).toBe(false);
      expect(calendar.isSession('1999-12-24')).toBe(false);
    });

    it('closed early on the Friday after Christmas only in 1997 and 2003', () => {
      expect(calendar.hours('1997-12-26').close).toBe('13:00');
      expect(calendar.hours('2003-12-26').close).toBe('13:00');
      for (const date of ['2008-12-26', '2014-12-26', '2025-12-26']) expect(calendar.hours(date).close).toBe('16:00');
    });

    it("closed early on New Year's Eve 1999 for the Y2K rollover, but not on other New Year's Eves", () => {
      expect(calendar.earlyCloses('1999-12-31', '1999-12-31')).toEqual([
        { date: '1999-12-31', close: '13:00', name: "New Year's Eve (Y2K rollover)" },
      ]);
      expect(calendar.hours('2010-12-31').close).toBe('16:00');
      expect(calendar.hours('2021-12-31').close).toBe('16:00');
    });

    it('closes early at 13:00 New York time: 18:00Z in winter, 17:00Z in summer', () => {
      expect(calendar.closeAt('2024-11-29').toISOString()).toBe('2024-11-29T18:00:00.000Z');
      expect(calendar.closeAt('2024-12-24').toISOString()).toBe('2024-12-24T18:00:00.000Z');
      expect(calendar.closeAt('2024-07-03').toISOString()).toBe('2024-07-03T17:00:00.000Z');
      expect(calendar.closeAt('1992-12-24').toISOString()).toBe('1992-12-24T19:00:00.000Z');
    });
  });

  describe('session instants across DST', () => {
    it.each([
      // The March 2024 switch (Sunday March 10): EST before, EDT after.
      ['2024-03-08', '2024-03-08T14:30:00.000Z', '2024-03-08T21:00:00.000Z'],
      ['2024-03-11', '2024-03-11T13:30:00.000Z', '2024-03-11T20:00:00.000Z'],
      // The November 2024 switch (Sunday November 3): EDT before, EST after.
      ['2024-11-01', '2024-11-01T13:30:00.000Z', '2024-11-01T20:00:00.000Z'],
      ['2024-11-04', '2024-11-04T14:30:00.000Z', '2024-11-04T21:00:00.000Z'],
      // Before 2007 DST began in April, so mid-March was still EST.
      ['2006-03-13', '2006-03-13T14:30:00.000Z', '2006-03-13T21:00:00.000Z'],
      ['2006-04-03', '2006-04-03T13:30:00.000Z', '2006-04-03T20:00:00.000Z'],
    ])('opens and closes %s at 09:30 and 16:00 New York time', (date, open, close) => {
      expect(calendar.openAt(date).toISOString()).toBe(open);
      expect(calendar.closeAt(date).toISOString()).toBe(close);
      expect(calendar.hours(date)).toEqual({ open: '09:30', close: '16:00' });
    });
  });

  describe('sessions per year', () => {
    it.each([
      [1990, 253],
      [1992, 254],
      [1998, 252],
      [2001, 248],
      [2012, 250],
      [2018, 251],
      [2019, 252],
      [2020, 253],
      [2021, 252],
      [2022, 251],
      [2023, 250],
      [2024, 252],
      [2025, 250],
      [2026, 251],
      [2027, 251],
    ])('counts the sessions of %i as %i', (year, count) => {
      expect(calendar.sessions(`${year}-01-01`, `${year}-12-31`)).toHaveLength(count);
    });

    it('closes on exactly the weekdays that closures() lists, across the whole range', () => {
      const days = calendar.sessionDays();
      const first = Date.UTC(1990, 0, 1) / 86_400_000;
      const last = Date.UTC(2100, 11, 31) / 86_400_000;
      let weekdays = 0;
      for (let day = first; day <= last; day += 1) if ((day + 4) % 7 !== 0 && (day + 4) % 7 !== 6) weekdays += 1;
      const closures = calendar.closures('1990-01-01', '2100-12-31');
      expect(days.length + closures.length).toBe(weekdays);
      expect(closures.every((closure) => !calendar.isSession(closure.date))).toBe(true);
      expect(calendar.earlyCloses('1990-01-01', '2100-12-31').every((earlyClose) => calendar.isSession(earlyClose.date))).toBe(true);
    });
  });

  describe('range edges', () => {
    it('covers 1990-01-01 to 2100-12-31, starting with the session of 1990-01-02', () => {
      expect(calendar).toMatchObject({ name: 'XNYS', timeZone: 'America/New_York', firstDate: '1990-01-01', lastDate: '2100-12-31' });
      expect(calendar.isSession('1990-01-01')).toBe(false);
      expect(calendar.sessions('1990-01-01', '1990-01-05')).toEqual(['1990-01-02', '1990-01-03', '1990-01-04', '1990-01-05']);
      expect(calendar.next('1990-01-01')).toBe('1990-01-02');
      expect(errorOf(() => calendar.previous('1990-01-02')).code).toBe('date-out-of-range');
    });

    it('ends with the session of Friday 2100-12-31', () => {
      expect(calendar.isSession('2100-12-31')).toBe(true);
      expect(calendar.previous('2100-12-31')).toBe('2100-12-30');
      expect(calendar.closeAt('2100-12-31').toISOString()).toBe('2100-12-31T21:00:00.000Z');
      expect(errorOf(() => calendar.next('2100-12-31')).code).toBe('date-out-of-range');
    });

    it('refuses dates outside the range, naming XNYS, the range and the format', () => {
      for (const date of ['1989-12-29', '2101-01-03']) {
        const error = errorOf(() => calendar.isSession(date));
        expect(error.code).toBe('date-out-of-range');
        expect(error.message).toBe(
          `calendar XNYS: date ${date} is outside the calendar's range; expected a YYYY-MM-DD date from 1990-01-01 to 2100-12-31`,
        );
      }
    });

    it('refuses a malformed date, naming XNYS and the format', () => {
      const error = errorOf(() => calendar.next('12/24/2024'));
      expect(error.code).toBe('invalid-partition-key');
      expect(error.message).toBe('calendar XNYS: date "12/24/2024" is not a valid date; expected YYYY-MM-DD');
    });
  });

  describe('instances and configuration', () => {
    it('returns the same default instance on every call', () => {
      expect(xnys()).toBe(calendar);
      expect(xnys({})).toBe(calendar);
      expect(xnys({ extraClosures: [], extraEarlyCloses: [] })).toBe(calendar);
    });

    it('applies ad-hoc closures and early closes from configuration without touching the default instance', () => {
      const adjusted = xnys({
        extraClosures: [{ date: '2030-06-03', name: 'National Day of Mourning' }],
        extraEarlyCloses: [{ date: '2030-06-04', close: '12:00', name: 'Systems upgrade' }],
      });
      expect(adjusted).not.toBe(calendar);
      expect(adjusted.isSession('2030-06-03')).toBe(false);
      expect(adjusted.closures('2030-06-03', '2030-06-03')).toEqual([{ date: '2030-06-03', name: 'National Day of Mourning' }]);
      expect(adjusted.closeAt('2030-06-04').toISOString()).toBe('2030-06-04T16:00:00.000Z');
      expect(adjusted.next('2030-05-31')).toBe('2030-06-04');
      expect(calendar.isSession('2030-06-03')).toBe(true);
      expect(calendar.hours('2030-06-04').close).toBe('16:00');
    });

    it('rejects a bad ad-hoc adjustment, naming XNYS and the field', () => {
      const badDate = errorOf(() => xnys({ extraClosures: [{ date: '2030-6-3', name: 'x' }] }));
      expect(badDate).toMatchObject({ code: 'invalid-calendar', field: 'extraClosures[0].date' });
      expect(badDate.message).toBe('calendar XNYS: extraClosures[0].date "2030-6-3" is not a valid date; expected YYYY-MM-DD');
      const outside = errorOf(() => xnys({ extraClosures: [{ date: '2101-01-03', name: 'x' }] }));
      expect(outside.message).toContain('outside the calendar');
      const lateClose = errorOf(() => xnys({ extraEarlyCloses: [{ date: '2030-06-04', close: '09:00', name: 'x' }] }));
      expect(lateClose).toMatchObject({ code: 'invalid-calendar', field: 'extraEarlyCloses[0].close' });
      expect(lateClose.message).toContain('is not after the open 09:30');
    });

    it('refuses the hours of a closure, naming the holiday', () => {
      expect(errorOf(() => calendar.hours('2024-12-25')).message).toBe('calendar XNYS: 2024-12-25 is not a session (Christmas Day)');
    });
  });
});
