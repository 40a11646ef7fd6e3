// Automation benchmark (`npm run bench -- automation`): upstream-to-downstream latency, from an upstream
// step's end to the start of the downstream step an `eager()` condition requests, through the daemon
// and in-process workers, on PGlite and on PostgreSQL (DAYBOOK_TEST_DATABASE_URL). The daemon wakes on
// the queue's events (and LISTEN/NOTIFY on PostgreSQL); the baseline is the same daemon polling once a
// second with the wake-ups off, measured in the same run. Times are the store's step timestamps.
// Also schedule-to-start on PGlite: from a once-a-second schedule's tick instant to its step's start.
// The last line is JSON: {"pglite":{"p50Ms","p99Ms"},"postgres":{…},"pollingP50Ms":…,"scheduleToStart":{…}}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createWorker } from '../../framework/automation/workers/worker.ts';
import { enqueueRun } from '../../framework/automation/workers/enqueue.ts';
import {
  createDaemon,
  cronSchedule,
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineAutomation,
  defineDefinitions,
  eager,
  staticKeys,
  startAutomation,
  type Engine,
} from '../../framework/index.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const url = process.env.DAYBOOK_TEST_DATABASE_URL || undefined;
const root = mkdtempSync(join(tmpdir(), 'daybook-automation-bench-'));
const keys = Array.from({ length: 2 * ROUNDS }, (_, i) => `p${String(i).padStart(4, '0')}`);
const definitions = defineDefinitions([
  defineAsset({ key: 'bench/up', partitions: staticKeys(keys), compute: 'select 1 as x' }),
  defineAsset({ key: 'bench/down', partitions: staticKeys(keys), deps: ['bench/up'], compute: 'select x + 1 as y from up', automation: eager() }),
  defineAsset({ key: 'bench/ticked', partitions: staticKeys(Array.from({ length: 60 }, (_, s) => `s${s}`)), compute: 'select 1 as x' }),
]);
const TICKS = Number(process.env.BENCH_TICKS ?? 15);

async function openEngine(label: string, schema: string | undefined): Promise<Engine & { close(): Promise<void> }> {
  const store = schema ? await createStore({ url: url!, schema }) : await createStore({ directory: join(root, label, 'store'), url: '' });
  const duckdb = await createDuckDB({ threads: 2 });
  return {
    definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(root, label, 'storage'), durable: false }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: 4,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
    async close() {
      duckdb.close();
      await store.close();
    },
  };
}

/** Runs `bench/up` partitions one at a time and returns each eager downstream step's latency, ms. */
async function latencies(engine: Engine, partitions: readonly string[]): Promise<number[]> {
  const measured: number[] = [];
  for (const partition of partitions) {
    const { run } = await enqueueRun(engine, { selection: 'bench/up', partitions: { partition } });
    const deadline = Date.now() + 30_000;
    let down;
    while (!down && Date.now() < deadline) {
      down = (await engine.store.currentMaterializations('bench/down', { limit: 1_000 })).find((m) => m.partition === partition);
      if (!down) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (!down) throw new Error(`bench/down[${partition}] was not materialized within 30 s`);
    const [up] = await engine.store.listSteps(run.id);
    const step = await engine.store.getStep(down.stepId!);
    measured.push(step!.startedAt!.getTime() - up!.finishedAt!.getTime());
  }
  return measured;
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function measureWoken(label: string, schema: string | undefined): Promise<{ p50Ms: number; p99Ms: number }> {
  const engine = await openEngine(label, schema);
  const running = await startAutomation({ engine, automation: defineAutomation({ workers: 2 }), intervalMs: 60_000, databaseUrl: url });
  try {
    await latencies(engine, keys.slice(0, 3)); // warm-up
    const measured = await latencies(engine, keys.slice(3, ROUNDS + 3));
    const result = { p50Ms: percentile(measured, 50), p99Ms: percentile(measured, 99) };
    console.log(`${label}: upstream-to-downstream over ${measured.length} partitions, daemon woken by the queue: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${Math.max(...measured)} ms`);
    return result;
  } finally {
    await running.stop();
    await engine.close();
  }
}

/** The baseline: the daemon's loop alone, once a second, with nothing waking it. */
async function measurePolling(): Promise<number> {
  const engine = await openEngine('polling', undefined);
  const daemon = createDaemon({ engine, intervalMs: 1_000 });
  const worker = createWorker({ engine, pollMs: 50 });
  await worker.start();
  daemon.start();
  try {
    const measured = await latencies(engine, keys.slice(ROUNDS + 3, ROUNDS + 3 + Math.min(20, ROUNDS)));
    const p50 = percentile(measured, 50);
    console.log(`baseline, pglite: the same with the daemon polling once a second: p50 ${p50} ms, p99 ${percentile(measured, 99)} ms`);
    return p50;
  } finally {
    await daemon.stop();
    await worker.stop();
    await engine.close();
  }
}

/** A schedule firing every second, each tick for its own partition: from the tick's instant to its step's start. */
async function measureScheduleToStart(): Promise<{ p50Ms: number; p99Ms: number }> {
  const engine = await openEngine('schedule', undefined);
  const everySecond = cronSchedule({ name: 'every-second', cron: '* * * * * *', selection: 'bench/ticked', partitions: (at) => ({ partition: `s${new Date(at).getUTCSeconds()}` }) });
  const runs: string[] = [];
  const running = await startAutomation({ engine, automation: defineAutomation({ schedules: [everySecond], workers: 2 }), onTick: (tick) => runs.push(...tick.launched.map((launch) => launch.runId)) });
  try {
    const deadline = Date.now() + (TICKS + 10) * 1_000;
    while (runs.length < TICKS + 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await running.stop();
  }
  const measured: number[] = [];
  // The first tick follows the daemon's first pass, which only records where the schedule starts.
  for (const runId of runs.slice(1, TICKS + 1)) {
    const [step] = await engine.store.listSteps(runId);
    const run = await engine.store.getRun(runId);
    if (!step?.startedAt || !run) continue;
    const tickAt = Math.floor(run.createdAt.getTime() / 1_000) * 1_000;
    measured.push(step.startedAt.getTime() - tickAt);
  }
  await engine.close();
  if (measured.length === 0) throw new Error('no scheduled step started');
  const result = { p50Ms: percentile(measured, 50), p99Ms: percentile(measured, 99) };
  console.log(`pglite: schedule-to-start over ${measured.length} ticks of a once-a-second schedule: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
  return result;
}

try {
  const scheduleToStart = await measureScheduleToStart();
  const pglite = await measureWoken('pglite', undefined);
  let postgres: { p50Ms: number; p99Ms: number } | undefined;
  const schema = `bench_automation_${process.pid}`;
  if (url) {
    try {
      postgres = await measureWoken('postgres', schema);
    } finally {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  } else {
    console.log('postgres: DAYBOOK_TEST_DATABASE_URL is not set; skipped');
  }
  const pollingP50Ms = await measurePolling();
  console.log(JSON.stringify({ pglite, ...(postgres ? { postgres } : {}), pollingP50Ms, scheduleToStart }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
