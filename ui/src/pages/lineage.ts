// The whole asset graph, for finding one's way around a catalog of many assets.
import type { AssetLineage } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { createLineageGraph } from '../graph/lineage-graph.ts';
import { href, type Page } from '../router.ts';
import { PARTITION_STATUSES } from '../status.ts';
import { coalesce, fill, pageHead } from '../views/common.ts';
import { legend } from '../views/legend.ts';

/** `#/lineage`. */
export function lineagePage(): Page {
  const controller = new AbortController();
  const picture = el('div');
  const load = () =>
    void fill(picture, getJson<AssetLineage>('/api/lineage', {}, controller.signal), (graph) =>
      createLineageGraph({
        nodes: graph.nodes.map((node) => ({ key: node.key, status: node.status, kind: node.kind, note: `${node.group} · ${node.status}` })),
        edges: graph.edges,
        link: (key) => href('/assets', key),
      }),
    );
  const refresh = coalesce(load, 1000);
  const stop = onServerEvent((event) => event.type === 'partitions' && refresh());
  load();
  return {
    element: el(
      'div',
      {},
      pageHead('Lineage', 'every asset, upstream on the left'),
      el('section', { class: 'panel' }, picture, legend(PARTITION_STATUSES, 'dashed: source', 'click a box to open it')),
    ),
    title: 'Lineage',
    dispose() {
      stop();
      refresh.cancel();
      controller.abort();
    },
  };
}
