import { describe, expect, it } from 'vitest';
import { multi, offset, PartitionSubset, previousSession, sessions, staticKeys, timeWindows, unpartitioned } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, partitionErrorOf, subsetOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });

describe('previousSession', () => {
  it('reads the session before, skipping Thanksgiving and weekends on XNYS', () => {
    const bound = previousSession().bind(days, days);
    expect(upstreamKeys(bound, '2026-11-27')).toEqual(['2026-11-25']);
    expect(upstreamKeys(bound, '2026-11-30')).toEqual(['2026-11-27']);
    expect(downstreamKeys(bound, ['2026-11-25'])).toEqual(['2026-11-27']);
    expect(downstreamKeys(bound, ['2026-11-20'])).toEqual(['2026-11-23']);
    expect(previousSession().spec).toEqual({ kind: 'offset', by: -1 });
  });

  it('reports the calendar session before the start as missing for the first session', () => {
    const bound = previousSession().bind(days, days);
    const first = bound.upstreamOf(subsetOf(days, ['2026-01-02']));
    expect(first.subset.isEmpty()).toBe(true);
    expect(first.missing).toEqual([calendar.previous('2026-01-02')]);
    expect(first.missing).toEqual(['2025-12-31']);
    const all = bound.upstreamOf(PartitionSubset.full(days.size()));
    expect(all.missing).toEqual(['2025-12-31']);
    expect(all.subset.count()).toBe(days.size() - 1);
  });

  it('is strictly earlier on one key space, so an asset may read its own previous session', () => {
    expect(previousSession().bind(days, days).strictlyEarlier).toBe(true);
    expect(offset(1).bind(days, days).strictlyEarlier).toBe(false);
    expect(offset(0).bind(days, days).strictlyEarlier).toBe(false);
    const longer = sessions(calendar, { start: '2025-06-02', end: '2026-12-31' });
    expect(previousSession().bind(days, longer).strictlyEarlier).toBe(false);
  });
});

describe('offset', () => {
  it('agrees with itself in both directions for offsets inside and beyond the key space', () => {
    const small = sessions(calendar, { start: '2026-11-02', end: '2026-12-31' });
    for (const by of [-1, -5, 0, 3, -60, 70]) expectConsistent(offset(by).bind(small, small), { seed: by + 100 });
  });

  it('walks from a downstream into an upstream that starts earlier', () => {
    const positions = sessions(calendar, { start: '2025-06-02', end: '2026-12-31' });
    const bound = previousSession().bind(days, positions);
    expect(upstreamKeys(bound, '2026-01-02')).toEqual(['2025-12-31']);
    expect(bound.upstreamOf(subsetOf(days, ['2026-01-02'])).missing).toEqual([]);
    expect(downstreamKeys(bound, ['2025-12-31', '2025-12-30'])).toEqual(['2026-01-02']);
    expectConsistent(bound);
  });

  it('lines up sessions whose ranges do not overlap through the calendar', () => {
    const january = sessions(calendar, { start: '2026-01-02', end: '2026-01-30' });
    const february = sessions(calendar, { start: '2026-02-02', end: '2026-02-27' });
    const bound = previousSession().bind(february, january);
    expect(upstreamKeys(bound, '2026-02-02')).toEqual(['2026-01-30']);
    expect(upstreamKeys(bound, '2026-02-03')).toEqual([]);
    expect(bound.upstreamOf(subsetOf(february, ['2026-02-03'])).missing).toEqual(['2026-02-02']);
    expectConsistent(bound);
  });

  it('names the sessions after the last one for a forward offset at the end', () => {
    const bound = offset(2).bind(days, days);
    expect(bound.upstreamOf(subsetOf(days, ['2026-12-30', '2026-12-31'])).missing).toEqual(['2027-01-04', '2027-01-05']);
  });

  it('names the quarter hours before the start of 15-minute windows', () => {
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-03-08', end: '2026-03-09', timeZone: 'America/New_York' });
    const bound = offset(-2).bind(quarters, quarters);
    expect(quarters.size()).toBe(92);
    expect(bound.upstreamOf(subsetOf(quarters, ['2026-03-08T00:00', '2026-03-08T00:15'])).missing).toEqual([
      '2026-03-07T23:30',
      '2026-03-07T23:45',
    ]);
    expect(upstreamKeys(bound, '2026-03-08T03:15')).toEqual(['2026-03-08T01:45']);
    expectConsistent(bound);
  });

  it('steps along static keys of one key space and describes the key before the first', () => {
    const brokers = staticKeys(['GSCO', 'JPMS', 'MSCO']);
    const bound = previousSession().bind(brokers, brokers);
    expect(upstreamKeys(bound, 'JPMS')).toEqual(['GSCO']);
    expect(bound.upstreamOf(subsetOf(brokers, ['GSCO'])).missing).toEqual(['(1 partition before GSCO, the first of static keys GSCO, JPMS, MSCO)']);
  });

  it('refuses different key spaces, multi-partitions and unpartitioned assets, saying what to use', () => {
    const notOneAxis = partitionErrorOf(() => previousSession().bind(days, staticKeys(['PF001'])));
    expect(notOneAxis.code).toBe('invalid-mapping');
    expect(notOneAxis.message).toContain('not one ordered key space');
    const daily = timeWindows({ cadence: 'daily', start: '2026-01-01', end: '2027-01-01', timeZone: 'America/New_York' });
    expect(partitionErrorOf(() => previousSession().bind(days, daily)).message).toContain('not one ordered key space');
    const grid = multi({ date: days, portfolio: staticKeys(['PF001']) });
    expect(partitionErrorOf(() => previousSession().bind(grid, grid)).message).toContain('dimensions({ date: offset(-1) })');
    expect(partitionErrorOf(() => offset(-1).bind(unpartitioned, unpartitioned)).message).toContain('allPartitions()');
    expect(partitionErrorOf(() => offset(0.5)).message).toContain('integer');
  });
});
