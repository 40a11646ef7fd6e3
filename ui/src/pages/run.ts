// One run: status and counts, the step timeline, each failed step's context (error, log tail,
// inputs with versions, the check that blocked it), and every step. Live while it runs.
import type { LaunchedRun, RunDetail, StepView } from '../../../server/api-types.ts';
import { getJson, postJson } from '../api.ts';
import { badge, el, replaceChildren } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatDuration, formatTime, shortVersion } from '../format.ts';
import { href, type Page } from '../router.ts';
import { sampleRows } from '../views/asset-sections.ts';
import { coalesce, errorBox, facts, pageHead, panel, table, timeCell } from '../views/common.ts';
import { createGantt } from '../views/gantt.ts';
import { describeRequest } from './runs.ts';

const FAILED = new Set(['failed', 'blocked-by-check']);

/** `#/runs/<id>`. */
export function runPage(id: string): Page {
  const controller = new AbortController();
  const element = el('div', { class: 'stack' }, el('div', { class: 'loading' }, `loading run ${id}…`));
  const message = el('div');
  let ticking: ReturnType<typeof setInterval> | undefined;

  const load = async () => {
    try {
      const detail = await getJson<RunDetail>(`/api/runs/${encodeURIComponent(id)}`, {}, controller.signal);
      render(detail);
      const active = detail.run.status === 'running' || detail.run.status === 'queued';
      if (active && ticking === undefined) ticking = setInterval(() => void load(), 2000);
      if (!active && ticking !== undefined) {
        clearInterval(ticking);
        ticking = undefined;
      }
    } catch (error) {
      if (!controller.signal.aborted && element.querySelector('.gantt') === null) replaceChildren(element, errorBox(error));
    }
  };

  const act = async (action: 'cancel' | 'retry-failed') => {
    try {
      const answer = await postJson<LaunchedRun | { runId: string }>(`/api/runs/${encodeURIComponent(id)}/${action}`, {});
      if (action === 'retry-failed') window.location.hash = href('/runs', answer.runId);
      else void load();
    } catch (error) {
      replaceChildren(message, errorBox(error));
    }
  };

  const render = (detail: RunDetail) => {
    const { run, steps, counts } = detail;
    const start = Date.parse(run.startedAt ?? run.createdAt);
    // Steps that ran and failed get their context; those held back by them (never attempted) are listed once.
    const failed = steps.filter((step) => FAILED.has(step.status) && step.attempts > 0);
    const heldBack = steps.filter((step) => (FAILED.has(step.status) || step.status === 'upstream-failed') && step.attempts === 0);
    const actions = [
      run.active ? el('button', { class: 'secondary', type: 'button', onclick: () => void act('cancel') }, 'Cancel run') : null,
      !run.active && steps.some((step) => FAILED.has(step.status) || step.status === 'upstream-failed')
        ? el('button', { class: 'secondary', type: 'button', onclick: () => void act('retry-failed') }, 'Retry failed')
        : null,
    ].filter((action): action is HTMLButtonElement => action !== null);
    replaceChildren(
      element,
      pageHead(
        el('span', {}, 'Run ', el('span', { class: 'mono' }, run.id), ' ', el('span', { 'data-testid': 'run-status' }, badge(run.status))),
        `${run.trigger} by ${run.triggeredBy} · ${run.selection} · ${describeRequest(run.partitionRequest)}`,
        ...actions,
      ),
      message,
      el(
        'div',
        { class: 'panels' },
        panel(
          'Summary',
          facts([
            ['created', formatTime(run.createdAt)],
            ['started', formatTime(run.startedAt)],
            ['finished', formatTime(run.finishedAt)],
            ['took', formatDuration(run.durationMs)],
            ['message', run.message],
            ['backfill', run.backfillId],
          ]),
        ),
        panel(
          'Steps by status',
          el('div', { class: 'counts' }, ...Object.entries(counts).filter(([, n]) => n > 0).map(([status, n]) => el('span', {}, badge(status, `${n} ${status}`)))),
        ),
      ),
      panel(`Timeline (${steps.length} steps)`, steps.length === 0 ? el('p', { class: 'muted' }, 'Nothing to do: every requested partition was fresh.') : createGantt({ steps, start, now: run.finishedAt === null ? Date.now() : Date.parse(run.finishedAt) })),
      ...failed.map((step) => failedStep(id, step)),
      heldBack.length === 0
        ? null
        : panel(
            `Held back (${heldBack.length})`,
            el('p', { class: 'muted' }, 'These steps never ran because a step they read from failed or was blocked by a check.'),
            el('div', { class: 'counts' }, ...heldBack.map((step) => el('span', { title: step.error ?? '' }, badge(step.status, `${step.asset}[${step.partition}]`)))),
          ),
      panel('Steps', stepTable(steps)),
    );
  };

  const refresh = coalesce(() => void load(), 250);
  const stop = onServerEvent((event) => {
    const data = event.data as { runId?: string };
    if (data.runId === id) refresh();
  });
  void load();
  return {
    element,
    title: `run ${id.slice(0, 8)}`,
    dispose() {
      stop();
      refresh.cancel();
      controller.abort();
      if (ticking !== undefined) clearInterval(ticking);
    },
  };
}

/** Everything an operator needs about a failed step without a terminal. */
function failedStep(runId: string, step: StepView): HTMLElement {
  const blocking = step.checks.filter((check) => !check.passed && check.blocking);
  const section = panel(
    el('span', {}, badge(step.status), ' ', el('a', { href: href('/assets', step.asset) }, step.asset), ' ', el('code', {}, step.partition)),
    facts([
      ['reason planned', step.reason],
      ['attempts', String(step.attempts)],
      ['error', step.error === null ? null : el('pre', { class: 'log wrap' }, step.error)],
    ]),
    el('h2', { style: 'margin-top: 12px' }, 'Inputs'),
    table(
      ['Input', 'Partition', 'Version'],
      step.inputs.map((input) => [el('a', { href: href('/assets', input.asset) }, input.asset), el('code', {}, input.partition), el('code', { title: input.version }, shortVersion(input.version))]),
      'no inputs were read',
    ),
    blocking.length === 0 ? null : el('h2', { style: 'margin-top: 12px' }, 'Blocked by'),
    ...blocking.map((check) => el('div', {}, el('b', {}, check.check), ` (${check.severity}): ${check.message}`, check.sample.length === 0 ? null : sampleRows(check))),
    el('h2', { style: 'margin-top: 12px' }, 'Log tail'),
    step.logTail === null ? el('p', { class: 'muted' }, 'no log') : el('pre', { class: 'log' }, step.logTail),
  );
  section.classList.add('failed-step');
  section.dataset.step = step.id;
  section.dataset.run = runId;
  return section;
}

function stepTable(steps: readonly StepView[]): HTMLElement {
  return table(
    ['Asset', 'Partition', 'Status', 'Reason', '#Attempts', 'Started', '#Took', 'Message'],
    steps.map((step) => [
      el('a', { href: href('/assets', step.asset) }, step.asset),
      el('code', {}, step.partition),
      badge(step.status),
      step.reason,
      String(step.attempts),
      timeCell(step.startedAt),
      formatDuration(step.durationMs),
      step.error === null ? null : el('span', { class: 'small' }, step.error.length > 160 ? `${step.error.slice(0, 159)}…` : step.error),
    ]),
    'no steps',
  );
}
