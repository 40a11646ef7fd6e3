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
import { downstreamKeys, expectConsistent, partitionErrorOf, random, subsetOf, upstreamIndexes, upstreamKeys } from './mapping-contract.ts';

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
