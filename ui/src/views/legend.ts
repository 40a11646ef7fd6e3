// The legend under every picture: a swatch per status, in the colours of status.ts.
import { el } from '../dom.ts';
import { statusColour } from '../status.ts';

/**
 * Swatches for the statuses, then any notes.
 * @example legend(['fresh', 'stale'], 'click a box to open it')
 */
export function legend(statuses: readonly string[], ...notes: string[]): HTMLElement {
  return el(
    'div',
    { class: 'legend' },
    ...statuses.map((status) => el('span', { class: 'legend-item' }, el('i', { style: `background: ${statusColour(status)}` }), status)),
    ...notes.map((note) => el('span', { class: 'legend-item muted' }, note)),
  );
}
