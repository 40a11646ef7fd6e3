// The auditor's report on real runs (DuckDB, PGlite, and PostgreSQL when set): its figures equal
// the store's, counted here independently in SQL; reruns carry their reasons and who ran them; SLA
// outcomes follow the deadlines; and pruning the store changes nothing, because the report reads
// the pruned runs from their export.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rowCount, sql as sqlCheck } from '../../../checks/index.ts';
import { weekdays } from '../../../calendars/index.ts';
import { localAuditArchive } from '../../../framework/audit/archive.ts';
import { exportAudit } from '../../../framework/audit/export.ts';
import { pruneAudit } from '../../../framework/audit/prune.ts';
import { auditReport, auditReportCsv, type AuditReport } from '../../../framework/audit/report.ts';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  fixedClock,
  materialize,
  multi,
  sessions,
  staticKeys,
  type DuckDB,
  type MaterializeOptions,
  type MetadataStore,
} from '../../../framework/index.ts';
import { migratedPgliteStore } from '../../support/pglite-template.ts';
import { storeKinds, testDatabaseUrl, type StoreKind } from '../../support/test-stores.ts';

const calendar = weekdays({ name: 'WKD' });
const days = sessions(calendar, { start: '2026-11-02' });
const premarket = { deadline: '06:30', tz: 'America/New_York', calendar: 'WKD', partition: 'previousSession' } as const;
const definitions = defineDefinitions([
  defineAsset({
    key: 't/prices',
    partitions: days,
    compute: 'select 1 as px',
    checks: [rowCount({ min: 1 }), sqlCheck({ name: 'never_passes', sql: 'select * from output', severity: 'warn' })],
  }),
  defineAsset({ key: 't/positions', partitions: multi({ date: days, portfolio: staticKeys(['P1', 'P2']) }), compute: 'select 1 as qty', sla: premarket }),
  defineAsset({ key: 't/flaky', partitions: days, compute: "select case when getvariable('partition_date') = '2026-11-03' then error('feed down') else 1 end as x" }),
]);

async function openStore(kind: StoreKind, root: string, clock: ReturnType<typeof fixedClock>): Promise<{ store: MetadataStore; drop: () => Promise<void> }> {
  if (kind === 'pglite') return { store: await createStore({ url: '', directory: await migratedPgliteStore(join(root, 'store')), clock, actor: 'ops' }), drop: async () => undefined };
  const schema = `report_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    store: await createStore({ url: testDatabaseUrl!, schema, clock, actor: 'ops' }),
    drop: async () => {
      const client = new pg.Client({ connectionString: testDatabaseUrl! });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** The report's counts, computed independently with SQL over the store's tables. */
async function storeFigures(store: MetadataStore) {
  const steps = await sql<{ asset: string; session: string; materializations: number; failures: number; reruns: number; partitions: number }>`
    select asset, substring(partition_key from '[0-9]{4}-[0-9]{2}-[0-9]{2}') as session,
      count(*) filter (where status = 'succeeded')::int as materializations,
      count(*) filter (where status in ('failed', 'blocked-by-check'))::int as failures,
      count(*) filter (where status in ('succeeded', 'failed', 'blocked-by-check') and reason <> 'missing')::int as reruns,
      count(distinct partition_key)::int as partitions
    from steps group by 1, 2 order by 1, 2`.execute(store.db);
  const checks = await sql<{ asset: string; session: string; passed: number; failed: number }>`
    select asset, substring(partition_key from '[0-9]{4}-[0-9]{2}-[0-9]{2}') as session,
      count(*) filter (where passed)::int as passed, count(*) filter (where not passed)::int as failed
    from check_results group by 1, 2`.execute(store.db);
  return steps.rows.map((row) => {
    const check = checks.rows.find((c) => c.asset === row.asset && c.session === row.session);
    return { ...row, checksPassed: check?.passed ?? 0, checksFailed: check?.failed ?? 0 };
  });
}

const figuresOf = (report: AuditReport) =>
  report.rows.map((row) => ({
    asset: row.asset,
    session: row.session,
    materializations: row.materializations,
    failures: row.failures,
    reruns: row.reruns.length,
    partitions: row.partitions,
    checksPassed: row.checksPassed,
    checksFailed: row.checksFailed,
  }));

for (const kind of storeKinds('audit report')) {
  describe(`the audit report on ${kind}`, () => {
    it('counts materializations, failures, checks and reruns as the store does, with reasons, actors and SLA outcomes, before and after a prune', async () => {
      const root = await mkdtemp(join(tmpdir(), 'daybook-audit-report-'));
      const clock = fixedClock(Date.parse('2026-11-03T10:00:00Z'));
      const { store, drop } = await openStore(kind, root, clock);
      const duckdb: DuckDB = await createDuckDB({ threads: 2 });
      const engine = {
        definitions,
        store,
        storage: createLocalPartitionStorage({ root: join(root, 'storage'), durable: false }),
        duckdb,
        observer: createSourceObserver({ landing: join(root, 'landing') }),
        concurrency: 2,
        retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
        timeoutMs: 0,
      };
      const at = async (iso: string, options: MaterializeOptions) => {
        clock.set(Date.parse(iso));
        return materialize(engine, { ...options, partitions: { ...options.partitions, endedBy: clock.now() } });
      };
      try {
        // 11-02 at 05:00 New York, before the 06:30 deadline on the next session (11-03).
        await at('2026-11-03T10:00:00Z', { partitions: { partition: '2026-11-02' }, trigger: 'schedule', actor: 'scheduler' });
        // 11-03 at 07:00 New York on 11-04: after its deadline. The flaky feed fails.
        await at('2026-11-04T12:00:00Z', { partitions: { partition: '2026-11-03' }, trigger: 'schedule', actor: 'scheduler' });
        // Carol reruns one portfolio of 11-02 with a reason; dave and erin rerun 11-02's prices.
        const carol = await at('2026-11-05T09:00:00Z', { selection: 't/positions', partitions: { partition: '2026-11-02|P1' }, force: true, actor: 'carol' });
        await store.recordOperatorAction({ actor: 'carol', action: 'rematerialize', runId: carol.runId, reason: 'corrected executions' });
        await at('2026-11-05T09:10:00Z', { selection: 't/prices', partitions: { partition: '2026-11-02' }, force: true, actor: 'dave' });
        await at('2026-11-05T09:20:00Z', { selection: 't/prices', partitions: { partition: '2026-11-02' }, force: true, actor: 'erin' });
        // 11-04: only P1 of the positions is ever materialized.
        await at('2026-11-05T10:00:00Z', { selection: 't/positions', partitions: { partition: '2026-11-04|P1' }, trigger: 'schedule', actor: 'scheduler' });

        clock.set(Date.parse('2026-11-22T12:00:00Z'));
        const report = await auditReport({ store, definitions, calendars: [calendar], from: '2026-11-02', to: '2026-11-04', now: clock.now() });
        expect(figuresOf(report)).toEqual(await storeFigures(store));

        const row = (asset: string, session: string) => report.rows.find((r) => r.asset === asset && r.session === session)!;
        expect(row('t/positions', '2026-11-02')).toMatchObject({
          partitions: 2,
          materializations: 3,
          rerunReasons: { forced: 1 },
          reruns: [{ partition: '2026-11-02|P1', reason: 'forced', note: 'corrected executions', triggeredBy: 'carol', trigger: 'manual', runId: carol.runId, status: 'succeeded' }],
          triggeredBy: ['carol', 'scheduler'],
          firstMaterializedAt: '2026-11-03T10:00:00.000Z',
          lastMaterializedAt: '2026-11-05T09:00:00.000Z',
          sla: { deadline: '2026-11-03T11:30:00.000Z', readyAt: '2026-11-03T10:00:00.000Z', outcome: 'met' },
        });
        expect(row('t/positions', '2026-11-03').sla).toEqual({ deadline: '2026-11-04T11:30:00.000Z', readyAt: '2026-11-04T12:00:00.000Z', outcome: 'missed' });
        expect(row('t/positions', '2026-11-04').sla).toEqual({ deadline: '2026-11-05T11:30:00.000Z', readyAt: null, outcome: 'missed' });
        expect(row('t/prices', '2026-11-02')).toMatchObject({ materializations: 3, rerunReasons: { forced: 2 }, triggeredBy: ['dave', 'erin', 'scheduler'], checksPassed: 3, checksFailed: 3, checksFailedBlocking: 0, sla: null });
        expect(row('t/flaky', '2026-11-03')).toMatchObject({ materializations: 0, failures: 1 });

        // Pending until the deadline passes.
        const early = await auditReport({ store, definitions, calendars: [calendar], from: '2026-11-04', to: '2026-11-04', now: Date.parse('2026-11-05T11:00:00Z') });
        expect(early.rows.find((r) => r.asset === 't/positions')!.sla!.outcome).toBe('pending');

        // CSV carries the same figures.
        const csv = auditReportCsv(report).trimEnd().split('\r\n');
        expect(csv[0]).toBe(
          'asset,session,partitions,materializations,failures,checks_passed,checks_failed,checks_failed_blocking,reruns,rerun_reasons,rerun_triggered_by,rerun_notes,triggered_by,first_materialized_at,last_materialized_at,sla_deadline,sla_ready_at,sla_outcome',
        );
        expect(csv).toContain('t/positions,2026-11-02,2,3,0,0,0,0,1,forced:1,carol,corrected executions,carol;scheduler,2026-11-03T10:00:00.000Z,2026-11-05T09:00:00.000Z,2026-11-03T11:30:00.000Z,2026-11-03T10:00:00.000Z,met');
        expect(csv).toHaveLength(report.rows.length + 1);

        // Export everything, prune it: dave's run goes from the store, and the report stays the same.
        const archive = localAuditArchive({ directory: join(root, 'archive') });
        clock.set(Date.parse('2026-11-22T12:00:00Z'));
        await exportAudit({ store, archive, duckdb, to: '2026-11-21', now: clock.now() });
        const pruned = await pruneAudit({ store, archive, duckdb, retentionDays: 10, now: clock.now() });
        expect(pruned.pruned).toMatchObject({ runs: 1 });
        const withoutArchive = await auditReport({ store, definitions, calendars: [calendar], from: '2026-11-02', to: '2026-11-04', now: clock.now() });
        expect(withoutArchive.rows.find((r) => r.asset === 't/prices' && r.session === '2026-11-02')!.rerunReasons).toEqual({ forced: 1 });
        const afterPrune = await auditReport({ store, definitions, calendars: [calendar], from: '2026-11-02', to: '2026-11-04', now: clock.now(), archive, duckdb });
        expect(afterPrune.rows).toEqual(report.rows);
      } finally {
        await store.close();
        duckdb.close();
        await drop();
        await rm(root, { recursive: true, force: true });
      }
    });

    it('refuses a range that is not two dates in order, naming the option', async () => {
      const root = await mkdtemp(join(tmpdir(), 'daybook-audit-report-'));
      const { store, drop } = await openStore(kind, root, fixedClock(0));
      try {
        await expect(auditReport({ store, definitions, from: '2026-11-31', to: '2026-12-01' })).rejects.toMatchObject({ code: 'audit-invalid-request', field: 'from' });
        await expect(auditReport({ store, definitions, from: '2026-12-02', to: '2026-12-01' })).rejects.toThrow('--from 2026-12-02 is after --to 2026-12-01');
      } finally {
        await store.close();
        await drop();
        await rm(root, { recursive: true, force: true });
      }
    });
  });
}
