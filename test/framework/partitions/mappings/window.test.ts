import { describe, expect, it } from 'vitest';
import { PartitionSubset, sessions, timeWindows, window } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, partitionErrorOf, random, subsetOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });

describe('window', () => {
  it('reads the last N sessions including the same one, skipping holidays', () => {
    const bound = window({ size: 3 }).bind(days, days);
    expect(upstreamKeys(bound, '2026-11-30')).toEqual(['2026-11-25', '2026-11-27', '2026-11-30']);
    expect(downstreamKeys(bound, ['2026-11-25'])).toEqual(['2026-11-25', '2026-11-27', '2026-11-30']);
    expect(bound.strictlyEarlier).toBe(false);
    expect(window({ size: 3 }).spec).toEqual({ kind: 'window', size: 3, end: 0 });
  });

  it('stops before the same session when end is -1, which makes it strictly earlier', () => {
    const bound = window({ size: 3, end: -1 }).bind(days, days);
    expect(upstreamKeys(bound, '2026-11-30')).toEqual(['2026-11-24', '2026-11-25', '2026-11-27']);
    expect(bound.strictlyEarlier).toBe(true);
  });

  it('reports the calendar sessions before the start that the first windows would need', () => {
    const bound = window({ size: 3 }).bind(days, days);
    const first = bound.upstreamOf(subsetOf(days, ['2026-01-02']));
    expect([...first.subset.indexes()].map((u) => days.keyAt(u))).toEqual(['2026-01-02']);
    expect(first.missing).toEqual(['2025-12-30', '2025-12-31']);
    expect(bound.upstreamOf(PartitionSubset.full(days.size())).missing).toEqual(['2025-12-30', '2025-12-31']);
    const wide = window({ size: 40 }).bind(days, days).upstreamOf(subsetOf(days, ['2026-01-05']));
    expect(wide.missing).toHaveLength(21);
    let earliest = '2026-01-02';
    for (let step = 0; step < 38; step++) earliest = calendar.previous(earliest);
    expect(wide.missing[0]).toBe(earliest);
    expect(wide.missing[19]).toBe(calendar.sessions('2025-01-02', '2025-12-31').at(-19));
    expect(wide.missing[20]).toBe('… and 18 more');
  });

  it('agrees with itself in both directions for windows of any size and end', () => {
    const small = sessions(calendar, { start: '2026-10-01', end: '2026-12-31' });
    const options = [
      { size: 1 },
      { size: 5 },
      { size: 5, end: -2 },
      { size: 4, end: 3 },
      { size: 200 },
      { size: 3, end: -100 },
    ];
    options.forEach((option, seed) => expectConsistent(window(option).bind(small, small), { seed }));
  });

  it('computes the sliding maximum of long series exactly, NaN never winning', () => {
    const hours = timeWindows({ cadence: 'hourly', start: '2024-01-01', end: '2026-01-01', timeZone: 'America/New_York' });
    const bound = window({ size: 37, end: -2 }).bind(hours, hours);
    const next = random(7);
    const values = Float64Array.from({ length: hours.size() }, () => (next() < 0.01 ? Number.NaN : Math.floor(next() * 1e6)));
    const out = new Float64Array(hours.size()).fill(-Infinity);
    bound.pullMax(values, out);
    for (const d of [0, 1, 2, 3, 38, 39, 5000, hours.size() - 1]) {
      let expected = -Infinity;
      for (let u = Math.max(0, d - 38); u <= d - 2; u++) if (values[u]! > expected) expected = values[u]!;
      expect(out[d]).toBe(expected);
    }
    const decreasing = Float64Array.from({ length: hours.size() }, (_, u) => -u);
    const lows = new Float64Array(hours.size()).fill(-Infinity);
    bound.pullMax(decreasing, lows);
    expect(lows[100]).toBe(-62);
  });

  it('rejects a size below 1 and a fractional end', () => {
    expect(partitionErrorOf(() => window({ size: 0 })).message).toContain('at least 1');
    expect(partitionErrorOf(() => window({ size: 3, end: 0.5 })).message).toContain('end must be an integer');
  });
});
