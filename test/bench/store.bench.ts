// Metadata store benchmark: 10,000 no-op step lifecycles (add step → running → succeeded with its
// materialization, each change with its audit event), sent by concurrent workers through the
// group commit, on PGlite (a data directory on disk) and on PostgreSQL (DAYBOOK_TEST_DATABASE_URL).
// The baseline, measured in the same run, inserts the same rows with one plain multi-row INSERT
// per 500 rows through Kysely. Prints the figures; the last line is JSON.
//
//   npx tsx test/bench/store.bench.ts [--steps 10000] [--concurrency 64]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { createStore } from '../../framework/store/create-store.ts';
import { pgliteDialect } from '../../framework/store/pglite.ts';
import { postgresDialect } from '../../framework/store/postgres.ts';
import type { StoreDialect } from '../../framework/store/dialect.ts';
import type { Database } from '../../framework/store/schema.ts';
import type { MetadataStore } from '../../framework/store/store.ts';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const STEPS = option('steps', 10_000);
const CONCURRENCY = option('concurrency', 64);
const ALONE = Math.min(1_000, STEPS);
const SWEEP = [16, 256];
const SWEEP_STEPS = Math.min(5_000, STEPS);
const ASSET = 'bench/noop';

interface Figures {
  stepsPerSec: number;
  writesPerCommit: number;
  aloneStepsPerSec: number;
  baselineStepsPerSec: number;
  sweep: Record<number, number>;
}

/** Runs `count` lifecycles with `concurrency` workers; returns steps per second. */
async function lifecycles(store: MetadataStore, runId: string, count: number, concurrency: number, prefix: string): Promise<number> {
  let next = 0;
  const worker = async (name: string) => {
    for (let i = next++; i < count; i = next++) {
      const [step] = await store.addSteps(runId, [{ asset: ASSET, partition: `${prefix}${i}`, reason: 'missing' }]);
      await store.updateStep({ stepId: step!.id, status: 'running', worker: name });
      await store.recordSuccess({ stepId: step!.id, dataVersion: `v${i}`, codeVersion: '1', consumed: {}, rowCount: 1, bytes: 8 });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(`w${w}`)));
  return count / ((performance.now() - started) / 1000);
}

/** The same rows as `count` lifecycles, inserted 500 per statement, each statement on its own. */
async function baseline(db: Kysely<Database>, runId: string, count: number): Promise<number> {
  const at = new Date();
  const started = performance.now();
  for (let from = 0; from < count; from += 500) {
    const ids = Array.from({ length: Math.min(500, count - from) }, (_, k) => from + k);
    const stepId = (i: number) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    await db
      .insertInto('steps')
      .values(ids.map((i) => ({ id: stepId(i), run_id: runId, asset: ASSET, partition_key: `b${i}`, status: 'succeeded' as const, reason: 'missing', attempts: 1, worker: 'w', created_at: at, started_at: at, finished_at: at, error_message: null, error_stack: null, log_tail: null, materialization_seq: i + 1 })))
      .execute();
    await db
      .insertInto('materializations')
      .values(ids.map((i) => ({ seq: i + 1, asset: ASSET, partition_key: `b${i}`, data_version: `v${i}`, version_seq: i + 1, code_version: '1', consumed: '{}', row_count: 1, bytes: 8, location: null, metadata: '{}', run_id: runId, step_id: stepId(i), created_at: at })))
      .execute();
    await db
      .insertInto('asset_partitions')
      .values(ids.map((i) => ({ asset: ASSET, partition_key: `b${i}`, current_seq: i + 1, version_seq: i + 1, data_version: `v${i}`, code_version: '1', failed: false, failure: null, failed_step_id: null, updated_at: at })))
      .execute();
    for (let part = 0; part < 3; part++) {
      await db
        .insertInto('audit_events')
        .values(ids.map((i) => ({ seq: 1_000_000 + i * 3 + part, at, actor: 'bench', action: 'bench', asset: ASSET, partition_key: `b${i}`, run_id: runId, payload: '{"step":1}', prev_hash: '0'.repeat(64), hash: '0'.repeat(64) })))
        .execute();
    }
  }
  return count / ((performance.now() - started) / 1000);
}

async function measure(label: string, open: (name: string) => Promise<StoreDialect>): Promise<Figures> {
  const store = await createStore({ dialect: await open('store') });
  const { run } = await store.createRun({ selection: ASSET, status: 'running' });
  // Warm up: the first transactions plan their statements.
  await lifecycles(store, run.id, 500, CONCURRENCY, 'warm');
  const before = store.commitStats();
  const stepsPerSec = await lifecycles(store, run.id, STEPS, CONCURRENCY, 'p');
  const after = store.commitStats();
  const writesPerCommit = (after.writes - before.writes) / (after.transactions - before.transactions);
  const aloneStepsPerSec = await lifecycles(store, run.id, ALONE, 1, 'alone');
  const sweep: Record<number, number> = {};
  for (const concurrency of SWEEP) sweep[concurrency] = await lifecycles(store, run.id, SWEEP_STEPS, concurrency, `c${concurrency}-`);
  const verified = await store.verifyAuditChain();
  await store.close();

  const other = await createStore({ dialect: await open('baseline') });
  const { run: baselineRun } = await other.createRun({ selection: ASSET });
  // The baseline writes audit rows without chaining them, so the append-only trigger is not in its way.
  await sql`alter table audit_events disable trigger user`.execute(other.db);
  const baselineStepsPerSec = await baseline(other.db, baselineRun.id, STEPS);
  await other.close();

  console.log(
    `${label}: ${STEPS} lifecycles by ${CONCURRENCY} workers: ${stepsPerSec.toFixed(0)} steps/s (${(1000 / stepsPerSec).toFixed(3)} ms/step, ` +
      `${writesPerCommit.toFixed(1)} writes per transaction); baseline (the same rows by multi-row INSERTs of 500): ${baselineStepsPerSec.toFixed(0)} steps/s ` +
      `(store/baseline ${(stepsPerSec / baselineStepsPerSec).toFixed(2)})`,
  );
  console.log(
    `${label}: one worker (a commit per change): ${aloneStepsPerSec.toFixed(0)} steps/s; ` +
      SWEEP.map((concurrency) => `${concurrency} workers: ${sweep[concurrency]!.toFixed(0)} steps/s`).join('; ') +
      `; audit chain of ${verified.checked} events ${verified.ok ? 'verifies' : `is BROKEN: ${verified.broken?.message}`}`,
  );
  return { stepsPerSec, writesPerCommit, aloneStepsPerSec, baselineStepsPerSec, sweep };
}

function flatten(dialect: string, figures: Figures): Record<string, number> {
  return {
    [`${dialect}StepsPerSec`]: Math.round(figures.stepsPerSec),
    [`${dialect}BaselineStepsPerSec`]: Math.round(figures.baselineStepsPerSec),
    [`${dialect}WritesPerCommit`]: Math.round(figures.writesPerCommit * 10) / 10,
    [`${dialect}AloneStepsPerSec`]: Math.round(figures.aloneStepsPerSec),
  };
}

const directory = await mkdtemp(join(tmpdir(), 'daybook-store-bench-'));
const figures: Record<string, number | null> = {};
try {
  const pglite = await measure('pglite', (name) => pgliteDialect({ directory: join(directory, name) }));
  Object.assign(figures, flatten('pglite', pglite));

  const url = process.env.DAYBOOK_TEST_DATABASE_URL;
  if (url) {
    const schemas: string[] = [];
    const postgres = await measure('postgres', async (name) => {
      const schema = `daybook_bench_${process.pid}_${name}`;
      schemas.push(schema);
      return postgresDialect({ url, schema });
    });
    const cleanup = postgresDialect({ url });
    const db = new Kysely<unknown>({ dialect: cleanup.dialect });
    for (const schema of schemas) await sql.raw(`drop schema if exists ${schema} cascade`).execute(db);
    await db.destroy();
    Object.assign(figures, flatten('postgres', postgres));
  } else {
    console.log('postgres: skipped (set DAYBOOK_TEST_DATABASE_URL to measure it)');
    figures.postgresStepsPerSec = null;
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}
console.log(JSON.stringify({ steps: STEPS, concurrency: CONCURRENCY, ...figures }));
