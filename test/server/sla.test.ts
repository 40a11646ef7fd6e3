// SLA deadlines on the real XNYS calendar, the board's inverse, and the met / at-risk / missed / pending
// states; and the compact store of data versions the index keeps.
import { describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import type { SlaSpec } from '../../framework/index.ts';
import { DataVersions } from '../../server/state/data-versions.ts';
import { deadlineOf, dueOn, slaState } from '../../server/state/sla.ts';

const calendar = xnys();
const premarket: SlaSpec = { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' };
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('SLA deadlines', () => {
  it('puts a session due at 06:30 New York on the next session, across weekends, holidays and DST', () => {
    expect(iso(deadlineOf(premarket, '2026-11-20', calendar))).toBe('2026-11-23T11:30:00.000Z'); // Friday → Monday, EST
    expect(iso(deadlineOf(premarket, '2026-11-25', calendar))).toBe('2026-11-27T11:30:00.000Z'); // Thanksgiving is closed
    expect(iso(deadlineOf(premarket, '2026-07-02', calendar))).toBe('2026-07-06T10:30:00.000Z'); // 3 July observed; EDT
  });

  it('has no deadline for a current session on a holiday, and counts days and weeks by the calendar date', () => {
    expect(deadlineOf({ ...premarket, partition: 'currentSession' }, '2026-11-26', calendar)).toBeUndefined();
    expect(iso(deadlineOf({ ...premarket, partition: 'previousDay' }, '2026-11-26', calendar))).toBe('2026-11-27T11:30:00.000Z');
    const weekly: SlaSpec = { deadline: '23:59', tz: 'America/New_York', partition: 'previousWeek', weekday: 2 };
    // The week starting Sunday 15 November is due the Tuesday after it ends.
    expect(iso(deadlineOf(weekly, '2026-11-15', calendar))).toBe('2026-11-25T04:59:00.000Z');
  });

  it('finds the partition due on a day, and nothing on a day without a session', () => {
    expect(dueOn(premarket, '2026-11-23', calendar)).toBe('2026-11-20');
    expect(dueOn(premarket, '2026-11-27', calendar)).toBe('2026-11-25');
    expect(dueOn(premarket, '2026-11-26', calendar)).toBeUndefined();
    expect(dueOn(premarket, '2026-11-22', calendar)).toBeUndefined();
  });
});

describe('SLA states', () => {
  const deadline = Date.parse('2026-11-23T11:30:00Z');
  const before = deadline - 3_600_000;
  it('is met once fresh before the deadline, pending or at risk until then, and missed after it', () => {
    expect(slaState({ deadline, now: before, status: 'fresh', materializedAt: before - 1, remainingMs: 0 })).toBe('met');
    expect(slaState({ deadline, now: before, status: 'missing', materializedAt: null, remainingMs: 60_000 })).toBe('pending');
    expect(slaState({ deadline, now: before, status: 'running', materializedAt: null, remainingMs: 2 * 3_600_000 })).toBe('at-risk');
    expect(slaState({ deadline, now: before, status: 'failed', materializedAt: null, remainingMs: 0 })).toBe('at-risk');
    expect(slaState({ deadline, now: deadline + 1, status: 'missing', materializedAt: null, remainingMs: 0 })).toBe('missed');
    expect(slaState({ deadline, now: deadline + 1, status: 'fresh', materializedAt: deadline + 1, remainingMs: 0 })).toBe('missed');
    expect(slaState({ deadline, now: deadline + 1, status: 'stale', materializedAt: deadline - 1, remainingMs: 0 })).toBe('met');
  });
});

describe('data versions', () => {
  it('keeps sha256 versions as bytes and anything else as text, by partition index', () => {
    const versions = new DataVersions(5_000);
    const hash = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
    for (const i of [0, 1, 2_000, 4_999]) versions.set(i, hash(i));
    versions.set(7, 'etag-"abc"-1024');
    versions.set(1, null);
    expect([0, 1, 2_000, 4_999, 7, 8].map((i) => versions.get(i))).toEqual([hash(0), undefined, hash(2_000), hash(4_999), 'etag-"abc"-1024', undefined]);
  });
});
