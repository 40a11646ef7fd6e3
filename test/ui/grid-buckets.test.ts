import { describe, expect, it } from 'vitest';
import { STATUS_CODES, statusCode } from '../../ui/src/status.ts';
import { bucketize, countCodes, type StatusGrid } from '../../ui/src/views/grid-buckets.ts';

const FRESH = statusCode('fresh');
const MISSING = statusCode('missing');
const STALE = statusCode('stale');
const FAILED = statusCode('failed');

/** A grid of `columns` dates × `rows` portfolios, fresh except the given cells. */
function grid(columns: number, rows: number, cells: Record<string, number> = {}): StatusGrid {
  const codes = new Uint8Array(columns * rows).fill(FRESH);
  for (const [at, code] of Object.entries(cells)) {
    const [c, r] = at.split(',').map(Number);
    codes[c! * rows + r!] = code;
  }
  return { columns, rows, codes };
}

describe('status codes', () => {
  it('rank failed above running, stale and missing, so an aggregated cell shows the worst', () => {
    expect(STATUS_CODES.indexOf('failed')).toBeGreaterThan(STATUS_CODES.indexOf('running'));
    expect(STATUS_CODES.indexOf('stale')).toBeGreaterThan(STATUS_CODES.indexOf('missing'));
    expect(STATUS_CODES.indexOf('missing')).toBeGreaterThan(STATUS_CODES.indexOf('fresh'));
    expect(statusCode('nonsense')).toBe(MISSING);
  });
});

describe('bucketize', () => {
  it('keeps one cell per partition when the columns fit', () => {
    const buckets = bucketize(grid(10, 3, { '4,1': STALE }), { firstColumn: 0, columnCount: 10, maxBucketColumns: 100, maxBucketRows: 10 });
    expect(buckets).toMatchObject({ columnsPerBucket: 1, rowsPerBucket: 1, bucketColumns: 10, bucketRows: 3 });
    expect(buckets.codes[4 * 3 + 1]).toBe(STALE);
    expect([...buckets.codes].filter((code) => code !== FRESH)).toEqual([STALE]);
  });

  it('folds 200,000 dates × 5 portfolios (a million partitions) into the screen width, worst status per cell', () => {
    const big = grid(200_000, 5, { '123456,2': FAILED, '5,0': MISSING });
    const buckets = bucketize(big, { firstColumn: 0, columnCount: 200_000, maxBucketColumns: 800, maxBucketRows: 100 });
    expect(buckets.columnsPerBucket).toBe(250);
    expect(buckets.bucketColumns).toBe(800);
    expect(buckets.codes.length).toBe(800 * 5);
    expect(buckets.codes[Math.floor(123456 / 250) * 5 + 2]).toBe(FAILED);
    expect(buckets.codes[0]).toBe(MISSING);
    expect([...buckets.codes].filter((code) => code !== FRESH)).toHaveLength(2);
  });

  it('aggregates rows too when there are more rows than fit', () => {
    const buckets = bucketize(grid(4, 1000, { '1,999': STALE }), { firstColumn: 0, columnCount: 4, maxBucketColumns: 10, maxBucketRows: 100 });
    expect(buckets).toMatchObject({ rowsPerBucket: 10, bucketRows: 100 });
    expect(buckets.codes[1 * 100 + 99]).toBe(STALE);
  });

  it('covers only the visible window of columns, clamped to the grid', () => {
    const g = grid(100, 2, { '10,0': FAILED, '60,1': STALE });
    const view = bucketize(g, { firstColumn: 50, columnCount: 20, maxBucketColumns: 100, maxBucketRows: 10 });
    expect(view).toMatchObject({ firstColumn: 50, bucketColumns: 20 });
    expect(view.codes[10 * 2 + 1]).toBe(STALE);
    expect([...view.codes]).not.toContain(FAILED);
    expect(bucketize(g, { firstColumn: 95, columnCount: 20, maxBucketColumns: 100, maxBucketRows: 10 }).bucketColumns).toBe(5);
  });
});

describe('countCodes', () => {
  it('counts each status in a rectangle, bounds included', () => {
    const counts = countCodes(grid(10, 5, { '2,1': STALE, '3,4': FAILED, '9,0': FAILED }), 2, 3, 0, 4);
    expect(counts[FRESH]).toBe(8);
    expect(counts[STALE]).toBe(1);
    expect(counts[FAILED]).toBe(1);
  });
});
