// The asset page's panels that render straight from AssetDetail: freshness and SLA, the
// definition, check results with failing sample rows, materialization history and publishes.
import type { AssetDetail, CheckResultView, EdgeView } from '../../../server/api-types.ts';
import { badge, el } from '../dom.ts';
import { formatAgo, formatBytes, formatCount, formatTime, shortVersion } from '../format.ts';
import { href } from '../router.ts';
import { facts, panel, table, timeCell } from './common.ts';

/** Freshness of the latest expected partition, and the SLA. */
export function freshnessPanel(asset: AssetDetail): HTMLElement {
  const { freshness, sla } = asset;
  return panel(
    'Freshness and SLA',
    facts([
      ['status', badge(freshness.status)],
      ['partition', el('code', {}, freshness.partition === '' ? '(unpartitioned)' : freshness.partition)],
      ['covers', `${formatCount(freshness.partitions)} partition${freshness.partitions === 1 ? '' : 's'}`],
      ['data version', el('code', { title: freshness.dataVersion ?? '' }, shortVersion(freshness.dataVersion))],
      ['materialized', freshness.materializedAt === null ? '—' : `${formatTime(freshness.materializedAt)} (${formatAgo(freshness.materializedAt)})`],
      ['checks', badge(freshness.checks === 'none' ? 'none' : freshness.checks)],
      [
        'SLA',
        sla === null
          ? el('span', { class: 'muted' }, 'none')
          : el(
              'span',
              {},
              `${sla.deadline} ${sla.tz}${sla.calendar ? ` on ${sla.calendar} sessions` : ''} for the ${words(sla.partition)}`,
            ),
      ],
      [
        'deadline',
        freshness.sla === null
          ? null
          : el('span', {}, badge(freshness.sla.state), ` ${formatTime(freshness.sla.deadline)} (${formatAgo(freshness.sla.deadline)})`),
      ],
    ]),
  );
}

/** What the asset is: code version, partitions, compute, deps and publish targets. */
export function definitionPanel(asset: AssetDetail): HTMLElement {
  const edge = (view: EdgeView) =>
    el('div', {}, el('a', { href: href('/assets', view.asset) }, view.asset), el('span', { class: 'muted small' }, ` as ${view.as} · ${mapping(view.mapping)}${view.declared ? '' : ' (inferred)'}`));
  return panel(
    'Definition',
    facts([
      ['code version', asset.codeVersion === null ? null : el('code', {}, asset.codeVersion)],
      ['partitions', asset.partitionsDescription],
      ['key format', el('span', { class: 'small' }, asset.keyFormat)],
      ['compute', asset.compute.kind],
      ['location', asset.location === null ? null : el('code', {}, asset.location.pattern)],
      ['reads', asset.deps.length === 0 ? el('span', { class: 'muted' }, 'nothing') : el('div', {}, ...asset.deps.map(edge))],
      ['read by', asset.dependents.length === 0 ? el('span', { class: 'muted' }, 'nothing') : el('div', {}, ...asset.dependents.map(edge))],
      ['publishes to', asset.publish.length === 0 ? el('span', { class: 'muted' }, 'nowhere') : asset.publish.join(', ')],
    ]),
    asset.compute.sql === null ? null : el('details', {}, el('summary', {}, 'SQL'), el('pre', { class: 'log' }, asset.compute.sql.trim())),
  );
}

/**
 * One line per declared check with its latest result and how the recent ones went, then the recent
 * failures, each with its failing sample rows.
 */
export function checksPanel(asset: AssetDetail): HTMLElement {
  const { definitions, latest } = asset.checks;
  const failures = latest.filter((result) => !result.passed);
  const rows = definitions.map((definition) => {
    const results = latest.filter((result) => result.check === definition.name);
    const failed = results.filter((result) => !result.passed).length;
    const last = results[0];
    return [
      el('div', {}, el('b', {}, definition.name), definition.description === null ? null : el('div', { class: 'muted small' }, definition.description)),
      `${definition.severity}${definition.blocking ? ' (blocking)' : ''}`,
      last === undefined ? el('span', { class: 'muted' }, 'never run') : el('span', {}, resultBadge(last), ' ', el('code', {}, last.partition)),
      results.length === 0 ? '—' : `${results.length - failed} passed${failed > 0 ? `, ${failed} failed` : ''}`,
      last === undefined ? null : el('div', { class: 'small' }, last.message, metrics(last)),
    ];
  });
  return panel(
    `Checks (${definitions.length})`,
    definitions.length === 0
      ? el('p', { class: 'muted' }, 'This asset declares no checks.')
      : table(['Check', 'Severity', 'Latest', `Last ${latest.length} results`, 'Latest message'], rows),
    failures.length === 0 ? null : el('h2', { style: 'margin-top: 16px' }, `Recent failures (${failures.length})`),
    ...failures.slice(0, 10).map((result) =>
      el(
        'div',
        { class: 'check-failure' },
        el('div', {}, resultBadge(result), ' ', el('b', {}, result.check), ' on ', el('code', {}, result.partition), ` at ${formatTime(result.createdAt)}: ${result.message}`),
        metrics(result),
        result.sample.length === 0 ? null : sampleRows(result),
      ),
    ),
  );
}

function resultBadge(result: CheckResultView): HTMLElement {
  return badge(result.passed ? 'passed' : result.blocking ? 'failed' : 'warn', result.passed ? 'passed' : 'failed');
}

/** The failing rows a check kept, as a table. */
export function sampleRows(result: CheckResultView): HTMLElement {
  const columns = [...new Set(result.sample.flatMap((row) => Object.keys(row)))];
  return el(
    'details',
    { class: 'sample', open: true },
    el('summary', {}, `${result.sample.length} failing row${result.sample.length === 1 ? '' : 's'}`),
    table(columns, result.sample.map((row) => columns.map((column) => cell(row[column])))),
  );
}

function metrics(result: CheckResultView): HTMLElement | null {
  const entries = Object.entries(result.metrics);
  if (entries.length === 0) return null;
  return el('div', { class: 'muted small mono' }, entries.map(([name, value]) => `${name}=${cell(value)}`).join(' '));
}

/** The most recent current materializations, with what each consumed. */
export function historyPanel(asset: AssetDetail): HTMLElement {
  return panel(
    'Materialization history',
    table(
      ['Partition', 'Data version', 'Code', '#Rows', '#Bytes', 'Inputs', 'Run', 'When'],
      asset.materializations.map((m) => {
        const inputs = Object.entries(m.consumed).flatMap(([upstream, partitions]) =>
          Object.entries(partitions).map(([partition, version]) => `${upstream}[${partition}] ${shortVersion(version)}`),
        );
        return [
          el('code', {}, m.partition),
          el('code', { title: m.dataVersion }, shortVersion(m.dataVersion)),
          m.codeVersion,
          formatCount(m.rowCount),
          formatBytes(m.bytes),
          inputs.length === 0
            ? el('span', { class: 'muted' }, 'none')
            : el('details', {}, el('summary', {}, `${inputs.length} input${inputs.length === 1 ? '' : 's'}`), el('div', { class: 'mono small' }, ...inputs.map((line) => el('div', {}, line)))),
          m.runId === null ? null : el('a', { href: href('/runs', m.runId), class: 'mono' }, m.runId.slice(0, 8)),
          timeCell(m.createdAt),
        ];
      }),
      'never materialized',
    ),
  );
}

/** The most recent publishes to the asset's targets. */
export function publishesPanel(asset: AssetDetail): HTMLElement | null {
  if (asset.publish.length === 0) return null;
  return panel(
    'Publishes',
    table(
      ['Partition', 'Target', 'Data version', 'Written', 'When', 'Where'],
      asset.publishes.map((p) => [
        el('code', {}, p.partition),
        p.target,
        el('code', { title: p.dataVersion }, shortVersion(p.dataVersion)),
        p.published ? 'yes' : el('span', { class: 'muted' }, 'already there'),
        timeCell(p.at),
        el('code', { class: 'small' }, p.uri),
      ]),
      'nothing published yet',
    ),
  );
}

/**
 * A mapping spec in words: `identity`, `offset (by -1)`, `date: identity, portfolio: identity`.
 */
function mapping(spec: Record<string, unknown>): string {
  const kind = typeof spec.kind === 'string' ? spec.kind : 'mapping';
  if (kind === 'dimensions' && typeof spec.dimensions === 'object' && spec.dimensions !== null) {
    return Object.entries(spec.dimensions as Record<string, Record<string, unknown>>)
      .map(([name, inner]) => `${name}: ${mapping(inner)}`)
      .join(', ');
  }
  const rest = Object.entries(spec).filter(([name]) => name !== 'kind');
  return rest.length === 0 ? kind : `${kind} (${rest.map(([name, value]) => `${name} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(', ')})`;
}

function words(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
