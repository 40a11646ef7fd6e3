// Alerts (docs/automation.md): what the daemon and the workers' heartbeat watch raised, firing first,
// each with its history of notifications on demand.
import type { AlertDetail, AlertList, AlertView } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatAgo } from '../format.ts';
import { href, type Location, type Page } from '../router.ts';
import { coalesce, fill, pageHead, table, timeCell } from '../views/common.ts';
import { legend } from '../views/legend.ts';

const STATES = ['firing', 'resolved'] as const;
const SEVERITIES = ['critical', 'warning', 'info'] as const;

/** `#/alerts?state=firing|resolved`; all alerts without a state. */
export function alertsPage(location: Location): Page {
  const controller = new AbortController();
  const state = el(
    'select',
    { 'aria-label': 'alert state' },
    el('option', { value: '' }, 'all alerts'),
    ...STATES.map((name) => el('option', { value: name }, name)),
  );
  state.value = location.query.get('state') ?? '';
  const summary = el('div', { class: 'counts' });
  const results = el('div');
  const load = () => {
    const next = href('/alerts', '', { state: state.value });
    if (next !== window.location.hash) history.replaceState(null, '', next);
    void fill(results, getJson<AlertList>('/api/alerts', { state: state.value }, controller.signal), ({ alerts }) => {
      summary.replaceChildren(...SEVERITIES.map((severity) => el('span', {}, badge(severity, `${alerts.filter((alert) => alert.state === 'firing' && alert.severity === severity).length} ${severity} firing`))));
      const now = Date.now();
      return table(
        ['State', 'Severity', 'Kind', 'Summary', 'Asset', 'First seen', 'Last seen', 'Notified', 'History'],
        alerts.map((alert) => [
          el('span', { 'data-alert-state': alert.state }, badge(alert.state)),
          badge(alert.severity),
          alert.kind,
          alert.summary,
          alert.asset === null ? '—' : el('a', { href: href('/assets', alert.asset) }, alert.partition === null ? alert.asset : `${alert.asset}[${alert.partition}]`),
          timeCell(alert.firstSeen),
          el('span', { title: alert.lastSeen }, formatAgo(alert.lastSeen, now)),
          String(alert.notifyCount),
          historyOf(alert, controller.signal),
        ]),
        state.value === 'firing' ? 'nothing is firing' : 'no alerts yet',
      );
    });
  };
  state.addEventListener('change', load);
  const refresh = coalesce(load, 500);
  // Alerts follow runs and the clock (SLA risk, heartbeats): refresh on run events and every 30 s.
  const stop = onServerEvent((event) => event.type === 'run' && refresh());
  const ticking = setInterval(load, 30_000);
  load();
  return {
    element: el(
      'div',
      {},
      pageHead('Alerts', 'failures, blocking checks, SLAs at risk or missed, queue depth and silent daemons', state),
      el('section', { class: 'panel' }, summary, el('div', { style: 'margin-top: 12px' }, results), legend([...STATES, ...SEVERITIES], 'deduplicated by key; resolved when the condition clears')),
    ),
    title: 'Alerts',
    dispose() {
      stop();
      refresh.cancel();
      clearInterval(ticking);
      controller.abort();
    },
  };
}

/** A disclosure that loads the alert's history when opened. */
function historyOf(alert: AlertView, signal: AbortSignal): HTMLElement {
  const body = el('div');
  const details = el('details', { class: 'alert-history' }, el('summary', {}, 'history'), body);
  details.addEventListener('toggle', () => {
    if (!details.open || body.childElementCount > 0) return;
    void fill(body, getJson<AlertDetail>(`/api/alerts/${alert.id}`, {}, signal), ({ history }) =>
      table(
        ['When', 'Event', 'Channel', 'Error'],
        history.map((event) => [timeCell(event.at), event.event, event.channel ?? '—', event.error ?? '—']),
      ),
    );
  });
  return details;
}
