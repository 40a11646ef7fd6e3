// Pieces every page uses: headers, panels, loading and error states, tables.
import { ApiFailure } from '../api.ts';
import { el, replaceChildren } from '../dom.ts';
import { formatTime } from '../format.ts';

/** A page title with a subtitle and optional actions on the right. */
export function pageHead(title: string | Node, sub?: string | Node, ...actions: Node[]): HTMLElement {
  return el(
    'div',
    { class: 'page-head' },
    el('div', {}, el('h1', {}, title), sub === undefined ? null : el('div', { class: 'sub' }, sub)),
    actions.length === 0 ? null : el('div', { class: 'actions' }, ...actions),
  );
}

/** A white panel with a heading. */
export function panel(title: string | Node, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  return el('section', { class: 'panel' }, el('h2', {}, title), ...children);
}

/** Shows an error where content was expected, with the server's message. */
export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof ApiFailure || error instanceof Error ? error.message : String(error);
  return el('div', { class: 'error-box', role: 'alert' }, message);
}

/**
 * Fills `target` with a loading note, then with `render(value)`, or with the error. A failed
 * refresh of content already shown keeps the content and says so above it.
 */
export async function fill<T>(target: HTMLElement, load: Promise<T>, render: (value: T) => Node | Node[]): Promise<T | undefined> {
  if (target.childElementCount === 0) replaceChildren(target, el('div', { class: 'loading' }, 'loading…'));
  try {
    const value = await load;
    const rendered = render(value);
    replaceChildren(target, ...(Array.isArray(rendered) ? rendered : [rendered]));
    return value;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return undefined;
    replaceChildren(target, errorBox(error));
    return undefined;
  }
}

/** A table from header cells and rows; a header starting with `#` is numeric (right-aligned). */
export function table(headers: readonly string[], rows: readonly (readonly (Node | string | number | null)[])[], empty = 'nothing yet'): HTMLElement {
  const numeric = headers.map((header) => header.startsWith('#'));
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, ...headers.map((header, i) => el('th', { class: numeric[i] ? 'num' : null }, header.replace(/^#/, ''))))),
      el(
        'tbody',
        {},
        ...(rows.length === 0
          ? [el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, empty))]
          : rows.map((row) => el('tr', {}, ...row.map((cell, i) => el('td', { class: numeric[i] ? 'num' : null }, cell ?? '—'))))),
      ),
    ),
  );
}

/** A delayed call that can be cancelled when the page goes away. */
export interface Delayed {
  (): void;
  cancel(): void;
}

/** Calls `run` once calls have stopped for `ms`: for typing. */
export function debounce(run: () => void, ms: number): Delayed {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}

/**
 * Calls `run` `ms` after the first of a burst of calls, absorbing the rest: for refetches on live
 * events, which may never pause while a run goes on, so a debounce would never fire.
 */
export function coalesce(run: () => void, ms: number): Delayed {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}

/** A definition list of facts: `[['status', badge], ['rows', '1,204']]`. */
export function facts(entries: readonly (readonly [string, Node | string | null])[]): HTMLElement {
  return el('dl', { class: 'facts' }, ...entries.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value ?? '—')]));
}

/** A time for a table cell: on one line, with the exact instant in the tooltip. */
export function timeCell(value: string | null | undefined): HTMLElement {
  return el('span', { class: 'nowrap', title: value ?? '' }, formatTime(value));
}
