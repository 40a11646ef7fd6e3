// The rows an auditor's report is built from: steps with their runs, check results, and operators'
// reasons for reruns, from the store and from the exports of runs pruned from it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DuckDB } from '../io/duckdb.ts';
import { quoteLiteral, quoteLiteralList } from '../io/sql-text.ts';
import type { MetadataStore } from '../store/store.ts';
import type { AuditArchive } from './archive.ts';

/** A step that touched a session, with who started its run and why it ran. */
export interface ReportStep {
  readonly id: string;
  readonly runId: string;
  readonly asset: string;
  readonly partition: string;
  readonly status: string;
  readonly reason: string | null;
  readonly finishedAt: Date | null;
  readonly trigger: string;
  readonly triggeredBy: string;
}

export interface ReportCheck {
  readonly stepId: string | null;
  readonly asset: string;
  readonly partition: string;
  readonly check: string;
  readonly passed: boolean;
  readonly blocking: boolean;
}

export interface ReportSources {
  readonly steps: readonly ReportStep[];
  readonly checks: readonly ReportCheck[];
  /** Operators' reasons by run id (`operator.rematerialize`). */
  readonly reasons: ReadonlyMap<string, string>;
}

/** The first `YYYY-MM-DD` in a partition key: the session of `2026-11-20|PF001` or `2026-11-20T14:15`. */
export const DATE_IN_KEY = '[0-9]{4}-[0-9]{2}-[0-9]{2}';

/**
 * Reads the report's rows for partitions whose key holds a date from `from` to `to`: from the store,
 * and, when an archive is given, from the exports of runs pruned from it (a step in both counts once).
 */
export async function readReportSources({
  store,
  from,
  to,
  archive,
  duckdb,
}: {
  store: MetadataStore;
  from: string;
  to: string;
  archive?: AuditArchive | undefined;
  duckdb?: DuckDB | undefined;
}): Promise<ReportSources> {
  const hotSteps = await sql<{ id: string; run_id: string; asset: string; partition_key: string; status: string; reason: string | null; finished_at: Date | null; trigger: string; triggered_by: string }>`
    select s.id::text, s.run_id::text, s.asset, s.partition_key, s.status, s.reason, s.finished_at, r.trigger, r.triggered_by
    from steps s join runs r on r.id = s.run_id
    where substring(s.partition_key from ${DATE_IN_KEY}) between ${from} and ${to}`.execute(store.db);
  const hotChecks = await sql<{ step_id: string | null; asset: string; partition_key: string; check_name: string; passed: boolean; blocking: boolean }>`
    select step_id::text, asset, partition_key, check_name, passed, blocking from check_results
    where substring(partition_key from ${DATE_IN_KEY}) between ${from} and ${to}`.execute(store.db);
  const steps = new Map<string, ReportStep>();
  for (const row of hotSteps.rows) steps.set(row.id, { id: row.id, runId: row.run_id, asset: row.asset, partition: row.partition_key, status: row.status, reason: row.reason, finishedAt: row.finished_at, trigger: row.trigger, triggeredBy: row.triggered_by });
  const checks: ReportCheck[] = hotChecks.rows.map((row) => ({ stepId: row.step_id, asset: row.asset, partition: row.partition_key, check: row.check_name, passed: row.passed, blocking: row.blocking }));
  const hotCheckSteps = new Set(checks.map((check) => check.stepId));
  const reasons = new Map<string, string>();

  const anchor = await store.auditAnchor();
  const pruned = anchor ? (await store.listAuditArchives()).filter((record) => record.lastSeq <= anchor.seq) : [];
  if (archive && duckdb && pruned.length > 0) {
    const scratch = await mkdtemp(join(tmpdir(), 'daybook-audit-report-'));
    try {
      const files = async (file: string) => Promise.all(pruned.map((record) => archive.get(record.name, file, scratch)));
      const [stepFiles, runFiles, checkFiles, eventFiles] = [await files('steps.parquet'), await files('runs.parquet'), await files('check_results.parquet'), await files('events.parquet')];
      const inRange = (column: string) => `regexp_extract(${column}, ${quoteLiteral(DATE_IN_KEY)}) BETWEEN ${quoteLiteral(from)} AND ${quoteLiteral(to)}`;
      await duckdb.withConnection(async (connection) => {
        const archivedSteps = await connection.query<{ id: string; run_id: string; asset: string; partition_key: string; status: string; reason: string | null; finished_ms: bigint | null; trigger: string; triggered_by: string }>(
          `SELECT s.id, s.run_id, s.asset, s.partition_key, s.status, s.reason, epoch_ms(s.finished_at) AS finished_ms, r.trigger, r.triggered_by
           FROM read_parquet(${quoteLiteralList(stepFiles)}) s JOIN read_parquet(${quoteLiteralList(runFiles)}) r ON r.id = s.run_id
           WHERE ${inRange('s.partition_key')}`,
        );
        for (const row of archivedSteps) {
          if (steps.has(row.id)) continue;
          steps.set(row.id, {
            id: row.id,
            runId: row.run_id,
            asset: row.asset,
            partition: row.partition_key,
            status: row.status,
            reason: row.reason,
            finishedAt: row.finished_ms === null ? null : new Date(Number(row.finished_ms)),
            trigger: row.trigger,
            triggeredBy: row.triggered_by,
          });
        }
        const archivedChecks = await connection.query<{ step_id: string | null; asset: string; partition_key: string; check_name: string; passed: boolean; blocking: boolean }>(
          `SELECT DISTINCT id, step_id, asset, partition_key, check_name, passed, blocking FROM read_parquet(${quoteLiteralList(checkFiles)}) WHERE ${inRange('partition_key')}`,
        );
        for (const row of archivedChecks) {
          if (row.step_id !== null && hotCheckSteps.has(row.step_id)) continue;
          checks.push({ stepId: row.step_id, asset: row.asset, partition: row.partition_key, check: row.check_name, passed: row.passed, blocking: row.blocking });
        }
        const archivedReasons = await connection.query<{ run_id: string; reason: string | null }>(
          `SELECT run_id, json_extract_string(payload, '$.reason') AS reason FROM read_parquet(${quoteLiteralList(eventFiles)}) WHERE action = 'operator.rematerialize'`,
        );
        for (const row of archivedReasons) if (row.reason !== null) reasons.set(row.run_id, row.reason);
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  const runIds = [...new Set([...steps.values()].map((step) => step.runId))];
  for (let i = 0; i < runIds.length; i += 1_000) {
    const rows = await sql<{ run_id: string; reason: string | null }>`
      select run_id::text, payload::jsonb->>'reason' as reason from audit_events
      where action = 'operator.rematerialize' and run_id = any(${runIds.slice(i, i + 1_000)}::uuid[])`.execute(store.db);
    for (const row of rows.rows) if (row.reason !== null) reasons.set(row.run_id, row.reason);
  }
  return { steps: [...steps.values()], checks, reasons };
}
