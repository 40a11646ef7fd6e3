// What a selection on the partition grid asks the server to run: one cell is one partition key,
// one date of every row is that date, a range of dates is from/to, a row is from/to filtered to
// the row's keys. Dimensions without time can only be picked cell by cell.
import type { MaterializeRequest } from '../../../server/api-types.ts';
import type { GridSelection } from './partition-grid.ts';

/** The parts of a partition model a request is built from. */
export interface SelectionAxes {
  readonly rows: number;
  readonly rowDimensions: readonly string[];
  readonly timeColumns: boolean;
  columnKey(column: number): string | undefined;
  rowKeys(row: number): string[] | undefined;
}

/** At most this many runs are launched for one selection. */
const MAX_REQUESTS = 25;

/**
 * The materialize requests for a grid selection; throws an Error naming the problem when the
 * selection cannot be expressed (keys not loaded, too many runs).
 * @example requestsFor('northbridge/positions', { column0: 4, column1: 4, row0: 0, row1: 0 }, axes, { force: true })
 * // [{ selection: 'northbridge/positions', partition: '2026-11-20|PF001', force: true }]
 */
export function requestsFor(asset: string, selection: GridSelection, axes: SelectionAxes, { force = true, downstream = false } = {}): MaterializeRequest[] {
  const base = { selection: downstream ? `${asset}+` : asset, force };
  const column = (index: number) => {
    const key = axes.columnKey(index);
    if (key === undefined) throw new Error(`the key of column ${index + 1} is not loaded yet; try again in a moment`);
    return key;
  };
  const row = (index: number) => {
    const keys = axes.rowKeys(index);
    if (keys === undefined) throw new Error(`the keys of row ${index + 1} are unknown (a dimension with more than 1,000 keys); type the partition instead`);
    return keys;
  };
  const where = (index: number) => Object.fromEntries(axes.rowDimensions.map((name, k) => [name, row(index)[k]!]));
  const cell = (c: number, r: number) => [column(c), ...(axes.rowDimensions.length === 0 ? [] : row(r))].join('|');
  const { column0, column1, row0, row1 } = selection;
  const allRows = row0 === 0 && row1 === axes.rows - 1;
  const cells = (column1 - column0 + 1) * (row1 - row0 + 1);

  if (cells === 1) return [{ ...base, partition: cell(column0, row0) }];
  if (!axes.timeColumns) {
    if (cells > MAX_REQUESTS) throw new Error(`${cells} partitions without a time dimension would be ${cells} runs; select at most ${MAX_REQUESTS}`);
    const requests: MaterializeRequest[] = [];
    for (let c = column0; c <= column1; c++) for (let r = row0; r <= row1; r++) requests.push({ ...base, partition: cell(c, r) });
    return requests;
  }
  const from = day(column(column0));
  const to = day(column(column1));
  if (allRows) return [column0 === column1 && from === column(column0) ? { ...base, partition: from } : { ...base, from, to }];
  const rowCount = row1 - row0 + 1;
  if (rowCount > MAX_REQUESTS) throw new Error(`${rowCount} rows would be ${rowCount} runs; select one row, at most ${MAX_REQUESTS} rows, or every row`);
  const requests: MaterializeRequest[] = [];
  for (let r = row0; r <= row1; r++) requests.push({ ...base, from, to, where: where(r) });
  return requests;
}

/** The date of a time key: `2026-11-20T14:15` → `2026-11-20`. */
function day(key: string): string {
  return key.slice(0, 10);
}

/**
 * A request in words, for the confirmation line.
 * @example describeMaterialize({ selection: 'a', from: '2026-11-16', to: '2026-11-20', where: { portfolio: 'PF001' } })
 * // 'a: 2026-11-16 … 2026-11-20 where portfolio=PF001'
 */
export function describeMaterialize(request: MaterializeRequest): string {
  const what =
    request.partition !== undefined
      ? request.partition
      : `${request.from ?? '…'} … ${request.to ?? '…'}${request.where ? ` where ${Object.entries(request.where).map(([n, v]) => `${n}=${v}`).join(', ')}` : ''}`;
  return `${request.selection}: ${what}${request.force ? ' (forced)' : ''}`;
}
