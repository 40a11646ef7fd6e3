import { describe, expect, it } from 'vitest';
import { dynamicKeys, multi, PartitionSubset, sessions, staticKeys, subsetWhere, timeWindows, unpartitioned } from '../../../../framework/index.ts';
import type { PartitionsDefinition } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { expectLaws, expectPartitionError, indexesToCheck, keysBetween } from './laws.ts';

const days = sessions(xnys(), { start: '2026-01-02', end: '2026-12-31' });
const portfolios = staticKeys(['PF001', 'PF002']);
const brokers = staticKeys(['GS', 'MS', 'JPM']);
const grid = multi({ date: days, portfolio: portfolios, broker: brokers });

/** The indexes whose keys have the given dimension values, found by reading every key. */
function bruteForce(definition: PartitionsDefinition, where: Record<string, string>): number[] {
  const names = definition.dimensions!.map((dim) => dim.name);
  const found: number[] = [];
  for (let index = 0; index < definition.size(); index++) {
    const parts = definition.keyAt(index).split('|');
    if (Object.entries(where).every(([name, value]) => parts[names.indexOf(name)] === value)) found.push(index);
  }
  return found;
}

describe('multi', () => {
  it('is the product of three dimensions, the first most significant', () => {
    expect(grid.size()).toBe(251 * 2 * 3);
    expect(keysBetween(grid, 0, 7)).toEqual([
      '2026-01-02|PF001|GS',
      '2026-01-02|PF001|MS',
      '2026-01-02|PF001|JPM',
      '2026-01-02|PF002|GS',
      '2026-01-02|PF002|MS',
      '2026-01-02|PF002|JPM',
      '2026-01-05|PF001|GS',
    ]);
    expect(grid.indexOf('2026-11-20|PF002|JPM')).toBe(days.indexOf('2026-11-20') * 6 + 5);
    expect(grid.dimensions!.map((dim) => [dim.name, dim.definition])).toEqual([
      ['date', days],
      ['portfolio', portfolios],
      ['broker', brokers],
    ]);
    expect(grid.time).toBeUndefined();
    expectLaws(grid, indexesToCheck(grid, [[0, grid.size()]]));
  });

  it('describes itself by its dimensions and carries their specs', () => {
    expect(grid.description).toBe('partitions by date × portfolio × broker');
    expect(grid.keyFormat).toBe(
      'date|portfolio|broker, where date is YYYY-MM-DD, an XNYS session from 2026-01-02 to 2026-12-31; portfolio is one of PF001, PF002; broker is one of GS, MS, JPM',
    );
    expect(grid.spec).toEqual({
      kind: 'multi',
      dimensions: [
        { name: 'date', spec: days.spec },
        { name: 'portfolio', spec: portfolios.spec },
        { name: 'broker', spec: brokers.spec },
      ],
    });
  });

  it('rejects a key with the wrong number of parts, or a bad part, naming the dimension and its format', () => {
    expectPartitionError(() => grid.indexOf('2026-11-20|PF001'), 'invalid-partition-key',
      'partitions by date × portfolio × broker: "2026-11-20|PF001" is not a partition key (it has 2 parts where 3 are joined with "|"); expected date|portfolio|broker');
    expectPartitionError(() => grid.indexOf('2026-11-26|PF001|GS'), 'invalid-partition-key',
      'dimension date expects YYYY-MM-DD, an XNYS session from 2026-01-02 to 2026-12-31, got "2026-11-26"');
    expectPartitionError(() => grid.indexOf('2026-11-20|PF001|UBS'), 'invalid-partition-key',
      'dimension broker expects one of GS, MS, JPM, got "UBS"');
    expect(grid.tryIndexOf('2026-11-20|PF001|GS|x')).toBe(-1);
    expect(grid.tryIndexOf('')).toBe(-1);
  });

  it('counts as ended the keys whose time dimension has ended: a prefix when time comes first', () => {
    const ended = Date.parse('2026-01-06T05:00:00Z'); // midnight after 2026-01-05 in New York
    expect(days.countEndedBy(ended)).toBe(2);
    expect(grid.countEndedBy(ended)).toBe(12);
    expect(grid.keyAt(11)).toBe('2026-01-05|PF002|JPM');
    const timeLast = multi({ broker: brokers, date: days });
    expect(timeLast.countEndedBy(ended)).toBe(6);
    expect(multi({ portfolio: portfolios, broker: brokers }).countEndedBy(0)).toBe(6);
  });

  it('reads the size of a dynamic dimension when asked, so the product grows with it', () => {
    const files = dynamicKeys('files');
    const byFile = multi({ file: files, region: staticKeys(['eu', 'us']) });
    expect(byFile.size()).toBe(0);
    files.add(['a', 'b']);
    expect(byFile.size()).toBe(4);
    expect(byFile.indexOf('b|us')).toBe(3);
    files.add(['c']);
    expect(byFile.indexOf('b|us')).toBe(3);
    expect(byFile.keyAt(5)).toBe('c|us');
  });

  it('rejects fewer than two dimensions, bad names, nested multis, unpartitioned dimensions and oversized products', () => {
    expectPartitionError(() => multi({ date: days }), 'invalid-partitions-definition', 'must name at least two dimensions');
    expectPartitionError(() => multi({ Date: days, portfolio: portfolios }), 'invalid-partitions-definition', 'dimension "Date" must be lower case');
    expectPartitionError(() => multi({ 'a|b': days, portfolio: portfolios }), 'invalid-partitions-definition', 'dimension "a|b"');
    expectPartitionError(() => multi({ grid, portfolio: portfolios }), 'invalid-partitions-definition',
      'partitions by grid × portfolio: dimension grid cannot itself be a multi-partitions definition');
    expectPartitionError(() => multi({ none: unpartitioned, portfolio: portfolios }), 'invalid-partitions-definition', 'dimension none cannot be unpartitioned');
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-01-01' });
    const thousand = staticKeys(Array.from({ length: 1000 }, (_, i) => `k${i}`));
    expectPartitionError(() => multi({ time: quarters, key: thousand }), 'invalid-partitions-definition',
      `${quarters.size()} × 1000 = ${quarters.size() * 1000} partitions, more than the 2147483647 a subset can index`);
  });
});

describe('subsetWhere', () => {
  it('selects one broker across all dates and portfolios as single-index runs', () => {
    const ms = subsetWhere(grid, { broker: 'MS' });
    expect(ms.count()).toBe(251 * 2);
    expect([...ms.indexes()]).toEqual(bruteForce(grid, { broker: 'MS' }));
    expect([...ms.ranges()].slice(0, 2)).toEqual([[1, 2], [4, 5]]);
  });

  it('selects one portfolio as runs of three brokers', () => {
    const pf2 = subsetWhere(grid, { portfolio: 'PF002' });
    expect([...pf2.ranges()].slice(0, 2)).toEqual([[3, 6], [9, 12]]);
    expect([...pf2.indexes()]).toEqual(bruteForce(grid, { portfolio: 'PF002' }));
  });

  it('selects one date as one contiguous range', () => {
    const day = subsetWhere(grid, { date: '2026-11-20' });
    const start = days.indexOf('2026-11-20') * 6;
    expect([...day.ranges()]).toEqual([[start, start + 6]]);
  });

  it('matches a brute-force filter for every combination of values on a 3 × 4 × 5 grid', () => {
    const small = multi({
      a: staticKeys(['a0', 'a1', 'a2']),
      b: staticKeys(['b0', 'b1', 'b2', 'b3']),
      c: staticKeys(['c0', 'c1', 'c2', 'c3', 'c4']),
    });
    const values = (name: string, count: number) => [undefined, ...Array.from({ length: count }, (_, i) => `${name}${i}`)];
    for (const a of values('a', 3)) {
      for (const b of values('b', 4)) {
        for (const c of values('c', 5)) {
          const where = Object.fromEntries(Object.entries({ a, b, c }).filter(([, v]) => v !== undefined)) as Record<string, string>;
          const subset = subsetWhere(small, where);
          expect([...subset.indexes()], JSON.stringify(where)).toEqual(bruteForce(small, where));
          expect(subset.count()).toBe(bruteForce(small, where).length);
        }
      }
    }
  });

  it('selects everything with no condition, and combines with other subsets of the same definition', () => {
    expect(subsetWhere(grid, {}).count()).toBe(grid.size());
    const gsOfPf1 = subsetWhere(grid, { broker: 'GS' }).intersect(subsetWhere(grid, { portfolio: 'PF001' }));
    expect([...gsOfPf1.indexes()]).toEqual(bruteForce(grid, { broker: 'GS', portfolio: 'PF001' }));
    const november = PartitionSubset.range(grid.size(), grid.indexOf('2026-11-02|PF001|GS'), grid.indexOf('2026-12-01|PF001|GS'));
    expect(november.intersect(subsetWhere(grid, { broker: 'JPM', portfolio: 'PF002' })).count()).toBe(20);
  });

  it('rejects an unknown dimension, a bad value and a definition without dimensions', () => {
    expectPartitionError(() => subsetWhere(grid, { desk: 'rates' }), 'invalid-partition-key',
      'partitions by date × portfolio × broker: unknown dimension "desk" in --where; the dimensions are date, portfolio, broker');
    expectPartitionError(() => subsetWhere(grid, { broker: 'UBS' }), 'invalid-partition-key',
      '--where broker="UBS" is not a key of dimension broker; expected one of GS, MS, JPM');
    expectPartitionError(() => subsetWhere(days, { date: '2026-11-20' }), 'invalid-partitions-definition',
      'XNYS sessions from 2026-01-02 to 2026-12-31: --where needs a multi-partitions definition');
  });
});
