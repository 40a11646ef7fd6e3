// The CLI end to end on NorthBridge: a backfill with a file that has not arrived, its resume, a
// selective rerun of one broker feed, bad partition arguments, and the audit chain. The tests share
// one state directory, in order.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import type { RunSummary } from '../../framework/executor/materialize.ts';
import { createStore } from '../../framework/store/create-store.ts';
import { createDuckDB } from '../../framework/io/duckdb.ts';
import type { MetadataStore } from '../../framework/store/store.ts';
import { isolateCliState, runCli, type CliDirectories } from '../support/cli.ts';
import { partitionId, sessionPartitions } from '../support/northbridge.ts';

const RANGE = ['--from', '2026-11-16', '--to', '2026-11-18'];
const JPMS_FILE = 'executions/JPMS/2026-11-17.jsonl';

let cli: CliDirectories;

/** Opens the CLI's store while no command runs (PGlite is one process's database), and closes it. */
async function withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await createStore({ url: '', directory: join(cli.home, 'store') });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function runJson(args: string[]): Promise<{ code: number; summary: RunSummary & { backfillId?: string; backfillStatus?: string } }> {
  const result = await runCli([...args, '--json']);
  return { code: result.code, summary: JSON.parse(result.stdout) };
}

const stepIds = (runId: string) =>
  withStore(async (store) => (await store.listSteps(runId)).map((step) => ({ id: partitionId(step.asset, step.partition), status: step.status, message: step.errorMessage })));

beforeAll(async () => {
  cli = await isolateCliState('e2e-cli');
  await generateLanding({ root: cli.landing, from: '2026-11-16', to: '2026-11-18', seed: 3 });
});
afterAll(async () => {
  await cli?.remove();
});

describe('daybook backfill and backfill resume', () => {
  let backfillId: string;
  let waiting: string[];

  it('leaves the partitions of a file that has not arrived waiting, and the backfill not completed', async () => {
    await rename(join(cli.landing, JPMS_FILE), join(cli.root, 'held-back.jsonl'));
    const { code, summary } = await runJson(['backfill', ...RANGE]);
    expect(code).toBe(1);
    expect(summary).toMatchObject({ status: 'succeeded', backfillStatus: 'failed', steps: 54, byStatus: { succeeded: 29, waiting: 25 } });
    backfillId = summary.backfillId!;

    const steps = await stepIds(summary.runId);
    waiting = steps.filter((step) => step.status === 'waiting').map((step) => step.id);
    expect(steps.find((step) => step.id === 'northbridge/executions[2026-11-17|JPMS]')!.message).toBe(
      `file not arrived: ${join(cli.landing, 'executions/JPMS/2026-11-17.*')}`,
    );
    // The missing feed holds back its session's positions, everything after them, and nothing else.
    expect(waiting.sort()).toEqual(
      [
        'northbridge/executions[2026-11-17|JPMS]',
        ...['2026-11-17', '2026-11-18'].flatMap((date) => sessionPartitions(date).filter((id) => /positions|pnl|-file/.test(id))),
      ].sort(),
    );
    const backfill = await withStore(async (store) => store.getBackfill(backfillId));
    expect(backfill).toMatchObject({ status: 'failed', runIds: [summary.runId], message: '25 steps waiting for input' });
  });

  it('runs only the partitions that were waiting when the file arrives and the backfill is resumed', async () => {
    await rename(join(cli.root, 'held-back.jsonl'), join(cli.landing, JPMS_FILE));
    const { code, summary } = await runJson(['backfill', 'resume', backfillId]);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'succeeded', backfillStatus: 'completed', steps: 25, byStatus: { succeeded: 25 } });
    expect((await stepIds(summary.runId)).map((step) => step.id).sort()).toEqual(waiting);

    const backfill = await withStore(async (store) => store.getBackfill(backfillId));
    expect(backfill!.status).toBe('completed');
    expect(backfill!.runIds).toHaveLength(2);
    expect(backfill!.runIds[1]).toBe(summary.runId);
    const again = await runCli(['materialize', ...RANGE]);
    expect(again.stdout).toMatch(/nothing to do, every requested partition is fresh/);
  });
});

describe('daybook materialize of one broker feed', () => {
  it('reruns exactly the feed partition and the partitions of that session downstream of it, with --force', async () => {
    const { code, summary } = await runJson(['materialize', 'northbridge/executions+', '--partition', '2026-11-17', '--where', 'broker=GSCO', '--force']);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'succeeded', steps: 13, byStatus: { succeeded: 13 } });
    const steps = await stepIds(summary.runId);
    expect(steps.map((step) => step.id).sort()).toEqual(
      [
        'northbridge/executions[2026-11-17|GSCO]',
        ...PORTFOLIOS.flatMap((p) => [partitionId('northbridge/positions', `2026-11-17|${p}`), partitionId('northbridge/pnl', `2026-11-17|${p}`)]),
        'northbridge/risk-positions-file[2026-11-17]',
        'northbridge/finance-pnl-file[2026-11-17]',
      ].sort(),
    );
  });

  it('exits 2 naming the key, and starts no run, for a partition key that is not a session', async () => {
    const runsBefore = await withStore(async (store) => (await store.listRuns()).length);
    const badKey = await runCli(['materialize', 'northbridge/executions+', '--partition', '2026-13-45']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^error: partition "2026-13-45" is not a key of XNYS sessions/m);
    const badBroker = await runCli(['materialize', 'northbridge/executions+', '--partition', '2026-11-17', '--where', 'broker=XXXX']);
    expect(badBroker.code).toBe(2);
    expect(badBroker.stderr).toMatch(/^error: --where broker=XXXX: "XXXX" is not a key of static keys GSCO, JPMS, MSCO/m);
    const json = await runCli(['plan', '--partition', '2026-13-45', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'invalid-partition-key', message: expect.stringContaining('"2026-13-45"') } });
    expect(await withStore(async (store) => (await store.listRuns()).length)).toBe(runsBefore);
  });
});

describe('daybook checks and daybook check', () => {
  interface CheckRow {
    check: string;
    passed: boolean;
    metrics: Record<string, number>;
  }

  it('lists the latest results of the checks a run evaluated', async () => {
    const result = await runCli(['checks', 'northbridge/prices', '--partition', '2026-11-17', '--json']);
    expect(result.code).toBe(0);
    const rows = (JSON.parse(result.stdout) as { results: CheckRow[] }).results;
    expect(rows.map((row) => row.check).sort()).toEqual(['not_null_symbol_close', 'row_count', 'unique_symbol']);
    expect(rows.every((row) => row.passed)).toBe(true);
  });

  it('reruns the checks on the stored file without recomputing, and exits 1 when a blocking check fails', async () => {
    const { location, runs } = await withStore(async (store) => ({
      location: (await store.currentMaterializations('northbridge/prices', { partitions: ['2026-11-17'] }))[0]!.location!,
      runs: (await store.listRuns()).length,
    }));
    // Corrupt the stored partition behind Daybook's back: every row twice.
    const duckdb = await createDuckDB();
    await duckdb.withConnection(async (connection) => {
      const file = `'${location.replaceAll("'", "''")}'`;
      await connection.run(`COPY (SELECT * FROM read_parquet(${file}) UNION ALL SELECT * FROM read_parquet(${file})) TO '${location}.dup' (FORMAT parquet)`);
    });
    duckdb.close();
    await rename(`${location}.dup`, location);
    const result = await runCli(['check', 'northbridge/prices', '--partition', '2026-11-17', '--json']);
    expect(result.code).toBe(1);
    const rows = (JSON.parse(result.stdout) as { results: CheckRow[] }).results;
    expect(rows.find((row) => row.check === 'unique_symbol')).toMatchObject({ passed: false, metrics: { duplicateKeys: 200 } });
    expect(rows.find((row) => row.check === 'row_count')).toMatchObject({ passed: true, metrics: { rowCount: 400 } });
    expect(await withStore(async (store) => (await store.listRuns()).length)).toBe(runs);
  });
});

describe('daybook audit verify', () => {
  it('verifies every event of the chain the runs above appended', async () => {
    const events = await withStore(async (store) => Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(store.db)).rows[0]!.n));
    expect(events).toBeGreaterThan(100);
    const text = await runCli(['audit', 'verify']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^audit chain verified: ${events} events, head seq ${events} [0-9a-f]{64}\\b`));
    const json = await runCli(['audit', 'verify', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, checked: events, last: { seq: events } });
  });

  it('refuses to update an event, and exits 1 naming the first altered event when one is changed behind the trigger', async () => {
    const seq = await withStore(async (store) => {
      const [step] = await store.listAuditEvents({ action: 'asset.materialized', limit: 1 });
      await expect(sql`update audit_events set actor = 'mallory' where seq = ${step!.seq}`.execute(store.db)).rejects.toThrow(/append-only/);
      await sql`set session_replication_role = replica`.execute(store.db);
      await sql`update audit_events set actor = 'mallory' where seq = ${step!.seq}`.execute(store.db);
      return step!.seq;
    });
    const result = await runCli(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`audit chain BROKEN at seq ${seq} (hash-mismatch): audit event ${seq} (asset.materialized): its fields do not match its hash (it was altered)\n`);
  });
});
