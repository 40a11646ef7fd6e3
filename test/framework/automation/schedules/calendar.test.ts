import { describe, expect, it } from 'vitest';
import { xnys } from '../../../../calendars/index.ts';
import { calendarSchedule } from '../../../../framework/automation/schedules/calendar.ts';
import { ticksBetween } from '../../../../framework/automation/schedules/ticks.ts';
import { DefinitionError, sessions } from '../../../../framework/index.ts';
import { requestedSubset } from '../../../../framework/planner/partition-request.ts';

const calendar = xnys();
const iso = (ms: number): string => new Date(ms).toISOString();
const between = (from: string, to: string) => [Date.parse(from), Date.parse(to)] as const;

const premarket = calendarSchedule({ name: 'northbridge/premarket', calendar, at: '05:00', selection: 'group:northbridge', partition: 'previousSession' });
const afterClose = calendarSchedule({ name: 'northbridge/eod', calendar, at: { afterClose: '30m' }, selection: 'northbridge/pnl', partition: 'currentSession' });

describe('calendarSchedule', () => {
  it('fires at 05:00 New York on each session only, skipping Thanksgiving, for the previous session', () => {
    const ticks = ticksBetween(premarket, ...between('2026-11-23T00:00:00Z', '2026-12-01T00:00:00Z'));
    expect(ticks.map((tick) => [iso(tick.at), tick.partitions.partition])).toEqual([
      ['2026-11-23T10:00:00.000Z', '2026-11-20'],
      ['2026-11-24T10:00:00.000Z', '2026-11-23'],
      ['2026-11-25T10:00:00.000Z', '2026-11-24'],
      // 2026-11-26 is Thanksgiving: no tick. The Friday after requests the Wednesday.
      ['2026-11-27T10:00:00.000Z', '2026-11-25'],
      ['2026-11-30T10:00:00.000Z', '2026-11-27'],
    ]);
    expect(ticks[0]!.key).toBe('northbridge/premarket@2026-11-23T10:00:00.000Z');
  });

  it('fires 30 minutes after the close, at 13:30 on the early close of 2026-11-27', () => {
    const ticks = ticksBetween(afterClose, ...between('2026-11-25T00:00:00Z', '2026-12-01T00:00:00Z'));
    expect(ticks.map((tick) => [iso(tick.at), tick.partitions.partition])).toEqual([
      ['2026-11-25T21:30:00.000Z', '2026-11-25'],
      ['2026-11-27T18:30:00.000Z', '2026-11-27'],
      ['2026-11-30T21:30:00.000Z', '2026-11-30'],
    ]);
  });

  it('follows the open, and fires in another zone at that zone\'s local time on the session\'s date', () => {
    const afterOpen = calendarSchedule({ name: 'open', calendar, at: { afterOpen: '15m' }, selection: '*', partition: 'currentSession' });
    expect(iso(afterOpen.nextTick(Date.parse('2026-11-27T00:00:00Z'))!.at)).toBe('2026-11-27T14:45:00.000Z');
    const london = calendarSchedule({ name: 'london', calendar, at: '07:00', tz: 'Europe/London', selection: '*', partition: 'currentSession' });
    expect(london.nextTick(Date.parse('2026-11-26T00:00:00Z'))).toEqual({ at: Date.parse('2026-11-27T07:00:00Z'), partitions: { partition: '2026-11-27' } });
  });

  it('keeps 05:00 local across the 2026 daylight-saving changes: one tick per session, none lost or doubled', () => {
    const spring = ticksBetween(premarket, ...between('2026-03-04T00:00:00Z', '2026-03-12T00:00:00Z'));
    expect(spring.map((tick) => iso(tick.at))).toEqual([
      '2026-03-04T10:00:00.000Z',
      '2026-03-05T10:00:00.000Z',
      '2026-03-06T10:00:00.000Z',
      // Clocks went forward on Sunday 2026-03-08: 05:00 EDT is 09:00 UTC.
      '2026-03-09T09:00:00.000Z',
      '2026-03-10T09:00:00.000Z',
      '2026-03-11T09:00:00.000Z',
    ]);
    const fall = ticksBetween(premarket, ...between('2026-10-29T00:00:00Z', '2026-11-04T00:00:00Z'));
    expect(fall.map((tick) => [iso(tick.at), tick.partitions.partition])).toEqual([
      ['2026-10-29T09:00:00.000Z', '2026-10-28'],
      ['2026-10-30T09:00:00.000Z', '2026-10-29'],
      // Clocks went back on Sunday 2026-11-01: 05:00 EST is 10:00 UTC.
      ['2026-11-02T10:00:00.000Z', '2026-10-30'],
      ['2026-11-03T10:00:00.000Z', '2026-11-02'],
    ]);
  });

  it('requests a key that names exactly one partition of a sessions asset', () => {
    const days = sessions(calendar, { start: '2026-01-02' });
    const [tick] = ticksBetween(premarket, ...between('2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z'));
    const subset = requestedSubset(days, tick!.partitions);
    expect([...subset.indexes()].map((index) => days.keyAt(index))).toEqual(['2026-11-25']);
  });

  it('excludes a tick at exactly the lower bound and includes one at exactly the upper bound', () => {
    const at = Date.parse('2026-11-25T10:00:00Z');
    expect(ticksBetween(premarket, at - 1, at).map((tick) => tick.at)).toEqual([at]);
    expect(ticksBetween(premarket, at, at + 3_600_000)).toEqual([]);
  });

  it('has no tick past the calendar\'s last date and none for a previous session before its first', () => {
    expect(premarket.nextTick(Date.parse('2100-12-31T12:00:00Z'))).toBeUndefined();
    const first = premarket.nextTick(Date.parse('1980-01-01T00:00:00Z'))!;
    expect(first.partitions.partition).toBe('1990-01-02');
    expect(iso(first.at)).toBe('1990-01-03T10:00:00.000Z');
  });

  it('is frozen and describes itself as data', () => {
    expect(Object.isFrozen(premarket)).toBe(true);
    expect(premarket.spec).toEqual({
      kind: 'calendar',
      name: 'northbridge/premarket',
      calendar: 'XNYS',
      at: '05:00',
      tz: 'America/New_York',
      selection: 'group:northbridge',
      partition: 'previousSession',
    });
    expect(afterClose.description).toBe('30m after the close on XNYS sessions, for the same session');
  });

  it('rejects bad options with an error naming the schedule and the field', () => {
    const base = { name: 'nb/bad', calendar, selection: '*', partition: 'previousSession' as const };
    const cases: [unknown, string, RegExp][] = [
      [{ ...base, at: '25:00' }, 'at', /calendar schedule "nb\/bad": field "at"/],
      [{ ...base, at: { afterClose: 'soon' } }, 'at.afterClose', /expected a duration under a day/],
      [{ ...base, at: { afterClose: '25h' } }, 'at.afterClose', /under a day/],
      [{ ...base, at: '05:00', calendar: 'XNYS' }, 'calendar', /expected a Calendar, e.g. xnys\(\)/],
      [{ ...base, at: '05:00', partition: 'nextSession' }, 'partition', /field "partition"/],
      [{ ...base, at: '05:00', tz: 'Mars/Olympus' }, 'tz', /unknown IANA time zone/],
      [{ ...base, at: '05:00', name: 'Bad Name' }, 'name', /lower-case segments/],
      [{ ...base, at: '05:00', selection: 'a,,b' }, 'selection', /expected a selection/],
    ];
    for (const [options, field, message] of cases) {
      const error = (() => {
        try {
          calendarSchedule(options as Parameters<typeof calendarSchedule>[0]);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(DefinitionError);
      expect(error).toMatchObject({ code: 'invalid-definition', field });
      expect((error as Error).message).toMatch(message);
    }
  });

  it('accepts 0m after the close: at the bell', () => {
    const bell = calendarSchedule({ name: 'bell', calendar, at: { afterClose: '0m' }, selection: '*', partition: 'currentSession' });
    expect(iso(bell.nextTick(Date.parse('2026-11-27T00:00:00Z'))!.at)).toBe('2026-11-27T18:00:00.000Z');
  });
});
