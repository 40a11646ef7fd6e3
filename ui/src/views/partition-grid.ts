// The partition health heat map: first dimension (dates) across, the other dimensions down, one
// canvas. Columns beyond what fits are aggregated (worst status wins), so a million partitions draw
// as a few thousand rectangles. Ctrl+wheel or the buttons zoom, the slider pans, and when the grid
// is selectable a click picks one cell, a row label a row, the date axis a date, and a drag a range.
import { el } from '../dom.ts';
import { STATUS_CODES, statusColour } from '../status.ts';
import { bucketize, countCodes, type Buckets, type StatusGrid } from './grid-buckets.ts';
import { legend } from './legend.ts';

/** Names and labels of the grid's axes. */
export interface GridLabels {
  /** What a column is, e.g. `date`. */
  readonly columnName: string;
  /** What a row is, e.g. `portfolio`. */
  readonly rowName: string;
  column(index: number): string;
  row(index: number): string;
}

/** A rectangle of partitions, inclusive on both axes. */
export interface GridSelection {
  readonly column0: number;
  readonly column1: number;
  readonly row0: number;
  readonly row1: number;
}

/** Options of `createPartitionGrid`. */
export interface PartitionGridOptions {
  readonly grid: StatusGrid;
  readonly labels: GridLabels;
  /** Lets the user select partitions; `onSelect` hears every change. */
  readonly onSelect?: (selection: GridSelection | undefined) => void;
}

/** The mounted grid. */
export interface PartitionGridView {
  readonly element: HTMLElement;
  /** Redraws with new statuses (same shape or not). */
  update(grid: StatusGrid): void;
  select(selection: GridSelection | undefined): void;
  dispose(): void;
}

const GUTTER = 76;
const AXIS = 24;
const TOP = 2;
const MAX_ROW_HEIGHT = 18;
const MAX_HEIGHT = 320;
const MIN_CELL = 2;

/**
 * Draws a status heat map of a two-dimensional (or higher) partitions definition.
 * @example createPartitionGrid({ grid, labels, onSelect: (s) => console.log(s) }).element
 */
export function createPartitionGrid({ grid: initial, labels, onSelect }: PartitionGridOptions): PartitionGridView {
  let grid = initial;
  let first = 0;
  let count = grid.columns;
  let selection: GridSelection | undefined;
  let buckets: Buckets | undefined;
  let drag: { column: number; row: number; axis: 'cell' | 'row' | 'column' } | undefined;

  const canvas = el('canvas', { class: 'grid-canvas', role: 'img', 'data-testid': 'partition-grid' });
  const tooltip = el('div', { class: 'tooltip', hidden: true });
  const caption = el('span', { class: 'grid-caption' });
  const slider = el('input', { type: 'range', min: 0, max: 0, value: 0, class: 'grid-pan', 'aria-label': 'pan' });
  const zoom = (factor: number, anchor = 0.5) => {
    const next = Math.max(Math.min(grid.columns, 7), Math.min(grid.columns, Math.round(count * factor)));
    first = clampFirst(Math.round(first + (count - next) * anchor), next);
    count = next;
    draw();
  };
  const controls = el(
    'div',
    { class: 'grid-controls' },
    el('button', { type: 'button', title: 'zoom in', onclick: () => zoom(0.5) }, '+'),
    el('button', { type: 'button', title: 'zoom out', onclick: () => zoom(2) }, '−'),
    el('button', { type: 'button', title: 'show everything', onclick: () => ((first = 0), (count = grid.columns), draw()) }, 'all'),
    slider,
    caption,
  );
  const notes = [
    'ctrl+wheel or +/− to zoom',
    ...(onSelect === undefined ? [] : ['select: click a cell, a row label or a date; drag for a range']),
  ];
  const element = el('div', { class: 'grid-wrap' }, controls, el('div', { class: 'grid-stage' }, canvas, tooltip), legend(STATUS_CODES, ...notes));

  const clampFirst = (value: number, span = count) => Math.max(0, Math.min(value, grid.columns - span));
  const area = () => {
    const width = Math.max(50, canvas.clientWidth - GUTTER);
    const rowHeight = Math.max(1, Math.min(MAX_ROW_HEIGHT, Math.floor(MAX_HEIGHT / Math.max(1, grid.rows))));
    return { width, rowHeight, height: Math.min(MAX_HEIGHT, Math.max(rowHeight * grid.rows, 1)) };
  };

  function draw(): void {
    const { width, height } = area();
    const ratio = window.devicePixelRatio || 1;
    const cssHeight = height + AXIS + 4;
    canvas.style.height = `${cssHeight}px`;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    const context = canvas.getContext('2d');
    if (context === null) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, canvas.clientWidth, cssHeight);
    buckets = bucketize(grid, {
      firstColumn: first,
      columnCount: count,
      maxBucketColumns: Math.floor(width / MIN_CELL),
      maxBucketRows: Math.floor(height / MIN_CELL),
    });
    const cellWidth = width / buckets.bucketColumns;
    const cellHeight = height / buckets.bucketRows;
    // The geometry, for tools and tests that point at a cell.
    Object.assign(canvas.dataset, {
      columns: String(grid.columns),
      rows: String(grid.rows),
      firstColumn: String(buckets.firstColumn),
      columnsPerCell: String(buckets.columnsPerBucket),
      rowsPerCell: String(buckets.rowsPerBucket),
      left: String(GUTTER),
      top: String(TOP),
      cellWidth: String(cellWidth),
      cellHeight: String(cellHeight),
    });
    const gap = cellWidth >= 6 && cellHeight >= 6 ? 1 : 0;
    const colours = STATUS_CODES.map((status) => statusColour(status));
    for (let bc = 0; bc < buckets.bucketColumns; bc++) {
      for (let br = 0; br < buckets.bucketRows; br++) {
        context.fillStyle = colours[buckets.codes[bc * buckets.bucketRows + br]!] ?? '#ffffff';
        context.fillRect(GUTTER + bc * cellWidth, TOP + br * cellHeight, cellWidth - gap + (gap === 0 ? 0.5 : 0), cellHeight - gap);
      }
    }
    drawLabels(context, width, height, cellWidth, cellHeight);
    if (selection !== undefined) drawSelection(context, cellWidth, cellHeight);
    slider.max = String(Math.max(0, grid.columns - count));
    slider.value = String(first);
    slider.disabled = count >= grid.columns;
    const perCell = buckets.columnsPerBucket;
    caption.textContent =
      grid.columns === 0
        ? 'no partitions'
        : `${labels.column(first)} … ${labels.column(first + count - 1)}` +
          (perCell > 1 ? ` · one column = ${perCell} ${labels.columnName}s (worst status shown)` : '');
    canvas.setAttribute('aria-label', `partition health: ${caption.textContent}`);
  }

  function drawLabels(context: CanvasRenderingContext2D, width: number, height: number, cellWidth: number, cellHeight: number): void {
    if (buckets === undefined) return;
    context.fillStyle = '#475060';
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    context.textAlign = 'right';
    const rowStep = Math.max(1, Math.ceil(14 / cellHeight));
    for (let br = 0; br < buckets.bucketRows; br += rowStep) {
      const row0 = br * buckets.rowsPerBucket;
      const text = buckets.rowsPerBucket === 1 ? labels.row(row0) : `${labels.row(row0)}…`;
      context.fillText(text, GUTTER - 6, Math.max(7, TOP + (br + 0.5) * cellHeight), GUTTER - 8);
    }
    context.textAlign = 'center';
    context.textBaseline = 'top';
    const tickStep = Math.max(1, Math.ceil(96 / cellWidth));
    let clearFrom = 0;
    for (let bc = 0; bc < buckets.bucketColumns; bc += tickStep) {
      const x = GUTTER + (bc + 0.5) * cellWidth;
      const text = labels.column(buckets.firstColumn + bc * buckets.columnsPerBucket);
      const half = context.measureText(text).width / 2;
      const centre = Math.max(x, GUTTER + half);
      if (centre - half < clearFrom || centre + half > GUTTER + width) continue;
      context.fillRect(x, height + 3, 1, 4);
      context.fillText(text, centre, height + 9);
      clearFrom = centre + half + 8;
    }
  }

  function drawSelection(context: CanvasRenderingContext2D, cellWidth: number, cellHeight: number): void {
    if (buckets === undefined || selection === undefined) return;
    const b = buckets;
    const x0 = (selection.column0 - b.firstColumn) / b.columnsPerBucket;
    const x1 = (selection.column1 + 1 - b.firstColumn) / b.columnsPerBucket;
    if (x1 < 0 || x0 > b.bucketColumns) return;
    const left = GUTTER + Math.max(0, Math.floor(x0)) * cellWidth;
    const right = GUTTER + Math.min(b.bucketColumns, Math.ceil(x1)) * cellWidth;
    const top = TOP + Math.floor(selection.row0 / b.rowsPerBucket) * cellHeight;
    const bottom = TOP + Math.ceil((selection.row1 + 1) / b.rowsPerBucket) * cellHeight;
    context.lineWidth = 2;
    context.strokeStyle = '#111827';
    context.strokeRect(left - 1, top - 1, Math.max(3, right - left + 1), Math.max(3, bottom - top + 1));
  }

  /** The partitions under a point: a bucket's columns and rows, and which part of the picture it is in. */
  function hit(event: MouseEvent): { column0: number; column1: number; row0: number; row1: number; axis: 'cell' | 'row' | 'column' } | undefined {
    if (buckets === undefined || grid.columns === 0) return undefined;
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const { width, height } = area();
    const bc = Math.min(buckets.bucketColumns - 1, Math.max(0, Math.floor(((x - GUTTER) / width) * buckets.bucketColumns)));
    const br = Math.min(buckets.bucketRows - 1, Math.max(0, Math.floor(((y - TOP) / height) * buckets.bucketRows)));
    const column0 = buckets.firstColumn + bc * buckets.columnsPerBucket;
    const column1 = Math.min(grid.columns - 1, column0 + buckets.columnsPerBucket - 1, first + count - 1);
    const row0 = br * buckets.rowsPerBucket;
    const row1 = Math.min(grid.rows - 1, row0 + buckets.rowsPerBucket - 1);
    const axis = x < GUTTER ? 'row' : y > height + TOP ? 'column' : 'cell';
    return { column0, column1, row0, row1, axis };
  }

  function describe(target: GridSelection): string {
    const counts = countCodes(grid, target.column0, target.column1, target.row0, target.row1);
    const columns = target.column0 === target.column1 ? labels.column(target.column0) : `${labels.column(target.column0)} … ${labels.column(target.column1)}`;
    const rows = target.row0 === target.row1 ? labels.row(target.row0) : `${labels.row(target.row0)} … ${labels.row(target.row1)}`;
    const parts = STATUS_CODES.map((status, code) => (counts[code] ? `${counts[code]} ${status}` : '')).filter(Boolean);
    return `${labels.columnName} ${columns}, ${labels.rowName} ${rows}: ${parts.join(', ')}`;
  }

  const choose = (next: GridSelection | undefined) => {
    selection = next;
    draw();
    onSelect?.(next);
  };

  const onMove = (event: MouseEvent) => {
    const target = hit(event);
    if (target === undefined) return void (tooltip.hidden = true);
    tooltip.hidden = false;
    tooltip.textContent = describe(target);
    const rect = canvas.getBoundingClientRect();
    tooltip.style.left = `${Math.min(event.clientX - rect.left + 12, rect.width - 260)}px`;
    tooltip.style.top = `${event.clientY - rect.top + 14}px`;
    if (drag !== undefined && onSelect !== undefined) {
      const rows = drag.axis === 'column' ? [0, grid.rows - 1] : [Math.min(drag.row, target.row0), Math.max(drag.row, target.row1)];
      selection = {
        column0: Math.min(drag.column, target.column0),
        column1: Math.max(drag.column, target.column1),
        row0: rows[0]!,
        row1: rows[1]!,
      };
      draw();
    }
  };
  const onDown = (event: MouseEvent) => {
    const target = hit(event);
    if (target === undefined || onSelect === undefined) return;
    if (target.axis === 'row') {
      choose({ column0: first, column1: first + count - 1, row0: target.row0, row1: target.row1 });
      return;
    }
    drag = { column: target.column0, row: target.row0, axis: target.axis };
    selection = { ...target, ...(target.axis === 'column' ? { row0: 0, row1: grid.rows - 1 } : {}) };
    draw();
  };
  const onUp = () => {
    if (drag === undefined) return;
    drag = undefined;
    choose(selection);
  };
  const onWheel = (event: WheelEvent) => {
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const anchor = Math.min(1, Math.max(0, (event.clientX - rect.left - GUTTER) / area().width));
      zoom(event.deltaY > 0 ? 1.25 : 0.8, anchor);
    } else if (Math.abs(event.deltaX) > Math.abs(event.deltaY) && count < grid.columns) {
      event.preventDefault();
      first = clampFirst(first + Math.round((event.deltaX / area().width) * count));
      draw();
    }
  };
  canvas.addEventListener('mousemove', onMove);
  canvas.addEventListener('mouseleave', () => (tooltip.hidden = true));
  canvas.addEventListener('mousedown', onDown);
  window.addEventListener('mouseup', onUp);
  canvas.addEventListener('wheel', onWheel, { passive: false });
  slider.addEventListener('input', () => {
    first = clampFirst(Number(slider.value));
    draw();
  });
  const resize = new ResizeObserver(() => draw());
  resize.observe(canvas);

  return {
    element,
    update(next) {
      const shapeChanged = next.columns !== grid.columns || next.rows !== grid.rows;
      grid = next;
      if (shapeChanged) {
        first = 0;
        count = grid.columns;
      }
      draw();
    },
    select(next) {
      selection = next;
      draw();
    },
    dispose() {
      resize.disconnect();
      window.removeEventListener('mouseup', onUp);
    },
  };
}
