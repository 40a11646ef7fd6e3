// The auditor's report (docs/audit.md): per asset and session, materializations, checks, reruns
// with their reasons and who triggered them, and SLA outcomes, for a range of sessions. Printable,
// and downloadable as the CSV of `daybook audit report`.
import type { AuditReport, AuditReportRow } from '../../../server/api-types.ts';
import { getJson } from '../api.ts';
import { badge, el } from '../dom.ts';
import { onServerEvent } from '../events.ts';
import { formatCount, formatTime } from '../format.ts';
import { href, type Location, type Page } from '../router.ts';
import { readToken } from '../token.ts';
import { coalesce, errorBox, fill, pageHead, table, timeCell } from '../views/common.ts';
import { legend } from '../views/legend.ts';

const SLA_OUTCOMES = ['met', 'missed', 'pending'] as const;

/** `#/audit?from=YYYY-MM-DD&to=YYYY-MM-DD&asset=K`; without dates, the server's last 30 days. */
export function auditReportPage(location: Location): Page {
  const controller = new AbortController();
  const asset = location.query.get('asset') ?? '';
  const from = el('input', { type: 'date', value: location.query.get('from') ?? '', 'aria-label': 'first session' });
  const to = el('input', { type: 'date', value: location.query.get('to') ?? '', 'aria-label': 'last session' });
  const problems = el('div');
  const csv = el('a', { class: 'secondary', 'data-testid': 'download-csv', download: '', onclick: (event: Event) => downloadWithToken(event, csv, problems) }, 'Download CSV');
  const heading = el('h2', {}, 'Sessions');
  const summary = el('div', { class: 'counts' });
  const results = el('div');
  const reruns = el('div');

  // Dates left out of the URL follow the server's today, so `#/audit` stays a rolling bookmark.
  let picked = { from: from.value, to: to.value };
  const load = () => {
    const query = { ...picked, asset };
    const next = href('/audit', '', query);
    if (next !== window.location.hash) history.replaceState(null, '', next);
    const shown = fill(results, getJson<AuditReport>('/api/audit/report', query, controller.signal), (report) => {
      // The server fills in the dates the request left out, from its own clock.
      from.value = report.from;
      to.value = report.to;
      csv.href = `/api/audit/report?${new URLSearchParams({ from: report.from, to: report.to, ...(asset === '' ? {} : { asset }), format: 'csv' })}`;
      heading.textContent = `Sessions ${report.from} … ${report.to}${asset === '' ? '' : ` of ${asset}`}, generated ${formatTime(report.generatedAt)}`;
      summary.replaceChildren(...summaryCounts(report.rows));
      reruns.replaceChildren(rerunTable(report.rows));
      return sessionTable(report.rows);
    });
    // A refused range (from after to) must not leave the previous range's totals on screen.
    void shown.then((report) => {
      if (report !== undefined) return;
      summary.replaceChildren();
      reruns.replaceChildren();
    });
  };
  const pick = () => {
    picked = { from: from.value, to: to.value };
    load();
  };
  from.addEventListener('change', pick);
  to.addEventListener('change', pick);
  const refresh = coalesce(load, 1_000);
  const stop = onServerEvent((event) => event.type === 'run' && refresh());
  load();

  const controls = el(
    'div',
    { class: 'form-row no-print' },
    el('label', {}, 'from ', from),
    el('label', {}, 'to ', to),
    csv,
    el('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print'),
  );
  return {
    element: el(
      'div',
      { class: 'audit-report' },
      pageHead('Audit report', 'per asset and session: materializations, checks, reruns with their reasons and who triggered them, and SLA outcomes', controls),
      problems,
      asset === '' ? null : el('div', { class: 'notice no-print' }, `Only ${asset}. `, el('a', { href: href('/audit', '', { from: from.value, to: to.value }) }, 'Every asset')),
      el('section', { class: 'panel' }, heading, summary, el('div', { style: 'margin-top: 12px' }, results), legend(SLA_OUTCOMES, 'SLA met: every partition of the session first materialized by the deadline')),
      el('section', { class: 'panel' }, el('h2', {}, 'Reruns'), reruns),
    ),
    title: 'Audit report',
    dispose() {
      stop();
      refresh.cancel();
      controller.abort();
    },
  };
}

/** The report's totals: what an auditor reads first. */
function summaryCounts(rows: readonly AuditReportRow[]): HTMLElement[] {
  const sum = (of: (row: AuditReportRow) => number) => rows.reduce((total, row) => total + of(row), 0);
  const sla = (outcome: string) => rows.filter((row) => row.sla?.outcome === outcome).length;
  const count = (name: string, n: number) => el('span', { 'data-count': name }, el('b', {}, formatCount(n)), ` ${n === 1 ? name.replace(/s$/, '') : name}`);
  return [
    count('materializations', sum((row) => row.materializations)),
    count('failed steps', sum((row) => row.failures)),
    count('reruns', sum((row) => row.reruns.length)),
    count('check failures', sum((row) => row.checksFailed)),
    ...SLA_OUTCOMES.map((outcome) => el('span', { 'data-count': `sla ${outcome}` }, badge(outcome, `SLA ${outcome}: ${formatCount(sla(outcome))}`))),
  ];
}

function sessionTable(rows: readonly AuditReportRow[]): HTMLElement {
  return table(
    ['Asset', 'Session', '#Partitions', '#Materialized', '#Failed', 'Checks', '#Reruns', 'Triggered by', 'Materialized at', 'SLA'],
    rows.map((row) => [
      el('a', { href: href('/assets', row.asset) }, row.asset),
      el('code', {}, row.session),
      row.partitions,
      row.materializations,
      row.failures,
      el(
        'span',
        { class: 'nowrap' },
        `${row.checksPassed} passed`,
        row.checksFailed === 0 ? null : el('div', {}, `${row.checksFailed} failed`, row.checksFailedBlocking === 0 ? null : ` (${row.checksFailedBlocking} blocking)`),
      ),
      row.reruns.length === 0 ? 0 : el('span', {}, String(row.reruns.length), el('div', { class: 'muted small nowrap' }, Object.entries(row.rerunReasons).map(([reason, n]) => `${reason} ${n}`).join(', '))),
      row.triggeredBy.join(', '),
      row.firstMaterializedAt === row.lastMaterializedAt
        ? timeCell(row.firstMaterializedAt)
        : el('span', {}, timeCell(row.firstMaterializedAt), el('div', { class: 'muted small nowrap' }, `last ${formatTime(row.lastMaterializedAt)}`)),
      row.sla === null
        ? el('span', { class: 'muted' }, 'no SLA')
        : el(
            'span',
            { 'data-sla': row.sla.outcome },
            badge(row.sla.outcome),
            el('div', { class: 'muted small', title: row.sla.deadline }, `due ${minutes(row.sla.deadline)}`),
            el('div', { class: 'muted small', title: row.sla.readyAt ?? 'not ready' }, `ready ${minutes(row.sla.readyAt)}`),
          ),
    ]),
    'no step ran on a session of this range',
  );
}

/** `2026-11-17 06:30` in the browser's zone: a deadline to the minute. */
function minutes(value: string | null): string {
  return formatTime(value).slice(0, 16);
}

/** Every rerun of the range, with its reason, the operator's note and who triggered it. */
function rerunTable(rows: readonly AuditReportRow[]): HTMLElement {
  return table(
    ['Asset', 'Partition', 'Reason', 'Note', 'Triggered by', 'Trigger', 'Status', 'Finished', 'Run'],
    rows.flatMap((row) =>
      row.reruns.map((rerun) => [
        row.asset,
        el('code', {}, rerun.partition),
        rerun.reason,
        rerun.note,
        rerun.triggeredBy,
        rerun.trigger,
        badge(rerun.status),
        timeCell(rerun.at),
        el('a', { href: href('/runs', rerun.runId), class: 'mono' }, rerun.runId.slice(0, 13)),
      ]),
    ),
    'no partition was computed again in this range',
  );
}

/**
 * A plain link cannot carry the bearer token, so with a token stored the CSV is fetched with it and
 * saved from memory; without one (reads open on loopback) the link downloads as it is.
 */
function downloadWithToken(event: Event, link: HTMLAnchorElement, problems: HTMLElement): void {
  const token = readToken();
  if (token === undefined) return;
  event.preventDefault();
  problems.replaceChildren();
  void (async () => {
    try {
      const response = await fetch(link.href, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`${link.getAttribute('href')} answered ${response.status}: ${await response.text()}`);
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'audit-report.csv';
      const url = URL.createObjectURL(await response.blob());
      el('a', { href: url, download: name }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      problems.replaceChildren(errorBox(error));
    }
  })();
}
