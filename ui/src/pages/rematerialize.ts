// Rematerialize: an operator picks partitions on the grid (a cell, a row, a date, a range) or types
// them, and launches runs with their bearer token. The runs' steps then update live from SSE.
import type { AssetDetail, AssetList, LaunchedRun, MaterializeRequest, Whoami } from '../../../server/api-types.ts';
import { assetPath, getJson, postJson } from '../api.ts';
import { badge, el, replaceChildren } from '../dom.ts';
import { onConnectionChange } from '../events.ts';
import { href, type Location, type Page } from '../router.ts';
import { TOKEN_EVENT, writeToken } from '../token.ts';
import { errorBox, pageHead, panel } from '../views/common.ts';
import type { GridSelection } from '../views/partition-grid.ts';
import type { PartitionModel } from '../views/partition-model.ts';
import { createPartitionHealth } from '../views/partition-health.ts';
import { describeMaterialize, requestsFor } from '../views/selection-request.ts';
import { createRunTracker } from '../views/run-tracker.ts';

/** `#/rematerialize/<key>?partition=K`. */
export function rematerializePage(key: string, location: Location): Page {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  const element = el('div', { class: 'stack' });
  const chooser = el('select', { 'aria-label': 'asset', onchange: () => (window.location.hash = href('/rematerialize', chooser.value)) }, el('option', { value: '' }, 'choose an asset…'));
  void getJson<AssetList>('/api/assets', {}, controller.signal).then((list) => {
    chooser.append(...list.assets.filter((asset) => asset.kind === 'asset').map((asset) => el('option', { value: asset.key }, asset.key)));
    chooser.value = key;
  }, () => undefined);

  replaceChildren(element, pageHead('Rematerialize', 'pick partitions, then launch a forced run as an operator', chooser), tokenPanel(cleanups));
  if (key === '') {
    element.append(el('p', { class: 'notice' }, 'Choose the asset whose partitions to rematerialize.'));
    return { element, title: 'Rematerialize', dispose: () => controller.abort() };
  }

  const tracker = createRunTracker();
  cleanups.push(tracker.dispose);
  const form = el('div', { class: 'loading' }, `loading ${key}…`);
  element.append(form, tracker.element);

  void getJson<AssetDetail>(`/api/assets/${assetPath(key)}`, {}, controller.signal).then(
    (asset) => {
      const built = selectionForm(asset, location.query.get('partition') ?? '', tracker.track);
      cleanups.push(built.dispose);
      form.replaceWith(built.element);
      tracker.onFinished(() => void built.health.refresh());
    },
    (error: unknown) => !controller.signal.aborted && form.replaceWith(errorBox(error)),
  );
  return {
    element,
    title: `Rematerialize ${key}`,
    dispose() {
      controller.abort();
      for (const cleanup of cleanups) cleanup();
    },
  };
}

/** The grid, the request fields, and the launch button. */
function selectionForm(asset: AssetDetail, initialPartition: string, track: (run: LaunchedRun, request: MaterializeRequest) => void) {
  let requests: MaterializeRequest[] = [];
  const partition = el('input', { type: 'text', name: 'partition', placeholder: 'a key, e.g. 2026-11-20|PF001, or a date', value: initialPartition, size: 28 });
  const from = el('input', { type: 'date', name: 'from' });
  const to = el('input', { type: 'date', name: 'to' });
  const force = el('input', { type: 'checkbox', name: 'force', checked: true });
  const downstream = el('input', { type: 'checkbox', name: 'downstream' });
  const summary = el('div', { class: 'selection-summary', 'data-testid': 'selection-summary' });
  const problem = el('div');
  const launch = el('button', { class: 'primary', type: 'button', 'data-testid': 'launch' }, 'Launch run');

  const options = () => ({ force: force.checked, downstream: downstream.checked });
  const fromFields = (): MaterializeRequest[] => {
    const base = { selection: downstream.checked ? `${asset.key}+` : asset.key, force: force.checked };
    if (partition.value.trim() !== '') return [{ ...base, partition: partition.value.trim() }];
    if (from.value !== '' || to.value !== '') return [{ ...base, from: from.value || to.value, to: to.value || from.value }];
    return [];
  };
  const show = (next: MaterializeRequest[], error?: unknown) => {
    requests = next;
    replaceChildren(problem, error === undefined ? null : errorBox(error));
    summary.replaceChildren(
      requests.length === 0 ? 'Nothing selected yet.' : `${requests.length === 1 ? 'One run' : `${requests.length} runs`}: `,
      ...requests.map((request) => el('div', { class: 'mono' }, describeMaterialize(request))),
    );
    launch.disabled = requests.length === 0;
  };
  let lastSelection: { selection: GridSelection; model: PartitionModel } | undefined;
  const fromGrid = async (selection: GridSelection | undefined, model: PartitionModel) => {
    lastSelection = selection === undefined ? undefined : { selection, model };
    if (selection === undefined) return show([]);
    try {
      await model.resolveColumns([selection.column0, selection.column1]);
      const next = requestsFor(asset.key, selection, { ...model, rows: model.grid.rows }, options());
      const single = next.length === 1 ? next[0]! : undefined;
      partition.value = single?.partition ?? '';
      from.value = single?.from ?? '';
      to.value = single?.to ?? '';
      show(next);
    } catch (error) {
      show([], error);
    }
  };
  const health = createPartitionHealth({ asset, onSelect: (selection, model) => void fromGrid(selection, model) });
  const typed = () => {
    health.select(undefined);
    lastSelection = undefined;
    show(fromFields());
  };
  partition.addEventListener('input', () => {
    from.value = '';
    to.value = '';
    typed();
  });
  for (const field of [from, to]) {
    field.addEventListener('change', () => {
      partition.value = '';
      typed();
    });
  }
  for (const box of [force, downstream]) {
    box.addEventListener('change', () => (lastSelection === undefined ? show(fromFields()) : void fromGrid(lastSelection.selection, lastSelection.model)));
  }
  launch.addEventListener('click', async () => {
    launch.disabled = true;
    replaceChildren(problem);
    try {
      for (const request of requests) track(await postJson<LaunchedRun>('/api/materialize', request), request);
    } catch (error) {
      replaceChildren(problem, errorBox(error));
    } finally {
      launch.disabled = requests.length === 0;
    }
  });
  show(fromFields());

  const element = panel(
    `Partitions of ${asset.key}`,
    health.element,
    el('div', { class: 'form-row', style: 'margin-top: 14px' }, el('label', {}, 'partition'), partition, el('label', {}, 'or from'), from, el('label', {}, 'to'), to),
    el(
      'div',
      { class: 'form-row' },
      el('label', {}, force, ' force (rerun fresh partitions too)'),
      el('label', {}, downstream, ' and everything downstream'),
    ),
    summary,
    problem,
    el('div', { class: 'form-row' }, launch),
  );
  return { element, health, dispose: () => health.dispose() };
}

/** The operator's token: entered once, kept in localStorage; shows whom the server takes it for. */
function tokenPanel(cleanups: (() => void)[]): HTMLElement {
  const input = el('input', { type: 'password', name: 'token', placeholder: 'dbk_…', size: 36, autocomplete: 'current-password', 'aria-label': 'bearer token' });
  const who = el('span', { 'data-testid': 'whoami' });
  const live = el('span', { class: 'muted small' });
  const check = async () => {
    try {
      const me = await getJson<Whoami>('/api/whoami');
      const canRun = me.role === 'operator' || me.role === 'admin';
      replaceChildren(who, me.anonymous ? 'no token: anonymous, read only' : `${me.name} (${me.role})`, ' ', canRun ? badge('succeeded', 'can launch') : badge('failed', 'cannot launch'));
    } catch (error) {
      replaceChildren(who, errorBox(error));
    }
  };
  const save = (event: Event) => {
    event.preventDefault();
    writeToken(input.value);
    input.value = '';
  };
  const onToken = () => void check();
  window.addEventListener(TOKEN_EVENT, onToken);
  cleanups.push(() => window.removeEventListener(TOKEN_EVENT, onToken));
  cleanups.push(onConnectionChange((up) => (live.textContent = up ? 'live updates connected' : 'live updates disconnected')));
  void check();
  return panel(
    'Operator token',
    el(
      'form',
      { class: 'form-row', onsubmit: save },
      // Lets password managers and the browser's autofill see a username for the token field.
      el('input', { type: 'text', name: 'username', value: 'daybook', autocomplete: 'username', hidden: true }),
      input,
      el('button', { class: 'secondary', type: 'submit' }, 'Save token'),
      el('button', { class: 'secondary', type: 'button', onclick: () => writeToken('') }, 'Forget'),
      who,
      live,
    ),
  );
}
