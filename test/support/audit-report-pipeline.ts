// NorthBridge materialized at set times, so its auditor's report has something of everything: an SLA
// met, an SLA missed, a blocking check failure, a failed step and a forced rerun with an operator's
// reason. For the report's route and page tests. Real DuckDB, real PGlite, a store clock the test moves.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineDefinitions,
  fixedClock,
  materialize,
  type Clock,
  type Engine,
  type RunSummary,
} from '../../framework/index.ts';
import { migratedPgliteStore } from './pglite-template.ts';

/** The sessions landed: Monday 16 and Tuesday 17 November 2026. */
export const REPORT_SESSIONS = ['2026-11-16', '2026-11-17'] as const;
/** Where the clock is left: Wednesday 18 November 2026, 14:00 UTC, after both pre-market deadlines. */
export const REPORT_NOW = Date.parse('2026-11-18T14:00:00Z');
/** The partition carol reruns, and her reason. */
export const RERUN = { asset: 'northbridge/positions', partition: '2026-11-16|PF001', actor: 'carol', note: 'corrected executions' } as const;

export interface AuditReportPipeline {
  readonly engine: Engine;
  /** The store's clock, left at `REPORT_NOW`; give it to the app too. */
  readonly clock: Clock;
  readonly runs: { readonly monday: RunSummary; readonly tuesday: RunSummary; readonly rerun: RunSummary };
  close(): Promise<void>;
}

/**
 * Lands both sessions (GSCO's file of the 17th with a duplicated execution) and runs them:
 * - the 16th at 05:00 New York on the 17th, before its 06:30 deadline: the SLAs are met;
 * - the 17th at 07:00 New York on the 18th: the duplicate blocks GSCO's executions and everything
 *   downstream, so the files for risk and finance are never made and their SLAs are missed;
 * - carol forces `RERUN` again at 08:00 New York, and records why.
 */
export async function openAuditReportPipeline(): Promise<AuditReportPipeline> {
  const root = await mkdtemp(join(tmpdir(), 'daybook-audit-report-ui-'));
  // warehouse() publishes to `<DAYBOOK_HOME>/warehouse.duckdb`.
  process.env.DAYBOOK_HOME = root;
  const clock = fixedClock(Date.parse('2026-11-17T10:00:00Z'));
  const store = await createStore({ url: '', directory: await migratedPgliteStore(join(root, 'store')), clock, actor: 'scheduler' });
  const duckdb = await createDuckDB({ threads: 2 });
  const landing = join(root, 'landing');
  const engine: Engine = {
    definitions: defineDefinitions(northbridge),
    store,
    storage: createLocalPartitionStorage({ root: join(root, 'storage'), durable: false }),
    duckdb,
    observer: createSourceObserver({ landing }),
    concurrency: 4,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
  };
  const close = async () => {
    duckdb.close();
    await store.close();
    await rm(root, { recursive: true, force: true });
  };
  try {
    const [monday, tuesday] = REPORT_SESSIONS;
    await generateLanding({ root: landing, from: monday, to: tuesday, scale: 0.2, seed: 11 });
    const gsco = join(landing, `executions/GSCO/${tuesday}.csv`);
    const lines = (await readFile(gsco, 'utf8')).split('\n');
    await writeFile(gsco, [...lines.slice(0, 4), lines[3], ...lines.slice(4)].join('\n'));

    const mondayRun = await materialize(engine, { partitions: { partition: monday }, trigger: 'schedule', actor: 'scheduler' });
    clock.set(Date.parse('2026-11-18T12:00:00Z'));
    const tuesdayRun = await materialize(engine, { partitions: { partition: tuesday }, trigger: 'schedule', actor: 'scheduler' });
    clock.set(Date.parse('2026-11-18T13:00:00Z'));
    const rerun = await materialize(engine, { selection: RERUN.asset, partitions: { partition: RERUN.partition }, force: true, actor: RERUN.actor });
    await store.recordOperatorAction({ actor: RERUN.actor, action: 'rematerialize', runId: rerun.runId, reason: RERUN.note });
    clock.set(REPORT_NOW);
    if (mondayRun.status !== 'succeeded' || tuesdayRun.status !== 'failed' || rerun.status !== 'succeeded') {
      throw new Error(`the pipeline's runs ended ${mondayRun.status}, ${tuesdayRun.status}, ${rerun.status}; expected succeeded, failed, succeeded`);
    }
    return { engine, clock, runs: { monday: mondayRun, tuesday: tuesdayRun, rerun }, close };
  } catch (error) {
    await close();
    throw error;
  }
}
