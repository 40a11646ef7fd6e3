// Worker benchmark (`npm run bench -- workers`), on PostgreSQL (DAYBOOK_TEST_DATABASE_URL):
// - throughput: 20,000 no-op steps (their compute stores nothing, so what is measured is claiming,
//   running and committing) queued and run by 1, 2 and 4 `daybook worker` processes, against
//   materialize() running the same steps in one process (the baseline, same run). Each count gets a
//   fresh schema; the workers start before the run is enqueued. Steps/s count, by the store's
//   timestamps, from the run's first step's start to its end (claiming and completing), for the workers
//   and the baseline alike; the rates from the run's creation (storing the run, its steps and their
//   queue rows) and from before planning are printed too.
// - latency across processes: a daemon in this process (no workers of its own) and two `daybook worker`
//   processes. Schedule-to-start: a once-a-second schedule's tick instant to its step's start.
//   Upstream-to-downstream: an upstream step's end (in a worker) to the start of the downstream step its
//   `eager()` condition requests; the daemon's own loop ticks once a minute, so it reacts only to
//   LISTEN/NOTIFY.
// Prints figures; the last line is JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createDuckDB, createLocalPartitionStorage, createSourceObserver, createStore, defineAutomation, enqueueRun, materialize, startAutomation, type Engine, type RunStatus } from '../../framework/index.ts';
import { everySecond, LATENCY_KEYS, scheduleToStart, summary, upstreamToDownstream } from './latency.ts';
import { benchDefinitions } from './workers.config.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 512);
const BATCH = Number(process.env.BENCH_BATCH ?? 512);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const TICKS = Number(process.env.BENCH_TICKS ?? 15);
const url = process.env.DAYBOOK_TEST_DATABASE_URL;
if (!url) {
  console.error('workers benchmark: set DAYBOOK_TEST_DATABASE_URL to a PostgreSQL database');
  process.exit(2);
}
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = fileURLToPath(new URL('./workers.config.ts', import.meta.url));
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}

async function engineFor(schema: string, home: string): Promise<Engine & { close(): Promise<void> }> {
  const store = await createStore({ url, schema });
  const duckdb = await createDuckDB();
  return {
    definitions: benchDefinitions(STEPS),
    store,
    storage: createLocalPartitionStorage({ root: join(home, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: join(home, 'landing') }),
    concurrency: 64,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
    async close() {
      duckdb.close();
      await store.close();
    },
  };
}

function startWorker(schema: string, home: string, concurrency = CONCURRENCY, batch = BATCH): { child: ChildProcess; started: Promise<void> } {
  const child = spawn(process.execPath, ['bin/daybook.js', '--config', CONFIG, 'worker', '--concurrency', String(concurrency), '--batch', String(batch)], {
    cwd: ROOT,
    env: { ...process.env, DAYBOOK_DATABASE_URL: url, DAYBOOK_DATABASE_SCHEMA: schema, DAYBOOK_HOME: home, BENCH_STEPS: String(STEPS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes(' started ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return { child, started };
}

/** Steps per second of `workers` worker processes over one queued run of STEPS no-op steps. */
async function withWorkers(workers: number): Promise<number> {
  const schema = `bench_workers_${process.pid}_${workers}`;
  const home = mkdtempSync(join(base, 'daybook-bench-workers-'));
  await dropSchema(schema);
  const engine = await engineFor(schema, home);
  const children = Array.from({ length: workers }, () => startWorker(schema, home));
  try {
    await Promise.all(children.map((worker) => worker.started));
    const start = performance.now();
    const { run } = await enqueueRun(engine, { selection: 'bench/noop' });
    for (;;) {
      const status = (await engine.store.getRun(run.id))!.status;
      if (status !== 'queued' && status !== 'running') break;
      await sleep(20);
    }
    const seconds = (performance.now() - start) / 1000;
    const { status, rate, text } = await runRates(engine, run.id, seconds);
    console.log(`${workers} worker${workers === 1 ? '' : 's'} × concurrency ${CONCURRENCY}, batch ${BATCH}: ${STEPS} steps ${status}: ${text}`);
    return rate;
  } finally {
    await stopWorkers(children);
    await engine.close();
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * A finished run's steps/s, by the store's timestamps: claimed and completed (from its first step's
 * start to its end, the figure reported as `rate`), and in `text` also from its creation (storing the
 * run, its steps and their queue rows counts too) and from before planning (`seconds`, measured here).
 */
async function runRates(engine: Engine, runId: string, seconds: number): Promise<{ status: RunStatus; rate: number; text: string }> {
  const run = (await engine.store.getRun(runId))!;
  const { rows } = await sql<{ first: Date }>`select min(started_at) as first from steps where run_id = ${runId}`.execute(engine.store.db);
  const end = run.finishedAt!.getTime();
  const running = (end - new Date(rows[0]!.first).getTime()) / 1000;
  const stored = (end - run.createdAt.getTime()) / 1000;
  const rate = STEPS / running;
  return {
    status: run.status,
    rate,
    text:
      `${rate.toFixed(0)} steps/s claimed and completed (${running.toFixed(2)} s from the first step's start to the run's end); ` +
      `${(STEPS / stored).toFixed(0)} steps/s from the run's creation (${stored.toFixed(2)} s), ${(STEPS / seconds).toFixed(0)} steps/s counting planning too (${seconds.toFixed(2)} s)`,
  };
}

async function stopWorkers(children: readonly { child: ChildProcess }[]): Promise<void> {
  for (const { child } of children) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
}

/** Schedule-to-start and upstream-to-downstream latencies, ms, with the daemon here and the workers in two other processes. */
async function latencies(): Promise<{ scheduleToStart: number[]; upstreamToDownstream: number[] }> {
  const schema = `bench_workers_${process.pid}_latency`;
  const home = mkdtempSync(join(base, 'daybook-bench-workers-'));
  await dropSchema(schema);
  const engine = await engineFor(schema, home);
  const children = Array.from({ length: 2 }, () => startWorker(schema, home, 4, 4));
  try {
    await Promise.all(children.map((worker) => worker.started));
    const runs: string[] = [];
    const scheduled = await startAutomation({
      engine,
      automation: defineAutomation({ schedules: [everySecond()], workers: 0 }),
      databaseUrl: url,
      onTick: (tick) => runs.push(...tick.launched.map((launch) => launch.runId)),
    });
    const deadline = Date.now() + (TICKS + 10) * 1_000;
    while (runs.length < TICKS + 1 && Date.now() < deadline) await sleep(100);
    await scheduled.stop();
    // The first tick follows the daemon's first pass, which only records where the schedule starts.
    const ticks = await scheduleToStart(engine, runs.slice(1, TICKS + 1));
    const woken = await startAutomation({ engine, automation: defineAutomation({ workers: 0 }), intervalMs: 60_000, databaseUrl: url });
    try {
      const enqueue = async (partition: string) => (await enqueueRun(engine, { selection: 'bench/up', partitions: { partition } })).run.id;
      await upstreamToDownstream(engine, enqueue, LATENCY_KEYS.slice(0, 3)); // warm-up
      return { scheduleToStart: ticks, upstreamToDownstream: await upstreamToDownstream(engine, enqueue, LATENCY_KEYS.slice(3, ROUNDS + 3)) };
    } finally {
      await woken.stop();
    }
  } finally {
    await stopWorkers(children);
    await engine.close();
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  }
}

/** The baseline: materialize() running the same steps in this process, 64 at a time. */
async function inProcess(): Promise<number> {
  const schema = `bench_workers_${process.pid}_baseline`;
  const home = mkdtempSync(join(base, 'daybook-bench-workers-'));
  await dropSchema(schema);
  const engine = await engineFor(schema, home);
  try {
    const start = performance.now();
    const summary = await materialize(engine, { selection: 'bench/noop' });
    const { status, rate, text } = await runRates(engine, summary.runId, (performance.now() - start) / 1000);
    console.log(`baseline: materialize() in one process, concurrency 64: ${summary.steps} steps ${status}: ${text}`);
    return rate;
  } finally {
    await engine.close();
    await dropSchema(schema);
    rmSync(home, { recursive: true, force: true });
  }
}

console.log(`workers benchmark: ${STEPS} no-op steps on PostgreSQL; partition storage under ${base}`);
const baseline = await inProcess();
const workers1 = await withWorkers(1);
const workers2 = await withWorkers(2);
const workers4 = await withWorkers(4);
const measured = await latencies();
const ticks = summary(measured.scheduleToStart);
const reaction = summary(measured.upstreamToDownstream);
console.log(`schedule-to-start over ${measured.scheduleToStart.length} ticks, daemon here, 2 worker processes: p50 ${ticks.p50Ms} ms, p99 ${ticks.p99Ms} ms`);
console.log(`upstream-to-downstream over ${measured.upstreamToDownstream.length} partitions, woken by LISTEN/NOTIFY: p50 ${reaction.p50Ms} ms, p99 ${reaction.p99Ms} ms`);
const round = (value: number) => Math.round(value);
console.log(
  JSON.stringify({
    stepsPerSec1Worker: round(workers1),
    stepsPerSec2Workers: round(workers2),
    stepsPerSec4Workers: round(workers4),
    scheduleToStartP99Ms: ticks.p99Ms,
    upstreamToDownstreamP99Ms: reaction.p99Ms,
    scheduleToStartP50Ms: ticks.p50Ms,
    upstreamToDownstreamP50Ms: reaction.p50Ms,
    baselineStepsPerSec: round(baseline),
    steps: STEPS,
  }),
);
