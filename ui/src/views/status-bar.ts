// Proportional bars of partition counts: the one-dimensional partition health picture, and the
// small bar in each catalog row.
import type { StatusCounts } from '../../../server/api-types.ts';
import { el } from '../dom.ts';
import { formatCount } from '../format.ts';
import { statusColour } from '../status.ts';

const ORDER = ['fresh', 'stale', 'missing', 'failed', 'running'] as const;

/** A bar split by status in proportion to the counts; `expected` is the whole width. */
export function statusBar(counts: StatusCounts, expected: number, className = 'bar'): HTMLElement {
  const total = Math.max(expected, ORDER.reduce((sum, status) => sum + counts[status], 0));
  const title = ORDER.filter((status) => counts[status] > 0).map((status) => `${formatCount(counts[status])} ${status}`).join(', ');
  return el(
    'div',
    { class: className, title: title || 'no partitions due', role: 'img', 'aria-label': title || 'no partitions due' },
    ...ORDER.filter((status) => counts[status] > 0).map((status) =>
      el('span', { 'data-status': status, style: `width: ${(counts[status] / total) * 100}%; background: ${statusColour(status)}` }),
    ),
  );
}

/** The counts under a bar, each with its colour. */
export function statusCounts(counts: StatusCounts): HTMLElement {
  return el(
    'div',
    { class: 'counts' },
    ...ORDER.map((status) =>
      el('span', { class: 'legend-item' }, el('i', { style: `background: ${statusColour(status)}` }), el('b', {}, formatCount(counts[status])), ` ${status}`),
    ),
  );
}
