import { describe, expect, it } from 'vitest';
import { dynamicKeys, identity, multi, PartitionSubset, sessions, staticKeys, timeWindows } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, expectSubsetsConsistent, partitionErrorOf, subsetOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });

describe('identity', () => {
  it('reads the partition with the same key on one key space, in both directions', () => {
    const bound = identity().bind(days, sessions(calendar, { start: '2026-01-02', end: '2026-12-31' }));
    expect(upstreamKeys(bound, '2026-11-20')).toEqual(['2026-11-20']);
    expect(downstreamKeys(bound, ['2026-11-20', '2026-11-27'])).toEqual(['2026-11-20', '2026-11-27']);
    expect(bound.strictlyEarlier).toBe(false);
    expect(identity().spec).toEqual({ kind: 'identity' });
    expectConsistent(bound);
  });

  it('reports the downstream sessions before a later-starting upstream as missing, naming 20 and counting the rest', () => {
    const positions = sessions(calendar, { start: '2026-03-02', end: '2026-12-31' });
    const bound = identity().bind(days, positions);
    expect(upstreamKeys(bound, '2026-11-20')).toEqual(['2026-11-20']);
    expect(bound.upstreamOf(subsetOf(days, ['2026-02-27'])).missing).toEqual(['2026-02-27']);
    const { subset, missing } = bound.upstreamOf(PartitionSubset.full(days.size()));
    const before = days.indexOf('2026-03-02');
    expect(subset.count()).toBe(positions.size());
    expect(missing.slice(0, 3)).toEqual(['2026-01-02', '2026-01-05', '2026-01-06']);
    expect(missing).toHaveLength(21);
    expect(missing[20]).toBe(`… and ${before - 20} more`);
    expect(downstreamKeys(bound, ['2026-03-02'])).toEqual(['2026-03-02']);
    expectConsistent(bound);
  });

  it('maps static keys by key and reports downstream keys the upstream lacks', () => {
    const bound = identity().bind(staticKeys(['PF001', 'PF002', 'PF009']), staticKeys(['PF003', 'PF002', 'PF001']));
    expect(upstreamKeys(bound, 'PF001')).toEqual(['PF001']);
    const all = bound.upstreamOf(PartitionSubset.full(3));
    expect([...all.subset.indexes()]).toEqual([1, 2]);
    expect(all.missing).toEqual(['PF009']);
    expect(downstreamKeys(bound, ['PF003'])).toEqual([]);
    expect(downstreamKeys(bound, ['PF001', 'PF002'])).toEqual(['PF001', 'PF002']);
    expectConsistent(bound);
  });

  it('follows dynamic keys as they are added on either side', () => {
    const downstream = dynamicKeys('pixelforge/metadata');
    const upstream = dynamicKeys('pixelforge/files');
    const bound = identity().bind(downstream, upstream);
    downstream.add(['a.png', 'b.png']);
    upstream.add(['b.png']);
    expect(bound.upstreamOf(PartitionSubset.full(2)).missing).toEqual(['a.png']);
    upstream.add(['c.png', 'a.png']);
    expect(upstreamKeys(bound, 'a.png')).toEqual(['a.png']);
    expect(downstreamKeys(bound, ['c.png'])).toEqual([]);
    expectConsistent(bound);
  });

  it('maps multi-partitions over different date ranges key by key', () => {
    const portfolios = staticKeys(['PF001', 'PF002']);
    const pnl = multi({ date: sessions(calendar, { start: '2026-11-02', end: '2026-11-30' }), portfolio: portfolios });
    const positions = multi({ date: sessions(calendar, { start: '2026-11-16', end: '2026-12-31' }), portfolio: portfolios });
    const bound = identity().bind(pnl, positions);
    expect(upstreamKeys(bound, '2026-11-20|PF002')).toEqual(['2026-11-20|PF002']);
    expect(bound.upstreamOf(subsetOf(pnl, ['2026-11-13|PF001'])).missing).toEqual(['2026-11-13|PF001']);
    expectConsistent(bound);
  });

  it('looks up a few keys of a large key space as exactly as many, in both directions', () => {
    const many = (from: number) => staticKeys(Array.from({ length: 5000 }, (_, i) => `K${String(from + i).padStart(5, '0')}`));
    const bound = identity().bind(many(0), many(1000));
    expect(upstreamKeys(bound, 'K04999')).toEqual(['K04999']);
    expect(downstreamKeys(bound, ['K05999', 'K01000'])).toEqual(['K01000']);
    expect(bound.upstreamOf(subsetOf(bound.downstream, ['K00999', 'K02000'])).missing).toEqual(['K00999']);
    expectSubsetsConsistent(bound, { seed: 2 });
  });

  it('refuses key spaces of different kinds or cadences, saying which mapping to use', () => {
    const wrongKind = partitionErrorOf(() => identity().bind(days, staticKeys(['PF001'])));
    expect(wrongKind.code).toBe('invalid-mapping');
    expect(wrongKind.message).toContain('different kinds (sessions and static)');
    const hourly = timeWindows({ cadence: 'hourly', start: '2026-01-01', end: '2026-02-01' });
    const daily = timeWindows({ cadence: 'daily', start: '2026-01-01', end: '2026-02-01' });
    expect(partitionErrorOf(() => identity().bind(daily, hourly)).message).toContain('use timeGranularity()');
  });
});
