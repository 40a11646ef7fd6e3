// The catalog UI's entry point: the top bar, and the page of the current hash.
import type { Whoami } from '../../server/api-types.ts';
import { getJson } from './api.ts';
import { el, replaceChildren } from './dom.ts';
import { onConnectionChange, onServerEvent } from './events.ts';
import { assetPage } from './pages/asset.ts';
import { alertsPage } from './pages/alerts.ts';
import { auditReportPage } from './pages/audit-report.ts';
import { catalogPage } from './pages/catalog.ts';
import { lineagePage } from './pages/lineage.ts';
import { rematerializePage } from './pages/rematerialize.ts';
import { runPage } from './pages/run.ts';
import { runsPage } from './pages/runs.ts';
import { slaPage } from './pages/sla.ts';
import { matchRoute, parseHash, type Page, type Route } from './router.ts';
import { installStatusColours } from './status.ts';
import { readToken, TOKEN_EVENT, writeToken } from './token.ts';
import { errorBox } from './views/common.ts';

const routes: Route[] = [
  { prefix: '/', page: (_rest, location) => catalogPage(location) },
  { prefix: '/assets', page: (rest, location) => assetPage(rest, location) },
  { prefix: '/lineage', page: () => lineagePage() },
  { prefix: '/runs', page: (rest) => (rest === '' ? runsPage() : runPage(rest)) },
  { prefix: '/sla', page: (_rest, location) => slaPage(location) },
  { prefix: '/alerts', page: (_rest, location) => alertsPage(location) },
  { prefix: '/rematerialize', page: (rest, location) => rematerializePage(rest, location) },
  { prefix: '/audit', page: (_rest, location) => auditReportPage(location) },
];

const NAV = [
  ['/', 'Catalog'],
  ['/lineage', 'Lineage'],
  ['/runs', 'Runs'],
  ['/sla', 'SLA board'],
  ['/alerts', 'Alerts'],
  ['/rematerialize', 'Rematerialize'],
  ['/audit', 'Audit report'],
] as const;

const main = el('main');
const who = el('span', { class: 'who-name' });
const live = el('span', { class: 'live', title: 'live updates from /api/events' }, el('i'), 'live');
const links = NAV.map(([path, label]) => el('a', { href: `#${path}`, 'data-path': path }, label));
const topbar = el(
  'header',
  { class: 'topbar' },
  el('a', { class: 'brand', href: '#/' }, 'Daybook'),
  el('nav', {}, ...links),
  el('span', { class: 'spacer' }),
  el('span', { class: 'who' }, live, who, el('button', { type: 'button', onclick: askToken }, 'token')),
);

let current: Page | undefined;

function render(): void {
  const location = parseHash(window.location.hash);
  current?.dispose?.();
  current = undefined;
  const found = matchRoute(routes, location.path);
  for (const link of links) {
    const path = link.dataset.path!;
    link.classList.toggle('active', path === '/' ? location.path === '/' || location.path.startsWith('/assets') : location.path.startsWith(path));
  }
  if (found === undefined) {
    replaceChildren(main, errorBox(`no page at ${location.path}`));
    return;
  }
  try {
    current = found.route.page(found.rest, location);
    document.title = `${current.title} · Daybook`;
    replaceChildren(main, current.element);
  } catch (error) {
    replaceChildren(main, errorBox(error));
  }
}

/** Shows who the server takes this browser for: the stored token's name and role, or anonymous. */
async function refreshWho(): Promise<void> {
  try {
    const me = await getJson<Whoami>('/api/whoami');
    who.textContent = me.anonymous ? 'anonymous (read only)' : `${me.name} · ${me.role}`;
  } catch (error) {
    who.textContent = readToken() === undefined ? 'anonymous' : `token refused: ${(error as Error).message}`;
  }
}

function askToken(): void {
  const entered = window.prompt('Bearer token for this browser (kept in localStorage; empty to forget):', readToken() ?? '');
  if (entered === null) return;
  writeToken(entered);
}

installStatusColours(document.documentElement);
document.body.append(topbar, main);
onConnectionChange((up) => live.classList.toggle('on', up));
// One live connection for the whole session, so the indicator means something on every page.
onServerEvent(() => undefined);
window.addEventListener('hashchange', render);
window.addEventListener(TOKEN_EVENT, () => void refreshWho());
render();
void refreshWho();
