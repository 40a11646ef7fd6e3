// Follows launched runs live: each run's steps and status change as `step` and `run` events
// arrive on /api/events, with a log of the events. The run's detail is fetched once when it is
// launched and again after a reconnect, so a dropped connection loses nothing.
import type { LaunchedRun, MaterializeRequest, RunDetail, RunEvent, StepEvent } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el, replaceChildren } from '../dom.ts';
import { onConnectionChange, onServerEvent } from '../events.ts';
import { formatTime } from '../format.ts';
import { href } from '../router.ts';
import { describeMaterialize } from './selection-request.ts';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const DONE_STEPS = new Set(['succeeded', 'failed', 'skipped', 'upstream-failed', 'blocked-by-check', 'cancelled', 'waiting']);

interface Tracked {
  readonly id: string;
  status: string;
  readonly steps: Map<string, string>;
  readonly element: HTMLElement;
}

/** The mounted tracker. */
export interface RunTracker {
  readonly element: HTMLElement;
  /** Starts following a launched run. */
  track(run: LaunchedRun, request: MaterializeRequest): void;
  /** Hears each run that reaches a final status. */
  onFinished(listener: (runId: string, status: string) => void): void;
  dispose(): void;
}

/**
 * A panel of launched runs that update live.
 * @example const tracker = createRunTracker(); tracker.track(await postJson('/api/materialize', body), body);
 */
export function createRunTracker(): RunTracker {
  const runs = new Map<string, Tracked>();
  // Events can arrive before the POST that launched their run has answered: keep recent ones.
  const early: (RunEvent | StepEvent)[] = [];
  const finishedListeners: ((runId: string, status: string) => void)[] = [];
  const list = el('div', { class: 'stack' });
  const log = el('div', { class: 'mono small', 'data-testid': 'event-log' });
  const element = el('section', { class: 'panel', hidden: true }, el('h2', {}, 'Launched runs'), list, el('h2', { style: 'margin-top: 14px' }, 'Live events'), log);

  const render = (run: Tracked) => {
    const steps = [...run.steps.entries()];
    const done = steps.filter(([, status]) => DONE_STEPS.has(status)).length;
    replaceChildren(
      run.element,
      el(
        'div',
        { class: 'form-row' },
        el('a', { href: href('/runs', run.id), class: 'mono' }, run.id),
        el('span', { 'data-testid': 'tracked-run-status' }, badge(run.status)),
        el('span', { class: 'muted' }, `${done} of ${steps.length} steps done`),
      ),
      el('div', { class: 'counts' }, ...steps.map(([name, status]) => el('span', { 'data-step': name }, badge(status, `${name} ${status}`)))),
    );
  };
  const apply = (event: RunEvent | StepEvent) => {
    const run = runs.get(event.runId);
    if (run === undefined) {
      early.push(event);
      if (early.length > 1000) early.shift();
      return;
    }
    log.prepend(
      el(
        'div',
        {},
        `${formatTime(event.at)} `,
        event.type === 'run' ? `run ${event.runId.slice(0, 8)} ${event.status}` : `step ${event.asset}[${event.partition}] ${event.status}${event.message ? `: ${event.message}` : ''}`,
      ),
    );
    while (log.childElementCount > 40) log.lastElementChild?.remove();
    if (event.type === 'step') run.steps.set(`${event.asset}[${event.partition}]`, event.status);
    else setStatus(run, event.status);
    render(run);
  };
  const setStatus = (run: Tracked, status: string) => {
    const wasFinal = FINAL.has(run.status);
    run.status = status;
    if (!wasFinal && FINAL.has(status)) for (const listener of finishedListeners) listener(run.id, status);
  };
  const fetchDetail = async (run: Tracked) => {
    try {
      const detail = await getJson<RunDetail>(`/api/runs/${encodeURIComponent(run.id)}`);
      // The detail may be older than events that arrived meanwhile: never undo a finished status.
      for (const step of detail.steps) {
        const name = `${step.asset}[${step.partition}]`;
        if (!DONE_STEPS.has(run.steps.get(name) ?? '')) run.steps.set(name, step.status);
      }
      if (!FINAL.has(run.status)) setStatus(run, detail.run.status);
      render(run);
    } catch {
      // The live events still update it.
    }
  };

  const stopEvents = onServerEvent((event) => {
    const data = event.data as RunEvent | StepEvent | { type: string };
    if (data.type === 'run' || data.type === 'step') apply(data as RunEvent | StepEvent);
  });
  let seenUp = false;
  const stopConnection = onConnectionChange((up) => {
    if (up && seenUp) for (const run of runs.values()) if (!FINAL.has(run.status)) void fetchDetail(run);
    seenUp ||= up;
  });

  return {
    element,
    track(launched, request) {
      element.hidden = false;
      const run: Tracked = { id: launched.runId, status: 'running', steps: new Map(), element: el('div', { 'data-tracked-run': launched.runId }) };
      runs.set(run.id, run);
      list.prepend(el('div', {}, el('div', { class: 'muted small' }, describeMaterialize(request), ` · ${launched.steps} step${launched.steps === 1 ? '' : 's'} planned`), run.element));
      render(run);
      for (const event of early.splice(0)) {
        if (event.runId === run.id) apply(event);
        else early.push(event);
      }
      void fetchDetail(run);
    },
    onFinished: (listener) => void finishedListeners.push(listener),
    dispose() {
      stopEvents();
      stopConnection();
    },
  };
}
