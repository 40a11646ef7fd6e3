import { describe, expect, it } from 'vitest';
import { dynamicKeys, mapWith, PartitionSubset, sessions, staticKeys } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { downstreamKeys, expectConsistent, expectSubsetsConsistent, partitionErrorOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-09-01', end: '2026-12-31' });
const months = staticKeys(['2026-09', '2026-10', '2026-11', '2026-12']);
const sessionsOfMonth = (month: string) => calendar.sessions(`${month}-01`, `${month}-31`.replace(/-(09|11)-31$/, '-$1-30'));

describe('mapWith', () => {
  it('maps a month to its sessions through a user function, in both directions', () => {
    const mapping = mapWith({ upstreamKeys: sessionsOfMonth, name: 'sessionsOfMonth' });
    const bound = mapping.bind(months, days);
    expect(upstreamKeys(bound, '2026-11')).toEqual(calendar.sessions('2026-11-01', '2026-11-30'));
    expect(upstreamKeys(bound, '2026-11')).not.toContain('2026-11-26');
    expect(downstreamKeys(bound, ['2026-11-27', '2026-12-01'])).toEqual(['2026-11', '2026-12']);
    expect(mapping.spec).toEqual({ kind: 'function', name: 'sessionsOfMonth' });
    expect(bound.strictlyEarlier).toBe(false);
    expectConsistent(bound);
  });

  it('reports the keys the function returns that are not upstream partitions', () => {
    const bound = mapWith({ upstreamKeys: (month) => [`${month}-26`, `${month}-27`] }).bind(months, days);
    const { subset, missing } = bound.upstreamOf(PartitionSubset.full(months.size()));
    expect([...subset.indexes()].map((u) => days.keyAt(u))).toEqual(['2026-10-26', '2026-10-27', '2026-11-27']);
    expect(missing).toEqual(['2026-09-26', '2026-09-27', '2026-11-26', '2026-12-26', '2026-12-27']);
  });

  it('inverts through downstreamKeys when given, and by scanning every downstream key once otherwise', () => {
    let forward = 0;
    const counted = (month: string) => {
      forward++;
      return sessionsOfMonth(month);
    };
    const scanning = mapWith({ upstreamKeys: counted }).bind(months, days);
    expect(downstreamKeys(scanning, ['2026-10-01'])).toEqual(['2026-10']);
    expect(forward).toBe(4);
    expect(downstreamKeys(scanning, ['2026-12-31'])).toEqual(['2026-12']);
    expect(forward).toBe(4);

    forward = 0;
    let inverse = 0;
    const direct = mapWith({
      upstreamKeys: counted,
      downstreamKeys: (day) => {
        inverse++;
        return [day.slice(0, 7), '2027-01'];
      },
    }).bind(months, days);
    expect(downstreamKeys(direct, ['2026-10-01', '2026-10-02'])).toEqual(['2026-10']);
    expect([forward, inverse]).toEqual([0, 2]);
  });

  it('rebuilds its table when a dynamic downstream grows', () => {
    const batches = dynamicKeys('pixelforge/batches');
    const bound = mapWith({ upstreamKeys: (batch) => [batch.replace('batch-', '')] }).bind(batches, staticKeys(['2026-11', '2026-12']));
    batches.add(['batch-2026-11']);
    expect(upstreamKeys(bound, 'batch-2026-11')).toEqual(['2026-11']);
    batches.add(['batch-2026-12']);
    expect(downstreamKeys(bound, ['2026-12'])).toEqual(['batch-2026-12']);
    expectConsistent(bound);
  });

  it('answers few and many partitions alike from its table, and again once a dynamic side has grown', () => {
    const batches = dynamicKeys('pixelforge/runs');
    batches.add(Array.from({ length: 300 }, (_, i) => `run-${i}`));
    const hours = staticKeys(Array.from({ length: 48 }, (_, i) => `h${i}`));
    // Run n reads hours n % 50 to n % 50 + 2 of 48, so the last runs of each 50 read fewer or none.
    const bound = mapWith({ upstreamKeys: (run) => [0, 1, 2].map((k) => `h${Number(run.slice(4)) % 50 + k}`) }).bind(batches, hours);
    const runsReading = (hour: number, runs: number) =>
      Array.from({ length: runs }, (_, n) => n).filter((n) => hour - (n % 50) >= 0 && hour - (n % 50) <= 2).map((n) => `run-${n}`);
    expect(downstreamKeys(bound, ['h47'])).toEqual(runsReading(47, 300));
    expect(runsReading(47, 300)).toHaveLength(18);
    expectSubsetsConsistent(bound, { seed: 3 });
    batches.add(['run-300', 'run-301']);
    expect(downstreamKeys(bound, ['h0'])).toEqual(['run-0', 'run-50', 'run-100', 'run-150', 'run-200', 'run-250', 'run-300']);
    expectSubsetsConsistent(bound, { seed: 4 });
  });

  it('rejects a function that does not return an array of keys, naming it', () => {
    const bound = mapWith({ upstreamKeys: () => 'oops' as unknown as string[], name: 'broken' }).bind(months, days);
    const error = partitionErrorOf(() => bound.upstreamOf(PartitionSubset.full(months.size())));
    expect(error.code).toBe('invalid-mapping');
    expect(error.message).toContain('mapWith(broken): upstreamKeys must return an array of key strings');
    expect(partitionErrorOf(() => mapWith({ upstreamKeys: undefined as never })).message).toContain('upstreamKeys must be a function');
  });
});
