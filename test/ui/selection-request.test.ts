import { describe, expect, it } from 'vitest';
import { describeMaterialize, requestsFor, type SelectionAxes } from '../../ui/src/views/selection-request.ts';

const DATES = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
const PORTFOLIOS = ['PF001', 'PF002', 'PF003'];

const byPortfolio: SelectionAxes = {
  rows: PORTFOLIOS.length,
  rowDimensions: ['portfolio'],
  timeColumns: true,
  columnKey: (c) => DATES[c],
  rowKeys: (r) => (PORTFOLIOS[r] === undefined ? undefined : [PORTFOLIOS[r]!]),
};
const sessionsOnly: SelectionAxes = { rows: 1, rowDimensions: [], timeColumns: true, columnKey: (c) => DATES[c], rowKeys: () => [] };
const KEY = 'northbridge/positions';

describe('requestsFor', () => {
  it('asks for exactly one partition key when one cell is selected', () => {
    expect(requestsFor(KEY, { column0: 4, column1: 4, row0: 1, row1: 1 }, byPortfolio)).toEqual([{ selection: KEY, force: true, partition: '2026-11-20|PF002' }]);
    expect(requestsFor('northbridge/prices', { column0: 2, column1: 2, row0: 0, row1: 0 }, sessionsOnly)).toEqual([
      { selection: 'northbridge/prices', force: true, partition: '2026-11-18' },
    ]);
  });

  it('asks for a date when one date of every row is selected', () => {
    expect(requestsFor(KEY, { column0: 1, column1: 1, row0: 0, row1: 2 }, byPortfolio)).toEqual([{ selection: KEY, force: true, partition: '2026-11-17' }]);
  });

  it('asks for a date range, filtered to the row, when a row is selected', () => {
    expect(requestsFor(KEY, { column0: 0, column1: 4, row0: 2, row1: 2 }, byPortfolio, { force: false, downstream: true })).toEqual([
      { selection: `${KEY}+`, force: false, from: '2026-11-16', to: '2026-11-20', where: { portfolio: 'PF003' } },
    ]);
  });

  it('asks for a plain date range when dates of every row are selected, and one run per row otherwise', () => {
    expect(requestsFor(KEY, { column0: 1, column1: 3, row0: 0, row1: 2 }, byPortfolio)).toEqual([{ selection: KEY, force: true, from: '2026-11-17', to: '2026-11-19' }]);
    expect(requestsFor(KEY, { column0: 1, column1: 3, row0: 0, row1: 1 }, byPortfolio).map((request) => request.where)).toEqual([{ portfolio: 'PF001' }, { portfolio: 'PF002' }]);
  });

  it('lists keys cell by cell when the columns are not dates, and refuses more runs than the cap', () => {
    const statics: SelectionAxes = { ...byPortfolio, timeColumns: false, columnKey: (c) => `K${c}` };
    expect(requestsFor(KEY, { column0: 0, column1: 1, row0: 0, row1: 0 }, statics).map((request) => request.partition)).toEqual(['K0|PF001', 'K1|PF001']);
    expect(() => requestsFor(KEY, { column0: 0, column1: 99, row0: 0, row1: 2 }, statics)).toThrow(/300 partitions without a time dimension would be 300 runs/);
  });

  it('says which key is missing instead of sending a request without it', () => {
    const unknownColumns: SelectionAxes = { ...byPortfolio, columnKey: () => undefined };
    expect(() => requestsFor(KEY, { column0: 3, column1: 3, row0: 0, row1: 0 }, unknownColumns)).toThrow('the key of column 4 is not loaded yet');
  });
});

describe('describeMaterialize', () => {
  it('reads a request as the operator would say it', () => {
    expect(describeMaterialize({ selection: KEY, from: '2026-11-16', to: '2026-11-20', where: { portfolio: 'PF001' }, force: true })).toBe(
      'northbridge/positions: 2026-11-16 … 2026-11-20 where portfolio=PF001 (forced)',
    );
  });
});
