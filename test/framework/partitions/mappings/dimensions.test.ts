import { describe, expect, it } from 'vitest';
import {
  allPartitions,
  dimensions,
  dynamicKeys,
  identity,
  multi,
  offset,
  PartitionSubset,
  previousSession,
  sessions,
  staticKeys,
  timeGranularity,
  timeWindows,
  window,
} from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { dimensionCases, mappingOf, readsByKeys } from './dimension-cases.ts';
import {
  downstreamKeys,
  expectConsistent,
  expectSubsetsConsistent,
  partitionErrorOf,
  random,
  subsetOf,
  upstreamIndexes,
  upstreamKeys,
} from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
const portfolios = staticKeys(['PF001', 'PF002', 'PF003']);
const brokerKeys = ['GSCO', 'JPMS', 'MSCO', 'BARC'];
const brokers = staticKeys(brokerKeys);
const positions = multi({ date: days, portfolio: portfolios });
const executions = multi({ date: days, broker: brokers });

describe('dimensions', () => {
  it('makes positions[date, portfolio] read executions of the same date from every broker', () => {
    const bound = dimensions({ date: identity() }).bind(positions, executions);
    expect(upstreamKeys(bound, '2026-11-20|PF001')).toEqual(['2026-11-20|GSCO', '2026-11-20|JPMS', '2026-11-20|MSCO', '2026-11-20|BARC']);
    expect(bound.strictlyEarlier).toBe(false);
    expect(dimensions({ date: identity() }).spec).toEqual({ kind: 'dimensions', dimensions: { date: { kind: 'identity' } } });
    expectConsistent(bound, { exhaustive: false });
  });

  it('maps a selective rerun of one broker file to every portfolio of that date', () => {
    const bound = dimensions({ date: identity() }).bind(positions, executions);
    expect(downstreamKeys(bound, ['2026-11-20|GSCO'])).toEqual(['2026-11-20|PF001', '2026-11-20|PF002', '2026-11-20|PF003']);
    expect(downstreamKeys(bound, ['2026-11-20|GSCO', '2026-11-23|BARC'])).toHaveLength(6);
  });

  it('makes pnl read the positions of the previous session for the same portfolio, strictly earlier', () => {
    const bound = dimensions({ date: previousSession(), portfolio: identity() }).bind(positions, positions);
    expect(upstreamKeys(bound, '2026-11-20|PF001')).toEqual(['2026-11-19|PF001']);
    expect(upstreamKeys(bound, '2026-11-27|PF003')).toEqual(['2026-11-25|PF003']);
    expect(downstreamKeys(bound, ['2026-11-25|PF002'])).toEqual(['2026-11-27|PF002']);
    expect(bound.strictlyEarlier).toBe(true);
    expect(dimensions({ date: identity(), portfolio: identity() }).bind(positions, positions).strictlyEarlier).toBe(false);
    expect(dimensions({ date: identity(), portfolio: offset(-1) }).bind(positions, positions).strictlyEarlier).toBe(true);
    expect(dimensions({ portfolio: identity() }).bind(positions, positions).strictlyEarlier).toBe(false);
    expectConsistent(bound, { exhaustive: false });
  });

  it('reports the previous session of each selected portfolio as missing on the first date', () => {
    const bound = dimensions({ date: previousSession(), portfolio: identity() }).bind(positions, positions);
    expect(bound.upstreamOf(subsetOf(positions, ['2026-01-02|PF002'])).missing).toEqual(['2025-12-31|PF002']);
    const firstDate = PartitionSubset.range(positions.size(), 0, 3);
    expect(bound.upstreamOf(firstDate).missing).toEqual(['2025-12-31|PF001', '2025-12-31|PF002', '2025-12-31|PF003']);
    expect(bound.upstreamOf(PartitionSubset.full(positions.size())).missing).toHaveLength(3);
    expect(bound.upstreamOf(subsetOf(positions, ['2026-01-05|PF001'])).missing).toEqual([]);
  });

  it('names the missing sessions of a date dimension that is not the first, for few and for all partitions', () => {
    const byPortfolio = multi({ portfolio: portfolios, date: days });
    const later = multi({ portfolio: portfolios, date: sessions(calendar, { start: '2026-03-02', end: '2026-12-31' }) });
    const bound = dimensions({ portfolio: identity(), date: previousSession() }).bind(byPortfolio, later);
    expect(bound.upstreamOf(subsetOf(byPortfolio, ['PF003|2026-01-05', 'PF003|2026-03-03'])).missing).toEqual(['PF003|2026-01-02']);
    expect(bound.upstreamOf(subsetOf(byPortfolio, ['PF002|2026-03-02'])).missing).toEqual(['PF002|2026-02-27']);
    const all = bound.upstreamOf(PartitionSubset.full(byPortfolio.size())).missing;
    expect(all.slice(0, 2)).toEqual(['PF001|2025-12-31', 'PF001|2026-01-02']);
    expect(all[20]).toMatch(/^… and \d+ more$/);
  });

  it('combines a missing date with every broker it would read, naming 20 and counting the rest', () => {
    const many = staticKeys(Array.from({ length: 30 }, (_, i) => `B${String(i).padStart(2, '0')}`));
    const feed = multi({ date: days, broker: many });
    const bound = dimensions({ date: window({ size: 2 }) }).bind(positions, feed);
    const { missing, subset } = bound.upstreamOf(subsetOf(positions, ['2026-01-02|PF001', '2026-01-02|PF002']));
    expect(subset.count()).toBe(30);
    expect(missing.slice(0, 2)).toEqual(['2025-12-31|B00', '2025-12-31|B01']);
    expect(missing[20]).toBe('… and 10 more');
  });

  it('maps to a dimension of another name and order, reducing and broadcasting the rest', () => {
    const risk = multi({ book: staticKeys(['EQ', 'FX']), trade_date: days, broker: brokers });
    const mapping = dimensions({ date: { upstream: 'trade_date', mapping: window({ size: 2, end: -1 }) } });
    const bound = mapping.bind(positions, risk);
    expect(upstreamKeys(bound, '2026-11-27|PF001')).toEqual([
      ...['EQ', 'FX'].flatMap((book) => ['2026-11-24', '2026-11-25'].flatMap((date) => brokerKeys.map((broker) => `${book}|${date}|${broker}`))),
    ].sort((a, b) => risk.indexOf(a) - risk.indexOf(b)));
    expect(mapping.spec).toEqual({
      kind: 'dimensions',
      dimensions: { date: { upstream: 'trade_date', mapping: { kind: 'window', size: 2, end: -1 } } },
    });
    expectConsistent(bound, { exhaustive: false, seed: 3 });
    expectConsistent(dimensions({ trade_date: { upstream: 'date', mapping: previousSession() } }).bind(risk, positions), { exhaustive: false, seed: 4 });
  });

  it('treats a definition that is not multi-partitioned as the one dimension its key names', () => {
    const report = dimensions({ date: identity() }).bind(days, executions);
    expect(upstreamKeys(report, '2026-11-20')).toHaveLength(4);
    expect(downstreamKeys(report, ['2026-11-20|MSCO'])).toEqual(['2026-11-20']);
    expectConsistent(report, { exhaustive: false });
    const fromDays = dimensions({ date: previousSession() }).bind(positions, days);
    expect(upstreamKeys(fromDays, '2026-11-27|PF002')).toEqual(['2026-11-25']);
    expect(fromDays.upstreamOf(subsetOf(positions, ['2026-01-02|PF001'])).missing).toEqual(['2025-12-31']);
    expectConsistent(fromDays, { exhaustive: false, seed: 5 });
  });

  it('maps a time dimension by granularity and follows a dynamic dimension as it grows', () => {
    const hours = timeWindows({ cadence: 'hourly', start: '2026-11-01', end: '2026-11-08', timeZone: 'America/New_York' });
    const files = dynamicKeys('pixelforge/sources');
    const upstream = multi({ hour: hours, source: files });
    const daily = multi({ day: timeWindows({ cadence: 'daily', start: '2026-11-01', end: '2026-11-08', timeZone: 'America/New_York' }), source: files });
    const bound = dimensions({ day: { upstream: 'hour', mapping: timeGranularity() }, source: identity() }).bind(daily, upstream);
    files.add(['s3', 'ftp']);
    expect(upstreamKeys(bound, '2026-11-01|ftp')).toHaveLength(25);
    files.add(['sftp']);
    expect(upstreamKeys(bound, '2026-11-02|sftp')).toHaveLength(24);
    expectConsistent(bound, { exhaustive: false, seed: 6 });
  });

  it('pulls maxima over 6,800 sessions × 50 portfolios exactly as forEachUpstream reads them', () => {
    const long = sessions(calendar, { start: '1999-12-01', end: '2026-12-31' });
    const fifty = staticKeys(Array.from({ length: 50 }, (_, i) => `PF${String(i + 1).padStart(3, '0')}`));
    const grid = multi({ date: long, portfolio: fifty });
    expect(grid.size()).toBeGreaterThan(340_000);
    const next = random(11);
    const values = Float64Array.from({ length: grid.size() }, () => Math.floor(next() * 1e9));
    for (const mapping of [
      dimensions({ date: previousSession(), portfolio: identity() }),
      dimensions({ date: window({ size: 5 }) }),
      dimensions({ date: identity(), portfolio: allPartitions() }),
    ]) {
      const bound = mapping.bind(grid, grid);
      const out = new Float64Array(grid.size()).fill(-Infinity);
      bound.pullMax(values, out);
      for (let d = 0; d < grid.size(); d += 97) {
        let expected = -Infinity;
        bound.forEachUpstream(d, (u) => {
          if (values[u]! > expected) expected = values[u]!;
        });
        expect(out[d]).toBe(expected);
      }
    }
    const rerun = dimensions({ date: previousSession(), portfolio: identity() }).bind(grid, grid);
    const affected = rerun.downstreamOf(subsetOf(grid, ['2026-11-25|PF007']));
    expect([...affected.indexes()].map((d) => grid.keyAt(d))).toEqual(['2026-11-27|PF007']);
    expect(upstreamIndexes(rerun, grid.indexOf('2026-11-27|PF007')).map((u) => grid.keyAt(u))).toEqual(['2026-11-25|PF007']);
  });

  it('reads what the per-dimension mappings give on every key, whether by index arithmetic or not', () => {
    for (const example of dimensionCases) {
      const bound = mappingOf(example.entries).bind(example.downstream, example.upstream);
      const expected = readsByKeys(example);
      for (let d = 0; d < example.downstream.size(); d++) {
        expect(upstreamIndexes(bound, d), `${example.name}: ${example.downstream.keyAt(d)}`).toEqual(expected(d));
      }
      expect(upstreamIndexes(bound, -1)).toEqual([]);
      expect(upstreamIndexes(bound, example.downstream.size())).toEqual([]);
    }
  });

  it('reads nothing before the first session or past the last broker when dimensions are shifted', () => {
    const trades = multi({ date: days, portfolio: portfolios, broker: brokers });
    const bound = dimensions({ date: previousSession(), portfolio: identity(), broker: offset(1) }).bind(trades, trades);
    expect(upstreamKeys(bound, '2026-01-02|PF002|JPMS')).toEqual([]);
    expect(upstreamKeys(bound, '2026-01-05|PF002|JPMS')).toEqual(['2026-01-02|PF002|MSCO']);
    expect(upstreamKeys(bound, '2026-11-27|PF003|MSCO')).toEqual(['2026-11-25|PF003|BARC']);
    expect(upstreamKeys(bound, '2026-11-27|PF003|BARC')).toEqual([]);
    expect(upstreamKeys(bound, '2026-12-31|PF003|BARC')).toEqual([]);
    const middle = dimensions({ date: identity(), portfolio: offset(-1), broker: identity() }).bind(trades, trades);
    expect(upstreamKeys(middle, '2026-11-27|PF001|GSCO')).toEqual([]);
    expect(upstreamKeys(middle, '2026-11-27|PF002|GSCO')).toEqual(['2026-11-27|PF001|GSCO']);
    expect(middle.strictlyEarlier).toBe(true);
    expect(bound.strictlyEarlier).toBe(true);
  });

  it('answers subsets of a few partitions exactly as large ones, on every kind of dimension edge', () => {
    dimensionCases.forEach((example, seed) => {
      expectSubsetsConsistent(mappingOf(example.entries).bind(example.downstream, example.upstream), { seed });
    });
  });

  it('re-reads a dynamic dimension once keys are added, since they move the indexes of later dates', () => {
    const sources = dynamicKeys('pixelforge/sources');
    sources.add(['s1', 's2']);
    const files = multi({ date: days, source: sources });
    const bound = dimensions({ date: previousSession(), source: identity() }).bind(files, files);
    const byDate = dimensions({ date: identity() }).bind(files, days);
    expect(upstreamKeys(bound, '2026-11-20|s2')).toEqual(['2026-11-19|s2']);
    expect(downstreamKeys(bound, ['2026-11-19|s2'])).toEqual(['2026-11-20|s2']);
    expect(downstreamKeys(byDate, ['2026-11-19'])).toEqual(['2026-11-19|s1', '2026-11-19|s2']);
    sources.add(['s3']);
    expect(upstreamKeys(bound, '2026-11-20|s2')).toEqual(['2026-11-19|s2']);
    expect(upstreamKeys(bound, '2026-12-31|s3')).toEqual(['2026-12-30|s3']);
    expect(downstreamKeys(bound, ['2026-11-19|s3'])).toEqual(['2026-11-20|s3']);
    expect(downstreamKeys(byDate, ['2026-11-19'])).toEqual(['2026-11-19|s1', '2026-11-19|s2', '2026-11-19|s3']);
    expectSubsetsConsistent(bound, { seed: 7 });
  });

  it('maps one re-sent partition of a 340,000-partition grid to the few it affects', () => {
    const long = sessions(calendar, { start: '1999-12-01', end: '2026-12-31' });
    const fifty = staticKeys(Array.from({ length: 50 }, (_, i) => `PF${String(i + 1).padStart(3, '0')}`));
    const grid = multi({ date: long, portfolio: fifty });
    const self = dimensions({ date: previousSession(), portfolio: identity() }).bind(grid, grid);
    const resent = subsetOf(grid, ['2026-11-25|PF007', '2026-12-30|PF050']);
    expect([...self.downstreamOf(resent).indexes()].map((d) => grid.keyAt(d))).toEqual(['2026-11-27|PF007', '2026-12-31|PF050']);
    expect([...self.upstreamOf(subsetOf(grid, ['2026-11-27|PF007'])).subset.indexes()].map((u) => grid.keyAt(u))).toEqual([
      '2026-11-25|PF007',
    ]);
    expect(self.upstreamOf(subsetOf(grid, ['1999-12-01|PF003'])).missing).toEqual(['1999-11-30|PF003']);
    const fromDays = dimensions({ date: identity() }).bind(grid, long);
    const affected = fromDays.downstreamOf(subsetOf(long, ['2026-11-25']));
    expect([...affected.ranges()]).toEqual([[grid.indexOf('2026-11-25|PF001'), grid.indexOf('2026-11-25|PF050') + 1]]);
    const toDays = dimensions({ date: identity() }).bind(long, grid);
    expect([...toDays.downstreamOf(subsetOf(grid, ['2026-11-25|PF001', '2026-11-25|PF050', '2026-11-27|PF002'])).indexes()]).toEqual([
      long.indexOf('2026-11-25'),
      long.indexOf('2026-11-27'),
    ]);
  });

  it('refuses unknown dimensions, two dimensions on one target, and a dimension mapping that does not apply', () => {
    const unknown = partitionErrorOf(() => dimensions({ desk: identity() }).bind(positions, executions));
    expect(unknown.code).toBe('invalid-mapping');
    expect(unknown.message).toContain('the downstream has no dimension desk; its dimensions are date, portfolio');
    expect(partitionErrorOf(() => dimensions({ portfolio: identity() }).bind(positions, executions)).message).toContain(
      'the upstream has no dimension portfolio',
    );
    const twice = dimensions({ date: identity(), portfolio: { upstream: 'date', mapping: identity() } });
    expect(partitionErrorOf(() => twice.bind(positions, executions)).message).toContain('two downstream dimensions map to the upstream dimension date');
    const inner = partitionErrorOf(() => dimensions({ date: { upstream: 'broker', mapping: previousSession() } }).bind(positions, executions));
    expect(inner.message).toContain('cannot map dimension date');
    expect(inner.message).toContain('not one ordered key space');
    expect(partitionErrorOf(() => dimensions({ date: identity(), portfolio: identity() }).bind(days, positions)).message).toContain(
      'takes one entry',
    );
  });
});
