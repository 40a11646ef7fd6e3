// Aggregation of a partition grid into screen cells. A grid of a million partitions never becomes a
// million of anything on screen: each cell takes the worst status code of the partitions it covers.

/** A grid of status codes, column-major: partition `column × rows + row`, as multi-partition indexes run. */
export interface StatusGrid {
  readonly columns: number;
  readonly rows: number;
  /** One status code per partition (see `STATUS_CODES`). */
  readonly codes: Uint8Array;
}

/** The aggregated cells of the visible columns. */
export interface Buckets {
  readonly firstColumn: number;
  readonly columnsPerBucket: number;
  readonly rowsPerBucket: number;
  readonly bucketColumns: number;
  readonly bucketRows: number;
  /** Worst code per cell, `bucketColumn × bucketRows + bucketRow`. */
  readonly codes: Uint8Array;
}

/** Options of `bucketize`: the visible columns and how many cells fit on screen. */
export interface BucketOptions {
  readonly firstColumn: number;
  readonly columnCount: number;
  readonly maxBucketColumns: number;
  readonly maxBucketRows: number;
}

/**
 * Aggregates the columns `[firstColumn, firstColumn + columnCount)` into at most `maxBucketColumns`
 * × `maxBucketRows` cells, each the worst (highest) code it covers.
 * @example bucketize(grid, { firstColumn: 0, columnCount: 20_000, maxBucketColumns: 800, maxBucketRows: 50 })
 */
export function bucketize(grid: StatusGrid, { firstColumn, columnCount, maxBucketColumns, maxBucketRows }: BucketOptions): Buckets {
  const first = Math.max(0, Math.min(firstColumn, grid.columns));
  const count = Math.max(0, Math.min(columnCount, grid.columns - first));
  const columnsPerBucket = Math.max(1, Math.ceil(count / Math.max(1, maxBucketColumns)));
  const rowsPerBucket = Math.max(1, Math.ceil(grid.rows / Math.max(1, maxBucketRows)));
  const bucketColumns = Math.ceil(count / columnsPerBucket);
  const bucketRows = Math.ceil(grid.rows / rowsPerBucket);
  const codes = new Uint8Array(bucketColumns * bucketRows);
  for (let c = 0; c < count; c++) {
    const base = (first + c) * grid.rows;
    const bucketBase = Math.floor(c / columnsPerBucket) * bucketRows;
    for (let r = 0; r < grid.rows; r++) {
      const code = grid.codes[base + r]!;
      const cell = bucketBase + Math.floor(r / rowsPerBucket);
      if (code > codes[cell]!) codes[cell] = code;
    }
  }
  return { firstColumn: first, columnsPerBucket, rowsPerBucket, bucketColumns, bucketRows, codes };
}

/** Counts of each code among the partitions of a rectangle of the grid (inclusive bounds). */
export function countCodes(grid: StatusGrid, column0: number, column1: number, row0: number, row1: number): number[] {
  const counts: number[] = [];
  for (let c = Math.max(0, column0); c <= Math.min(column1, grid.columns - 1); c++) {
    for (let r = Math.max(0, row0); r <= Math.min(row1, grid.rows - 1); r++) {
      const code = grid.codes[c * grid.rows + r]!;
      counts[code] = (counts[code] ?? 0) + 1;
    }
  }
  return counts;
}
