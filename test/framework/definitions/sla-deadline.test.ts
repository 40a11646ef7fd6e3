import { describe, expect, it } from 'vitest';
import { xnys } from '../../../calendars/index.ts';
import { slaDeadline } from '../../../framework/definitions/sla-deadline.ts';

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const premarket = { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' } as const;

describe('slaDeadline', () => {
  it('puts a previous-session deadline on the next session, skipping holidays and weekends', () => {
    // Wednesday before Thanksgiving: due Friday 06:30 New York (EST).
    expect(iso(slaDeadline(premarket, '2026-11-25', xnys()))).toBe('2026-11-27T11:30:00.000Z');
    // Friday: due Monday.
    expect(iso(slaDeadline(premarket, '2026-11-20', xnys()))).toBe('2026-11-23T11:30:00.000Z');
    // Without a calendar: the next day.
    expect(iso(slaDeadline(premarket, '2026-11-20', undefined))).toBe('2026-11-21T11:30:00.000Z');
  });

  it('follows daylight saving time: 06:30 New York is 10:30 UTC in summer and 11:30 in winter', () => {
    expect(iso(slaDeadline(premarket, '2026-10-30', xnys()))).toBe('2026-11-02T11:30:00.000Z');
    expect(iso(slaDeadline(premarket, '2026-10-29', xnys()))).toBe('2026-10-30T10:30:00.000Z');
  });

  it('puts current-day deadlines on the day, previous-day ones on the next, weekly ones on the weekday after the week', () => {
    const at = (partition: 'currentSession' | 'currentDay' | 'previousDay' | 'previousWeek', weekday?: number) =>
      iso(slaDeadline({ deadline: '23:59', tz: 'UTC', partition, ...(weekday === undefined ? {} : { weekday }) }, '2026-11-22', undefined));
    expect(at('currentSession')).toBe('2026-11-22T23:59:00.000Z');
    expect(at('currentDay')).toBe('2026-11-22T23:59:00.000Z');
    expect(at('previousDay')).toBe('2026-11-23T23:59:00.000Z');
    // The week of Sunday 2026-11-22 to Saturday 2026-11-28 is due the Tuesday after it.
    expect(at('previousWeek', 2)).toBe('2026-12-01T23:59:00.000Z');
    expect(at('previousWeek')).toBe('2026-11-30T23:59:00.000Z');
  });
});
