// The partition picture's data: statuses from /partitions/grid as one byte per partition, and the
// axes' labels. Dimension keys come with /partitions when a dimension has at most 1,000 keys; the
// keys of a longer first dimension (18,000 sessions) are looked up by index through the
// partitions page, only for the labels on screen, and cached.
import type { AssetDetail, PartitionGrid, PartitionsResponse } from '../../../server/api-types.ts';
import { assetPath, getJson } from '../api.ts';
import { statusCode } from '../status.ts';
import type { StatusGrid } from './grid-buckets.ts';
import type { GridLabels } from './partition-grid.ts';

/** The grid characters of /partitions/grid, as status codes. */
const CODE_OF_CHAR: Readonly<Record<string, number>> = {
  f: statusCode('fresh'),
  s: statusCode('stale'),
  m: statusCode('missing'),
  x: statusCode('failed'),
  r: statusCode('running'),
  '-': statusCode('not-due'),
};

/** An asset's partitions as the picture needs them. */
export interface PartitionModel {
  readonly partitions: PartitionsResponse;
  readonly grid: StatusGrid;
  readonly labels: GridLabels;
  /** Dimension names: the first is the columns, the rest the rows. */
  readonly columnDimension: string;
  readonly rowDimensions: readonly string[];
  /** Whether the first dimension is a time axis (sessions, time windows), so dates select ranges. */
  readonly timeColumns: boolean;
  /** The keys of a row, one per row dimension. */
  rowKeys(row: number): string[] | undefined;
  /** The key of a column, when known (undefined until looked up). */
  columnKey(column: number): string | undefined;
  /** Looks the keys of columns up; resolves when they are cached. */
  resolveColumns(columns: readonly number[]): Promise<void>;
}

const MAX_PAGE = 1000;

/**
 * Fetches an asset's partition statuses and labels. `onLabels` runs when looked-up column keys
 * arrive, so the picture can redraw with them.
 */
export async function loadPartitionModel(asset: AssetDetail, signal: AbortSignal, onLabels: () => void = () => undefined): Promise<PartitionModel> {
  const path = `/api/assets/${assetPath(asset.key)}/partitions`;
  // The first page (oldest first) names the dimensions, counts the partitions due and labels the first columns.
  const partitions = await getJson<PartitionsResponse>(path, { order: 'asc', limit: MAX_PAGE, maxRanges: 1 }, signal);
  const [columnDim, ...rowDims] = partitions.dimensions;
  if (columnDim === undefined) throw new Error(`${asset.key}: the server listed no partition dimensions`);
  const rows = rowDims.reduce((product, dim) => product * dim.size, 1);
  const columns = Math.ceil(partitions.expected / Math.max(1, rows));
  const count = columns * rows;
  const gridPage = count === 0 ? undefined : await getJson<PartitionGrid>(`${path}/grid`, { offset: 0, limit: count }, signal);
  const codes = new Uint8Array(count);
  const text = gridPage?.codes ?? '';
  for (let i = 0; i < count; i++) codes[i] = CODE_OF_CHAR[text[i] ?? '-'] ?? 0;

  const columnKeys = new Map<number, string>();
  const headOf = (partition: string) => (rowDims.length === 0 ? partition : partition.split('|')[0]!);
  if (columnDim.keys !== null) columnDim.keys.forEach((key, index) => columnKeys.set(index, key));
  for (const item of partitions.page.items) if (item.index % Math.max(1, rows) === 0) columnKeys.set(item.index / Math.max(1, rows), headOf(item.partition));

  const pending = new Map<number, Promise<void>>();
  // Labels asked for while the user zooms or pans quickly are looked up only for the view they
  // settle on: the columns asked for in the last burst of calls, 150 ms after it.
  let wanted = new Set<number>();
  let lastAsked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const want = (column: number) => {
    const now = performance.now();
    if (now - lastAsked > 50) wanted = new Set();
    lastAsked = now;
    wanted.add(column);
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (signal.aborted) return;
      for (const index of wanted) void lookUp(index);
    }, 150);
  };
  const lookUp = (column: number): Promise<void> => {
    if (columnKeys.has(column) || column < 0 || column >= columns) return Promise.resolve();
    let found = pending.get(column);
    if (found === undefined) {
      found = getJson<PartitionsResponse>(path, { order: 'asc', offset: column * rows, limit: 1, maxRanges: 1 }, signal).then(
        (page) => {
          const item = page.page.items[0];
          if (item !== undefined) columnKeys.set(column, headOf(item.partition));
          pending.delete(column);
          onLabels();
        },
        () => void pending.delete(column),
      );
      pending.set(column, found);
    }
    return found;
  };

  const rowKeys = (row: number): string[] | undefined => {
    const keys: string[] = [];
    let rest = row;
    for (let k = rowDims.length - 1; k >= 0; k--) {
      const dim = rowDims[k]!;
      const key = dim.keys?.[rest % dim.size];
      if (key === undefined) return undefined;
      keys.unshift(key);
      rest = Math.floor(rest / dim.size);
    }
    return keys;
  };
  const spec = asset.partitionsSpec as { kind?: string; dimensions?: { spec: { kind?: string } }[] };
  const firstKind = spec.kind === 'multi' ? spec.dimensions?.[0]?.spec.kind : spec.kind;

  return {
    partitions,
    grid: { columns, rows: Math.max(1, rows), codes },
    columnDimension: columnDim.name,
    rowDimensions: rowDims.map((dim) => dim.name),
    timeColumns: firstKind === 'sessions' || firstKind === 'time-window',
    labels: {
      columnName: columnDim.name,
      rowName: rowDims.map((dim) => dim.name).join('|') || asset.key.slice(asset.key.lastIndexOf('/') + 1),
      column: (index) => {
        const key = columnKeys.get(index);
        if (key !== undefined) return key;
        want(index);
        return `#${index + 1}`;
      },
      row: (index) => rowKeys(index)?.join('|') ?? (rowDims.length === 0 ? 'all' : `#${index + 1}`),
    },
    rowKeys,
    columnKey: (column) => columnKeys.get(column),
    resolveColumns: async (list) => void (await Promise.all(list.map(lookUp))),
  };
}
