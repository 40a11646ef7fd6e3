import { describe, expect, it } from 'vitest';
import { multi, PartitionSubset, sessions, staticKeys, timeGranularity, timeWindows } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, partitionErrorOf, subsetOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const NY = 'America/New_York';

describe('timeGranularity', () => {
  it('reads 92, 100 and 96 quarter hours into a New York day across both daylight-saving changes', () => {
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-03-01', end: '2026-11-08', timeZone: NY });
    const daily = timeWindows({ cadence: 'daily', start: '2026-03-01', end: '2026-11-08', timeZone: NY });
    const bound = timeGranularity().bind(daily, quarters);
    const spring = upstreamKeys(bound, '2026-03-08');
    expect(spring).toHaveLength(92);
    expect(spring.slice(7, 9)).toEqual(['2026-03-08T01:45', '2026-03-08T03:00']);
    const autumn = upstreamKeys(bound, '2026-11-01');
    expect(autumn).toHaveLength(100);
    expect(autumn[0]).toBe('2026-11-01T00:00');
    expect(autumn.at(-1)).toBe('2026-11-01T23:45');
    expect(upstreamKeys(bound, '2026-11-02')).toHaveLength(96);
    expect(downstreamKeys(bound, ['2026-11-01T01:15-05:00', '2026-11-02T00:00'])).toEqual(['2026-11-01', '2026-11-02']);
    expect(bound.upstreamOf(PartitionSubset.full(daily.size())).subset.count()).toBe(quarters.size());
    expect(timeGranularity().spec).toEqual({ kind: 'time-granularity' });
  });

  it('makes a finer downstream read the coarser partition containing its start', () => {
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-03-07', end: '2026-03-10', timeZone: NY });
    const daily = timeWindows({ cadence: 'daily', start: '2026-03-07', end: '2026-03-10', timeZone: NY });
    const bound = timeGranularity().bind(quarters, daily);
    expect(upstreamKeys(bound, '2026-03-08T03:00')).toEqual(['2026-03-08']);
    expect(upstreamKeys(bound, '2026-03-08T23:45')).toEqual(['2026-03-08']);
    expect(downstreamKeys(bound, ['2026-03-08'])).toHaveLength(92);
    expectConsistent(bound);
  });

  it('reads the sessions of each Sunday-to-Saturday week, skipping Thanksgiving', () => {
    const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
    const weeks = timeWindows({ cadence: 'weekly', start: '2026-01-04', end: '2027-01-03', timeZone: NY, weekStart: 0 });
    const bound = timeGranularity().bind(weeks, days);
    expect(upstreamKeys(bound, '2026-11-22')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27']);
    expect(upstreamKeys(bound, '2026-03-08')).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);
    expect(downstreamKeys(bound, ['2026-11-27', '2026-11-30'])).toEqual(['2026-11-22', '2026-11-29']);
    expect(bound.upstreamOf(PartitionSubset.full(weeks.size())).missing).toEqual([]);
    expectConsistent(bound);
    expectConsistent(timeGranularity().bind(days, weeks), { seed: 2 });
  });

  it('reports the sessions of a week that precede the upstream start as missing', () => {
    const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
    const weeks = timeWindows({ cadence: 'weekly', start: '2025-12-21', end: '2026-01-18', timeZone: NY });
    const bound = timeGranularity().bind(weeks, days);
    const first = bound.upstreamOf(subsetOf(weeks, ['2025-12-28']));
    expect([...first.subset.indexes()].map((u) => days.keyAt(u))).toEqual(['2026-01-02']);
    expect(first.missing).toEqual(['2025-12-29', '2025-12-30', '2025-12-31']);
    const all = bound.upstreamOf(PartitionSubset.full(weeks.size()));
    expect(all.missing).toEqual(['2025-12-22', '2025-12-23', '2025-12-24', '2025-12-26', '2025-12-29', '2025-12-30', '2025-12-31']);
    expect(bound.upstreamOf(subsetOf(weeks, ['2026-01-04'])).missing).toEqual([]);
    expectConsistent(bound);
  });

  it('reports the days after the upstream end and the session containing an hour before the start', () => {
    const daily = timeWindows({ cadence: 'daily', start: '2026-12-01', end: '2026-12-30', timeZone: NY });
    const weeks = timeWindows({ cadence: 'weekly', start: '2026-12-20', end: '2027-01-03', timeZone: NY });
    expect(timeGranularity().bind(weeks, daily).upstreamOf(subsetOf(weeks, ['2026-12-27'])).missing).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    const hours = timeWindows({ cadence: 'hourly', start: '2025-12-31', end: '2026-01-03', timeZone: NY });
    const days = sessions(calendar, { start: '2026-01-02', end: '2026-01-30' });
    const bound = timeGranularity().bind(hours, days);
    expect(bound.upstreamOf(subsetOf(hours, ['2025-12-31T10:00'])).missing).toEqual(['2025-12-31']);
    expect(bound.upstreamOf(subsetOf(hours, ['2026-01-01T10:00'])).missing).toEqual([]);
    expect(upstreamKeys(bound, '2026-01-02T10:00')).toEqual(['2026-01-02']);
    expectConsistent(bound);
  });

  it('refuses definitions without a time axis', () => {
    const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
    const error = partitionErrorOf(() => timeGranularity().bind(days, staticKeys(['GSCO', 'JPMS'])));
    expect(error.code).toBe('invalid-mapping');
    expect(error.message).toContain('the upstream has none');
    const grid = multi({ date: days, portfolio: staticKeys(['PF001']) });
    expect(partitionErrorOf(() => timeGranularity().bind(grid, days)).message).toContain('dimensions({ date: timeGranularity() })');
  });
});
