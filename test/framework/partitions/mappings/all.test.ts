import { describe, expect, it } from 'vitest';
import { allPartitions, dynamicKeys, multi, PartitionSubset, sessions, staticKeys, unpartitioned } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, upstreamKeys } from './mapping-contract.ts';

const days = sessions(xnys(), { start: '2026-11-02', end: '2026-11-30' });

describe('allPartitions', () => {
  it('makes every session read the one partition of an unpartitioned reference table', () => {
    const bound = allPartitions().bind(days, unpartitioned);
    expect(upstreamKeys(bound, '2026-11-20')).toEqual(['']);
    expect(downstreamKeys(bound, [''])).toHaveLength(days.size());
    expect(bound.upstreamOf(PartitionSubset.full(days.size())).missing).toEqual([]);
    expect(allPartitions().spec).toEqual({ kind: 'all' });
    expectConsistent(bound);
  });

  it('makes an unpartitioned report read every session, and any session change affect it', () => {
    const bound = allPartitions().bind(unpartitioned, days);
    expect(upstreamKeys(bound, '')).toHaveLength(days.size());
    expect(downstreamKeys(bound, ['2026-11-27'])).toEqual(['']);
    expectConsistent(bound);
  });

  it('maps an empty selection to nothing in either direction', () => {
    const bound = allPartitions().bind(days, staticKeys(['GSCO', 'JPMS']));
    expect(bound.upstreamOf(PartitionSubset.empty(days.size())).subset.isEmpty()).toBe(true);
    expect(bound.downstreamOf(PartitionSubset.empty(2)).isEmpty()).toBe(true);
  });

  it('reads the current keys of a dynamic upstream, leaving values untouched while it has none', () => {
    const files = dynamicKeys('pixelforge/files');
    const bound = allPartitions().bind(multi({ date: days, portfolio: staticKeys(['PF001']) }), files);
    const out = new Float64Array(days.size()).fill(3);
    bound.pullMax(new Float64Array(0), out);
    expect(out.every((value) => value === 3)).toBe(true);
    files.add(['a.png', 'b.png']);
    expect(upstreamKeys(bound, '2026-11-20|PF001')).toEqual(['a.png', 'b.png']);
    expectConsistent(bound);
  });
});
