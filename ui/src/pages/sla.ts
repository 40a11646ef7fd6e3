// The SLA board: each deadline of a day (today by default), met, at risk, missed or pending.
import type { SlaBoard } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatAgo, formatTime } from '../format.ts';
import { href, type Location, type Page } from '../router.ts';
import { SLA_STATES } from '../status.ts';
import { coalesce, fill, pageHead, table, timeCell } from '../views/common.ts';
import { legend } from '../views/legend.ts';

/** `#/sla?date=YYYY-MM-DD`. */
export function slaPage(location: Location): Page {
  const controller = new AbortController();
  const date = el('input', { type: 'date', value: location.query.get('date') ?? '', 'aria-label': 'day of the deadlines' });
  const results = el('div');
  const summary = el('div', { class: 'counts' });
  const heading = el('h2', {}, 'Deadlines');
  const load = () => {
    const next = href('/sla', '', { date: date.value });
    if (next !== window.location.hash) history.replaceState(null, '', next);
    void fill(results, getJson<SlaBoard>('/api/sla', { date: date.value }, controller.signal), (board) => {
      // An empty picker means today, whatever day it is when the board refreshes.
      heading.textContent = `Deadlines of ${board.date}${date.value === '' ? ' (today)' : ''}`;
      summary.replaceChildren(
        ...SLA_STATES.map((state) => {
          const n = board.items.filter((item) => item.state === state).length;
          return el('span', {}, badge(state, `${n} ${state}`));
        }),
      );
      const now = Date.parse(board.now);
      return table(
        ['Asset', 'Partition', 'Deadline', 'Local deadline', 'SLA', 'Status', 'Materialized'],
        board.items.map((item) => [
          el('a', { href: href('/assets', item.asset) }, item.asset),
          el('code', {}, item.partition),
          el('span', {}, formatTime(item.deadline), el('div', { class: 'muted small' }, formatAgo(item.deadline, now))),
          item.localDeadline,
          el('span', { 'data-sla': item.state }, badge(item.state)),
          badge(item.status),
          timeCell(item.materializedAt),
        ]),
        'no deadline falls on this day',
      );
    });
  };
  date.addEventListener('change', load);
  const refresh = coalesce(load, 500);
  const stop = onServerEvent((event) => (event.type === 'partitions' || event.type === 'run') && refresh());
  // Deadlines move from pending to at risk or missed with the clock alone.
  const ticking = setInterval(load, 30_000);
  load();
  return {
    element: el(
      'div',
      {},
      pageHead('SLA board', 'deadlines of the day, e.g. 06:30 New York pre-market for NorthBridge', date),
      el('section', { class: 'panel' }, heading, summary, el('div', { style: 'margin-top: 12px' }, results), legend(SLA_STATES, 'at risk: now plus the expected remaining work passes the deadline')),
    ),
    title: 'SLA board',
    dispose() {
      stop();
      refresh.cancel();
      clearInterval(ticking);
      controller.abort();
    },
  };
}
