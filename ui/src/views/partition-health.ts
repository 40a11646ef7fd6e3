// The partition health picture of one asset: a heat map of dates against the other dimensions for a
// multi-partitioned asset, a proportional bar plus a one-row strip for one dimension. The asset page
// shows it; the rematerialize page makes it selectable.
import type { AssetDetail } from '../../../server/api-types.ts';
import { el, replaceChildren } from '../dom.ts';
import { formatCount } from '../format.ts';
import { errorBox } from './common.ts';
import { createPartitionGrid, type GridSelection, type PartitionGridView } from './partition-grid.ts';
import { loadPartitionModel, type PartitionModel } from './partition-model.ts';
import { statusBar, statusCounts } from './status-bar.ts';

/** Options of `createPartitionHealth`. */
export interface PartitionHealthOptions {
  readonly asset: AssetDetail;
  /** Makes the grid selectable, and hears each selection with the model it refers to. */
  readonly onSelect?: (selection: GridSelection | undefined, model: PartitionModel) => void;
}

/** The mounted picture. */
export interface PartitionHealth {
  readonly element: HTMLElement;
  /** Refetches statuses (after live events) and redraws, keeping zoom and selection. */
  refresh(): Promise<void>;
  select(selection: GridSelection | undefined): void;
  dispose(): void;
}

/**
 * Builds and loads the picture.
 * @example const health = createPartitionHealth({ asset }); page.append(health.element);
 */
export function createPartitionHealth({ asset, onSelect }: PartitionHealthOptions): PartitionHealth {
  const element = el('div', { class: 'partition-health' }, el('div', { class: 'loading' }, 'loading partitions…'));
  const controller = new AbortController();
  let view: PartitionGridView | undefined;
  let model: PartitionModel | undefined;
  let summary: HTMLElement | undefined;

  const redrawLabels = () => model !== undefined && view?.update(model.grid);
  const load = () => loadPartitionModel(asset, controller.signal, redrawLabels);

  const render = (loaded: PartitionModel) => {
    model = loaded;
    const { partitions } = loaded;
    const multi = loaded.rowDimensions.length > 0;
    summary = el('div', {}, describe(loaded), statusCounts(partitions.counts));
    view?.dispose();
    view = createPartitionGrid({
      grid: loaded.grid,
      labels: loaded.labels,
      onSelect: onSelect === undefined ? undefined : (selection) => onSelect(selection, loaded),
    });
    replaceChildren(
      element,
      summary,
      multi ? null : statusBar(partitions.counts, partitions.expected),
      el('div', { class: multi ? 'heatmap' : 'strip', style: 'margin-top: 12px' }, view.element),
    );
  };

  void load().then(render, (error: unknown) => {
    if (!controller.signal.aborted) replaceChildren(element, errorBox(error));
  });

  return {
    element,
    async refresh() {
      if (model === undefined) return;
      try {
        const next = await load();
        if (next.grid.columns !== model.grid.columns || next.grid.rows !== model.grid.rows) return render(next);
        model = next;
        view?.update(next.grid);
        summary?.replaceChildren(describe(next), statusCounts(next.partitions.counts));
      } catch {
        // Keep the picture; the next live event tries again.
      }
    },
    select: (selection) => view?.select(selection),
    dispose() {
      controller.abort();
      view?.dispose();
    },
  };
}

function describe(model: PartitionModel): HTMLElement {
  const { partitions } = model;
  const shape = [model.columnDimension, ...model.rowDimensions].join(' × ');
  return el(
    'div',
    { class: 'muted small' },
    `${formatCount(partitions.expected)} partitions due of ${formatCount(partitions.total)} (${shape})`,
  );
}
