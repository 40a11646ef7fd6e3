import { describe, expect, it } from 'vitest';
import { defaultMapping, dynamicKeys, multi, sessions, staticKeys, timeWindows, unpartitioned } from '../../../../framework/index.ts';
import { xnys } from '../../../../calendars/index.ts';
import { partitionErrorOf, upstreamKeys } from './mapping-contract.ts';

const calendar = xnys();
const days = sessions(calendar, { start: '2026-01-02', end: '2026-12-31' });
const portfolios = staticKeys(['PF001', 'PF002']);
const brokers = staticKeys(['GSCO', 'JPMS']);

describe('defaultMapping', () => {
  it('is identity on one key space, and on sessions of one calendar that start on different dates', () => {
    expect(defaultMapping(days, days).spec).toEqual({ kind: 'identity' });
    const later = sessions(calendar, { start: '2026-06-01', end: '2026-12-31' });
    expect(defaultMapping(days, later).spec).toEqual({ kind: 'identity' });
    expect(defaultMapping(multi({ date: days, portfolio: portfolios }), multi({ date: days, portfolio: portfolios })).spec).toEqual({
      kind: 'identity',
    });
  });

  it('reads everything when either side is unpartitioned', () => {
    expect(defaultMapping(days, unpartitioned).spec).toEqual({ kind: 'all' });
    expect(defaultMapping(unpartitioned, multi({ date: days, broker: brokers })).spec).toEqual({ kind: 'all' });
  });

  it('maps time-based definitions of different granularity by their windows', () => {
    const quarters = timeWindows({ cadence: '15-minute', start: '2026-01-01', end: '2026-01-08', timeZone: 'America/New_York' });
    const mapping = defaultMapping(days, quarters);
    expect(mapping.spec).toEqual({ kind: 'time-granularity' });
    expect(upstreamKeys(mapping.bind(days, quarters), '2026-01-02')).toHaveLength(96);
  });

  it('maps multi-partitions with identity over the dimensions they share', () => {
    const positions = multi({ date: days, portfolio: portfolios });
    const executions = multi({ date: days, broker: brokers });
    const mapping = defaultMapping(positions, executions);
    expect(mapping.spec).toEqual({ kind: 'dimensions', dimensions: { date: { kind: 'identity' } } });
    expect(upstreamKeys(mapping.bind(positions, executions), '2026-11-20|PF002')).toEqual(['2026-11-20|GSCO', '2026-11-20|JPMS']);
    const fromDays = defaultMapping(positions, days);
    expect(upstreamKeys(fromDays.bind(positions, days), '2026-11-20|PF002')).toEqual(['2026-11-20']);
    expect(defaultMapping(days, executions).spec).toEqual({ kind: 'dimensions', dimensions: { date: { kind: 'identity' } } });
  });

  it('asks for an explicit mapping when the two share nothing', () => {
    const error = partitionErrorOf(() => defaultMapping(portfolios, brokers));
    expect(error.code).toBe('invalid-mapping');
    expect(error.message).toContain('no default partition mapping from static keys PF001, PF002 (downstream) to static keys GSCO, JPMS (upstream)');
    expect(() => defaultMapping(dynamicKeys('a'), days)).toThrow(/declare one on the dependency/);
    const twoDates = multi({ trade_date: days, settle_date: days });
    expect(() => defaultMapping(twoDates, days)).toThrow(/no default partition mapping/);
  });
});
