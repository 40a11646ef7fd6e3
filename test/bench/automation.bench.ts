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
import {
  createDaemon,
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  createWorker,
  defineAutomation,
  defineDefinitions,
  enqueueRun,
  startAutomation,
  type Engine,
} from '../../framework/index.ts';
import { everySecond, LATENCY_KEYS, latencyAssets, percentile, scheduleToStart, summary, upstreamToDownstream } from './latency.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const url = process.env.DAYBOOK_TEST_DATABASE_URL || undefined;
const root = mkdtempSync(join(tmpdir(), 'daybook-automation-bench-'));
const keys = LATENCY_KEYS.slice(0, 2 * ROUNDS);
const definitions = defineDefinitions(latencyAssets());
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

const latencies = (engine: Engine, partitions: readonly string[]) =>
  upstreamToDownstream(engine, async (partition) => (await enqueueRun(engine, { selection: 'bench/up', partitions: { partition } })).run.id, partitions);

async function measureWoken(label: string, schema: string | undefined): Promise<{ p50Ms: number; p99Ms: number }> {
  const engine = await openEngine(label, schema);
  const running = await startAutomation({ engine, automation: defineAutomation({ workers: 2 }), intervalMs: 60_000, databaseUrl: url });
  try {
    await latencies(engine, keys.slice(0, 3)); // warm-up
    const measured = await latencies(engine, keys.slice(3, ROUNDS + 3));
    const result = summary(measured);
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
  const runs: string[] = [];
  const running = await startAutomation({ engine, automation: defineAutomation({ schedules: [everySecond()], workers: 2 }), onTick: (tick) => runs.push(...tick.launched.map((launch) => launch.runId)) });
  try {
    const deadline = Date.now() + (TICKS + 10) * 1_000;
    while (runs.length < TICKS + 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await running.stop();
  }
  // The first tick follows the daemon's first pass, which only records where the schedule starts.
  const measured = await scheduleToStart(engine, runs.slice(1, TICKS + 1));
  await engine.close();
  const result = summary(measured);
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
