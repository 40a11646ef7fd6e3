// An asset's page: lineage of its neighbourhood, partition health, freshness and SLA, checks,
// history and publishes. Live events about the asset refresh what they change.
import type { AssetDetail, AssetLineage, PartitionsResponse } from '../../../server/api-types.ts';
import { assetPath, getJson } from '../api.ts';
import { badge, el, replaceChildren } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { shortVersion } from '../format.ts';
import { createLineageGraph } from '../graph/lineage-graph.ts';
import { href, type Location, type Page } from '../router.ts';
import { PARTITION_STATUSES } from '../status.ts';
import { checksPanel, definitionPanel, freshnessPanel, historyPanel, publishesPanel } from '../views/asset-sections.ts';
import { coalesce, errorBox, fill, pageHead, panel, table, timeCell } from '../views/common.ts';
import { legend } from '../views/legend.ts';
import { createPartitionHealth, type PartitionHealth } from '../views/partition-health.ts';

/** `#/assets/<key>`. */
export function assetPage(key: string, _location: Location): Page {
  const controller = new AbortController();
  const element = el('div', { class: 'stack' }, el('div', { class: 'loading' }, `loading ${key}…`));
  const lineage = el('div');
  const details = el('div', { class: 'stack' });
  const latest = el('div');
  const statusFilter = el(
    'select',
    { 'aria-label': 'status of the partitions listed' },
    el('option', { value: '' }, 'all statuses'),
    ...PARTITION_STATUSES.map((status) => el('option', { value: status }, status)),
  );
  let health: PartitionHealth | undefined;

  const loadLineage = () =>
    fill(lineage, getJson<AssetLineage>(`/api/lineage/${assetPath(key)}`, { depth: 2 }, controller.signal), (graph) =>
      createLineageGraph({
        nodes: graph.nodes.map((node) => ({ key: node.key, status: node.status, kind: node.kind, note: `${node.group} · ${node.status}` })),
        edges: graph.edges,
        focus: key,
        link: (target) => href('/assets', target),
        fit: true,
      }),
    );
  const loadLatest = () =>
    fill(
      latest,
      getJson<PartitionsResponse>(`/api/assets/${assetPath(key)}/partitions`, { status: statusFilter.value, limit: 15, maxRanges: 1 }, controller.signal),
      (partitions) =>
        table(
          ['Partition', 'Status', 'Reason', 'Detail', 'Data version', 'Materialized'],
          partitions.page.items.map((item) => [
            el('code', {}, item.partition),
            badge(item.status),
            item.reason,
            el('span', { class: 'small' }, item.detail),
            el('code', { title: item.dataVersion ?? '' }, shortVersion(item.dataVersion)),
            timeCell(item.materializedAt),
          ]),
          'no partition with that status',
        ),
    );
  statusFilter.addEventListener('change', () => void loadLatest());
  const renderDetails = (asset: AssetDetail) =>
    replaceChildren(
      details,
      el('div', { class: 'panels' }, freshnessPanel(asset), definitionPanel(asset)),
      checksPanel(asset),
      historyPanel(asset),
      publishesPanel(asset),
    );

  void getJson<AssetDetail>(`/api/assets/${assetPath(key)}`, {}, controller.signal).then(
    (asset) => {
      health = createPartitionHealth({ asset });
      replaceChildren(
        element,
        pageHead(
          el('span', { 'data-testid': 'asset-title' }, asset.key, ' ', badge(asset.freshness.status)),
          header(asset),
          el('a', { class: 'primary', href: href('/rematerialize', asset.key) }, 'Rematerialize…'),
        ),
        panel('Lineage', lineage, legend(PARTITION_STATUSES, 'dashed: source', 'loop: reads its own earlier partitions', 'click a box to open it')),
        panel('Partition health', health.element, el('h2', { style: 'margin-top: 18px' }, 'Partitions ', statusFilter), latest),
        details,
      );
      renderDetails(asset);
      void loadLineage();
      void loadLatest();
    },
    (error: unknown) => !controller.signal.aborted && replaceChildren(element, errorBox(error)),
  );

  const refresh = coalesce(() => {
    void getJson<AssetDetail>(`/api/assets/${assetPath(key)}`, {}, controller.signal).then(renderDetails, () => undefined);
    void health?.refresh();
    void loadLatest();
    void loadLineage();
  }, 400);
  const stop = onServerEvent((event) => {
    const data = event.data as { type?: string; assets?: string[]; asset?: string };
    if ((data.type === 'partitions' && data.assets?.includes(key)) || (data.type === 'step' && data.asset === key)) refresh();
  });

  return {
    element,
    title: key,
    dispose() {
      stop();
      refresh.cancel();
      controller.abort();
      health?.dispose();
    },
  };
}

function header(asset: AssetDetail): HTMLElement {
  return el(
    'div',
    {},
    el('div', {}, asset.description),
    el(
      'div',
      { class: 'small muted', style: 'margin-top: 4px' },
      el('span', { class: 'tag' }, asset.kind),
      el('span', { class: 'tag' }, `group: ${asset.group}`),
      ...asset.owners.map((owner) => el('span', { class: 'tag' }, owner)),
      ...Object.entries(asset.tags).map(([name, value]) => el('span', { class: 'tag' }, `${name}=${value}`)),
    ),
  );
}
