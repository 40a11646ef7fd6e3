import type { AssetDefinition } from '../definitions/asset.ts';
import type { Definitions } from '../definitions/definitions.ts';
import { slaDeadline } from '../definitions/sla-deadline.ts';
import type { DuckDB } from '../io/duckdb.ts';
import type { Calendar } from '../partitions/calendar.ts';
import type { MetadataStore } from '../store/store.ts';
import { AuditError } from '../util/errors.ts';
import type { AuditArchive } from './archive.ts';
import { parseDayOption } from './day-option.ts';
import { readReportSources, type ReportStep } from './report-sources.ts';

/** A partition computed again after its first materialization, and why. */
export interface Rerun {
  readonly partition: string;
  readonly at: string | null;
  readonly status: string;
  /** The planner's reason: `forced`, `upstream-changed`, `code-changed` or `failed`. */
  readonly reason: string;
  /** The operator's own words, when they gave a reason (`daybook materialize --force --reason …`). */
  readonly note: string | null;
  readonly runId: string;
  readonly trigger: string;
  readonly triggeredBy: string;
}

/** An SLA's outcome for one session: met or missed by the time its partitions were all materialized. */
export interface SlaOutcome {
  readonly deadline: string;
  /** When the last of the session's partitions was first materialized; null while one never was. */
  readonly readyAt: string | null;
  readonly outcome: 'met' | 'missed' | 'pending';
}

/** One asset and session of the report. */
export interface AuditReportRow {
  readonly asset: string;
  readonly session: string;
  /** Partitions of the session that had a step. */
  readonly partitions: number;
  /** Steps that materialized a partition. */
  readonly materializations: number;
  /** Steps that failed or were blocked by a check. */
  readonly failures: number;
  readonly checksPassed: number;
  readonly checksFailed: number;
  readonly checksFailedBlocking: number;
  /** Steps that computed a partition for another reason than `missing`: reruns. */
  readonly reruns: readonly Rerun[];
  readonly rerunReasons: Readonly<Record<string, number>>;
  /** Who started the runs that computed the session, sorted. */
  readonly triggeredBy: readonly string[];
  readonly firstMaterializedAt: string | null;
  readonly lastMaterializedAt: string | null;
  /** Null for an asset without an SLA. */
  readonly sla: SlaOutcome | null;
}

export interface AuditReport {
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly rows: readonly AuditReportRow[];
}

export interface AuditReportOptions {
  store: MetadataStore;
  definitions: Definitions;
  /** Calendars by name, for SLAs on sessions. */
  calendars?: readonly Calendar[];
  /** First and last session, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  /** Epoch ms: an SLA whose deadline is later and unmet is `pending`. */
  now?: number;
  /** With both, runs pruned from the store are read from their exports. */
  archive?: AuditArchive;
  duckdb?: DuckDB;
}

const EXECUTED = new Set(['succeeded', 'failed', 'blocked-by-check']);

/**
 * The auditor's report: for each asset and session from `from` to `to`, its materializations,
 * failures, check results, reruns with their reasons and who triggered them, and whether its SLA
 * was met (the last of its partitions first materialized by the deadline). Built from the store's
 * steps, runs and check results, and from the exports of runs pruned from it.
 *
 * @example
 * const report = await auditReport({ store, definitions, calendars, from: '2026-11-01', to: '2026-11-30' });
 */
export async function auditReport({ store, definitions, calendars = [], from, to, now = Date.now(), archive, duckdb }: AuditReportOptions): Promise<AuditReport> {
  if (parseDayOption(from, '--from') > parseDayOption(to, '--to')) throw new AuditError('audit-invalid-request', `--from ${from} is after --to ${to}`, { field: 'from' });
  const sources = await readReportSources({ store, from, to, archive, duckdb });
  const groups = new Map<string, { asset: string; session: string; steps: ReportStep[] }>();
  for (const step of sources.steps) {
    const session = sessionOf(definitions, step.asset, step.partition);
    if (session === undefined || session < from || session > to) continue;
    const key = `${step.asset}\u0000${session}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { asset: step.asset, session, steps: [] }));
    group.steps.push(step);
  }
  const checksBy = new Map<string, { passed: number; failed: number; blocking: number }>();
  for (const check of sources.checks) {
    const session = sessionOf(definitions, check.asset, check.partition);
    if (session === undefined) continue;
    const key = `${check.asset}\u0000${session}`;
    const counts = checksBy.get(key) ?? { passed: 0, failed: 0, blocking: 0 };
    if (check.passed) counts.passed++;
    else {
      counts.failed++;
      if (check.blocking) counts.blocking++;
    }
    checksBy.set(key, counts);
  }
  // A session whose assets only ran checks (`daybook check`) still gets a row.
  for (const key of checksBy.keys()) {
    if (groups.has(key)) continue;
    const [asset, session] = key.split('\u0000') as [string, string];
    if (session >= from && session <= to) groups.set(key, { asset, session, steps: [] });
  }

  const rows = [...groups.entries()].map(([key, { asset, session, steps }]): AuditReportRow => {
    const ordered = [...steps].sort((a, b) => (a.finishedAt?.getTime() ?? Infinity) - (b.finishedAt?.getTime() ?? Infinity) || a.id.localeCompare(b.id));
    const succeeded = ordered.filter((step) => step.status === 'succeeded');
    const reruns = ordered
      .filter((step) => EXECUTED.has(step.status) && step.reason !== null && step.reason !== 'missing')
      .map((step) => ({
        partition: step.partition,
        at: step.finishedAt?.toISOString() ?? null,
        status: step.status,
        reason: step.reason!,
        note: sources.reasons.get(step.runId) ?? null,
        runId: step.runId,
        trigger: step.trigger,
        triggeredBy: step.triggeredBy,
      }));
    const rerunReasons: Record<string, number> = {};
    for (const rerun of reruns) rerunReasons[rerun.reason] = (rerunReasons[rerun.reason] ?? 0) + 1;
    const checks = checksBy.get(key) ?? { passed: 0, failed: 0, blocking: 0 };
    const definition = definitions.has(asset) ? definitions.get(asset) : undefined;
    return {
      asset,
      session,
      partitions: new Set(steps.map((step) => step.partition)).size,
      materializations: succeeded.length,
      failures: ordered.filter((step) => step.status === 'failed' || step.status === 'blocked-by-check').length,
      checksPassed: checks.passed,
      checksFailed: checks.failed,
      checksFailedBlocking: checks.blocking,
      reruns,
      rerunReasons,
      triggeredBy: [...new Set(steps.map((step) => step.triggeredBy))].sort(),
      firstMaterializedAt: succeeded[0]?.finishedAt?.toISOString() ?? null,
      lastMaterializedAt: succeeded.at(-1)?.finishedAt?.toISOString() ?? null,
      sla: definition?.sla ? slaOutcome(definition, session, succeeded, calendars, now) : null,
    };
  });
  rows.sort((a, b) => a.asset.localeCompare(b.asset) || a.session.localeCompare(b.session));
  return { from, to, generatedAt: new Date(now).toISOString(), rows };
}

/** The session (date) a partition belongs to: its time dimension's date, or the first date in the key of an asset no longer defined. */
export function sessionOf(definitions: Definitions, asset: string, partition: string): string | undefined {
  if (definitions.has(asset)) {
    const { partitions } = definitions.get(asset);
    const dimensions = partitions.dimensions;
    const at = dimensions ? dimensions.findIndex((dimension) => dimension.definition.time !== undefined) : partitions.time ? 0 : -1;
    if (at >= 0) return (dimensions ? partition.split('|')[at] : partition)?.slice(0, 10);
  }
  return /\d{4}-\d{2}-\d{2}/.exec(partition)?.[0];
}

/**
 * Met when every partition of the session was materialized by the deadline: the session is ready
 * when the last of them first was. The partitions are the session's keys in the definition (the
 * product of the other dimensions' keys), or those that ran when the definition cannot list them.
 */
function slaOutcome(asset: AssetDefinition, session: string, succeeded: readonly ReportStep[], calendars: readonly Calendar[], now: number): SlaOutcome {
  const sla = asset.sla!;
  const calendar = calendars.find((candidate) => candidate.name === sla.calendar) ?? sessionCalendar(asset);
  const deadline = slaDeadline(sla, session, calendar);
  const firstDone = new Map<string, number>();
  for (const step of succeeded) {
    const at = step.finishedAt?.getTime();
    const seen = firstDone.get(step.partition);
    if (at !== undefined && (seen === undefined || at < seen)) firstDone.set(step.partition, at);
  }
  const expected = sessionPartitions(asset, session) ?? [...firstDone.keys()];
  let readyAt: number | null = expected.length === 0 ? null : 0;
  for (const partition of expected) {
    const at = firstDone.get(partition);
    if (at === undefined) {
      readyAt = null;
      break;
    }
    readyAt = Math.max(readyAt!, at);
  }
  const outcome = readyAt !== null ? (readyAt <= deadline ? 'met' : 'missed') : now > deadline ? 'missed' : 'pending';
  return { deadline: new Date(deadline).toISOString(), readyAt: readyAt === null ? null : new Date(readyAt).toISOString(), outcome };
}

function sessionCalendar(asset: AssetDefinition): Calendar | undefined {
  const dimensions = asset.partitions.dimensions;
  if (!dimensions) return asset.partitions.time?.calendar;
  return dimensions.find((dimension) => dimension.definition.time)?.definition.time?.calendar;
}

/** The keys of a session: one per combination of the other dimensions' keys (at most 10,000); undefined when it has no time dimension. */
function sessionPartitions(asset: AssetDefinition, session: string): string[] | undefined {
  const { partitions } = asset;
  if (!partitions.dimensions) return partitions.time && partitions.tryIndexOf(session) >= 0 ? [session] : undefined;
  const at = partitions.dimensions.findIndex((dimension) => dimension.definition.time !== undefined);
  if (at < 0 || partitions.dimensions[at]!.definition.tryIndexOf(session) < 0) return undefined;
  let keys: string[][] = [[]];
  for (const [d, dimension] of partitions.dimensions.entries()) {
    const values = d === at ? [session] : Array.from({ length: dimension.definition.size() }, (_, i) => dimension.definition.keyAt(i));
    keys = keys.flatMap((prefix) => values.map((value) => [...prefix, value]));
    if (keys.length > 10_000) return undefined;
  }
  return keys.map((parts) => parts.join('|'));
}

const CSV_COLUMNS = [
  'asset',
  'session',
  'partitions',
  'materializations',
  'failures',
  'checks_passed',
  'checks_failed',
  'checks_failed_blocking',
  'reruns',
  'rerun_reasons',
  'rerun_triggered_by',
  'rerun_notes',
  'triggered_by',
  'first_materialized_at',
  'last_materialized_at',
  'sla_deadline',
  'sla_ready_at',
  'sla_outcome',
] as const;

/**
 * The report as CSV (RFC 4180, a header line, `\r\n` line ends): one line per asset and session.
 * Lists inside a cell are joined by `;`, and rerun reasons read `reason:count`.
 */
export function auditReportCsv(report: AuditReport): string {
  const cell = (value: string | number | null): string => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = report.rows.map((row) =>
    [
      row.asset,
      row.session,
      row.partitions,
      row.materializations,
      row.failures,
      row.checksPassed,
      row.checksFailed,
      row.checksFailedBlocking,
      row.reruns.length,
      Object.entries(row.rerunReasons)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, count]) => `${reason}:${count}`)
        .join(';'),
      [...new Set(row.reruns.map((rerun) => rerun.triggeredBy))].sort().join(';'),
      [...new Set(row.reruns.flatMap((rerun) => (rerun.note === null ? [] : [rerun.note])))].join(';'),
      row.triggeredBy.join(';'),
      row.firstMaterializedAt,
      row.lastMaterializedAt,
      row.sla?.deadline ?? null,
      row.sla?.readyAt ?? null,
      row.sla?.outcome ?? null,
    ]
      .map(cell)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
