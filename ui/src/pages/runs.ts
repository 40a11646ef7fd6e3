// The run list, newest first, kept current by run events.
import type { RunList, RunView } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatDuration } from '../format.ts';
import { href, type Page } from '../router.ts';
import { coalesce, fill, pageHead, table, timeCell } from '../views/common.ts';

const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** `#/runs`. */
export function runsPage(): Page {
  const results = el('div');
  const status = el(
    'select',
    { 'aria-label': 'run status' },
    el('option', { value: '' }, 'any status'),
    ...RUN_STATUSES.map((value) => el('option', { value }, value)),
  );
  const controller = new AbortController();
  const load = () =>
    void fill(results, getJson<RunList>('/api/runs', { status: status.value, limit: 100 }, controller.signal), (list) => runTable(list.runs));
  status.addEventListener('change', load);
  const refresh = coalesce(load, 300);
  const stop = onServerEvent((event) => event.type === 'run' && refresh());
  load();
  return {
    element: el('div', {}, pageHead('Runs', 'newest first'), el('div', { class: 'filters' }, status), el('section', { class: 'panel' }, results)),
    title: 'Runs',
    dispose() {
      stop();
      refresh.cancel();
      controller.abort();
    },
  };
}

/** Runs as a table. */
function runTable(runs: readonly RunView[]): HTMLElement {
  return table(
    ['Run', 'Status', 'Selection', 'Partitions', 'Trigger', 'By', 'Created', '#Took'],
    runs.map((run) => [
      el('a', { href: href('/runs', run.id), class: 'mono', 'data-run': run.id }, run.id.slice(0, 13)),
      badge(run.status),
      el('code', {}, run.selection),
      el('span', { class: 'small' }, describeRequest(run.partitionRequest)),
      run.trigger,
      run.triggeredBy,
      timeCell(run.createdAt),
      formatDuration(run.durationMs),
    ]),
    'no runs yet',
  );
}

/** A partition request in words: `2026-11-20|PF001`, `2026-11-16 … 2026-11-20 where portfolio=PF001`. */
export function describeRequest(request: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof request.partition === 'string') parts.push(request.partition);
  if (typeof request.from === 'string' || typeof request.to === 'string') parts.push(`${request.from ?? '…'} … ${request.to ?? '…'}`);
  if (request.where !== null && typeof request.where === 'object') {
    parts.push(`where ${Object.entries(request.where).map(([name, value]) => `${name}=${String(value)}`).join(', ')}`);
  }
  if (request.force === true) parts.push('forced');
  return parts.length === 0 ? 'all due' : parts.join(' ');
}
