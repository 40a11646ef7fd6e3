// The catalog: every asset with its group, owners, status and freshness, searchable.
import type { AssetList, AssetSummary } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatAgo, formatCount, formatTime } from '../format.ts';
import { href, type Location, type Page } from '../router.ts';
import { PARTITION_STATUSES } from '../status.ts';
import { coalesce, debounce, fill, pageHead, table } from '../views/common.ts';
import { statusBar } from '../views/status-bar.ts';

/** `#/?q=…&group=…&owner=…&status=…`: filters live in the URL, so a search can be shared. */
export function catalogPage(location: Location): Page {
  const filter = (name: string) => location.query.get(name) ?? '';
  const search = el('input', { type: 'search', placeholder: 'Search assets by key or description', value: filter('q'), 'aria-label': 'search assets' });
  // Until the choices arrive, each select holds the value the URL asked for.
  const group = select('group', ['', filter('group')]);
  const owner = select('owner', ['', filter('owner')]);
  group.value = filter('group');
  owner.value = filter('owner');
  const status = select('status', ['', ...PARTITION_STATUSES]);
  status.value = filter('status');
  const count = el('span');
  const results = el('div');
  let controller: AbortController | undefined;

  const query = () => ({ q: search.value.trim(), group: group.value, owner: owner.value, status: status.value });
  const load = () => {
    controller?.abort();
    controller = new AbortController();
    const wanted = query();
    const next = href('/', '', wanted);
    if (next !== window.location.hash && !(next === '#/' && window.location.hash === '')) history.replaceState(null, '', next);
    void fill(results, getJson<AssetList>('/api/assets', wanted, controller.signal), (list) => {
      count.textContent = `${formatCount(list.total)} asset${list.total === 1 ? '' : 's'}`;
      return assetTable(list.assets);
    });
  };
  const typed = debounce(load, 150);
  search.addEventListener('input', typed);
  for (const control of [group, owner, status]) control.addEventListener('change', load);

  // The group and owner choices come from the whole catalog, whatever the current filter.
  void getJson<AssetList>('/api/assets').then((all) => {
    fillOptions(group, all.assets.map((asset) => asset.group), filter('group'));
    fillOptions(owner, all.assets.flatMap((asset) => asset.owners), filter('owner'));
  }, () => undefined);

  const refresh = coalesce(load, 500);
  const stop = onServerEvent((event) => {
    if (event.type === 'partitions' || event.type === 'run') refresh();
  });
  load();
  const element = el(
    'div',
    {},
    pageHead('Catalog', count),
    el('div', { class: 'filters' }, search, group, owner, status),
    el('section', { class: 'panel' }, results),
  );
  return {
    element,
    title: 'Catalog',
    dispose: () => {
      stop();
      typed.cancel();
      refresh.cancel();
      controller?.abort();
    },
  };
}

function assetTable(assets: readonly AssetSummary[]): HTMLElement {
  return table(
    ['Asset', 'Group', 'Owners', 'Status', 'Freshness', 'Partitions'],
    assets.map((asset) => [
      el(
        'div',
        {},
        el('a', { class: 'asset-key', href: href('/assets', asset.key), 'data-asset': asset.key }, asset.key),
        asset.kind === 'source' ? el('span', { class: 'tag', style: 'margin-left: 6px' }, 'source') : null,
        el('div', { class: 'muted small' }, asset.description),
      ),
      asset.group,
      el('div', {}, ...asset.owners.map((name) => el('span', { class: 'tag' }, name))),
      badge(asset.freshness.status),
      freshnessCell(asset),
      el(
        'div',
        {},
        statusBar(asset.partitions.counts, asset.partitions.expected, 'mini-bar'),
        el('div', { class: 'muted small' }, `${formatCount(asset.partitions.counts.fresh)} of ${formatCount(asset.partitions.expected)} fresh`),
      ),
    ]),
    'no asset matches',
  );
}

function freshnessCell(asset: AssetSummary): HTMLElement {
  const { freshness } = asset;
  return el(
    'div',
    { class: 'small' },
    el('div', {}, freshness.partition === '' ? 'unpartitioned' : freshness.partition, ' · ', el('span', { title: formatTime(freshness.materializedAt) }, formatAgo(freshness.materializedAt))),
    el(
      'div',
      {},
      freshness.checks === 'none' ? null : badge(freshness.checks === 'passed' ? 'passed' : 'failed', `checks ${freshness.checks}`),
      freshness.sla === null ? null : ' ',
      freshness.sla === null ? null : badge(freshness.sla.state, `SLA ${freshness.sla.state}`),
    ),
  );
}

function select(name: string, options: readonly string[]): HTMLSelectElement {
  return el('select', { name, 'aria-label': name }, ...[...new Set(options)].map((option) => el('option', { value: option }, option === '' ? `any ${name}` : option)));
}

function fillOptions(control: HTMLSelectElement, values: readonly string[], chosen: string): void {
  const name = control.name;
  control.replaceChildren(
    el('option', { value: '' }, `any ${name}`),
    ...[...new Set(values)].sort().map((value) => el('option', { value }, value)),
  );
  control.value = chosen;
}
