// Engine benchmark: orchestration overhead (10,000 no-op partitions through the full step
// lifecycle, on PGlite and on PostgreSQL) and transform overhead (5M execution rows CSV → Parquet
// through Daybook against raw DuckDB in the same run). Prints figures; the last line is JSON.
//
// Each no-op step still writes a Parquet file, and on this machine's disk creating a file costs
// about a millisecond of kernel time. So the orchestration runs twice: with partition storage on
// disk (the figure in the JSON's first fields), and on tmpfs (/dev/shm) when there is one, which
// shows Daybook's own overhead. The baseline of each is raw DuckDB writing the same files with the
// same concurrency, measured in the same run.
//
// Daybook flushes what it writes and raw DuckDB does not, and on ext4 one flush also waits for
// other files' dirty pages. So before each timed part the disk is settled (`sync`): no part pays
// for the writeback of the one before (10,000 files and their removal, or the other side's output).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  defineSource,
  materialize,
  staticKeys,
  type Definitions,
  type Engine,
} from '../../framework/index.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 10_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
// No-op steps are tiny: many in flight let the store fold their commits into few transactions.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const root = mkdtempSync(join(tmpdir(), 'daybook-bench-'));
const rss = () => process.memoryUsage().rss / 2 ** 20;
/** Writes back every dirty page, so the next timed part starts on an idle disk. */
const settleDisk = () => execFileSync('sync');
let peakRss = rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 20);

async function engineFor(
  definitions: Definitions,
  name: string,
  store: { url?: string; schema?: string },
  base = root,
): Promise<Engine & { close(): Promise<void> }> {
  const duckdb = await createDuckDB();
  const opened = await createStore(store.url ? { url: store.url, schema: store.schema } : { directory: join(root, name, 'store'), url: '' });
  return {
    definitions,
    store: opened,
    storage: createLocalPartitionStorage({ root: join(base, name, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: CONCURRENCY,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
    async close() {
      duckdb.close();
      await opened.close();
    },
  };
}

/** The baseline: raw DuckDB writing the same no-op Parquet files, one per partition directory, with the same concurrency. */
async function rawCopies(base: string): Promise<number> {
  const directory = mkdtempSync(join(base, 'raw-'));
  const duckdb = await createDuckDB();
  try {
    settleDisk();
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const connection = await duckdb.connect();
        while (next < STEPS) {
          const partition = join(directory, `p${next++}`);
          mkdirSync(partition);
          await connection.run(`COPY (select 1 as x) TO '${join(partition, 'data.parquet')}' (FORMAT parquet)`);
        }
        connection.close();
      }),
    );
    return STEPS / ((performance.now() - start) / 1000);
  } finally {
    duckdb.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function orchestration(label: string, store: { url?: string; schema?: string }, base = root): Promise<number> {
  const keys = Array.from({ length: STEPS }, (_, i) => `p${String(i).padStart(6, '0')}`);
  const definitions = defineDefinitions([defineAsset({ key: 'bench/noop', partitions: staticKeys(keys), compute: 'select 1 as x', codeVersion: '1' })]);
  const engine = await engineFor(definitions, label, store, base);
  try {
    settleDisk();
    const start = performance.now();
    const summary = await materialize(engine, { selection: 'bench/noop' });
    const seconds = (performance.now() - start) / 1000;
    if (summary.byStatus.succeeded !== STEPS) throw new Error(`${label}: expected ${STEPS} successes, got ${JSON.stringify(summary.byStatus)}`);
    const perSecond = STEPS / seconds;
    console.log(`${label}: ${STEPS} no-op steps in ${seconds.toFixed(2)} s = ${perSecond.toFixed(0)} steps/s, ${((seconds * 1000) / STEPS).toFixed(3)} ms per step (concurrency ${CONCURRENCY})`);
    return perSecond;
  } finally {
    await engine.close();
    rmSync(join(base, label), { recursive: true, force: true });
  }
}

/** Steps/s through Daybook on PGlite and PostgreSQL, and raw DuckDB's files/s, with storage under `base`. */
async function orchestrationOn(base: string, where: string) {
  const rawPerSec = await rawCopies(base);
  console.log(`baseline (${where}): raw DuckDB writes ${STEPS} no-op Parquet files at ${rawPerSec.toFixed(0)} files/s, ${(1000 / rawPerSec).toFixed(3)} ms each`);
  const pglite = await orchestration(`pglite-${where}`, {}, base);
  const url = process.env.DAYBOOK_TEST_DATABASE_URL;
  const postgres = url ? await orchestration(`postgres-${where}`, { url, schema: `bench_${process.pid}_${where}` }, base) : null;
  if (!url) console.log('postgres: skipped (DAYBOOK_TEST_DATABASE_URL is not set)');
  for (const [label, perSec] of [['pglite', pglite], ['postgres', postgres]] as const) {
    if (perSec !== null) console.log(`${label} (${where}): Daybook's overhead over raw DuckDB ${(1000 / perSec - 1000 / rawPerSec).toFixed(3)} ms per step`);
  }
  return { rawPerSec, pglite, postgres };
}

async function transform(): Promise<number> {
  const landing = join(root, 'landing');
  const csv = join(landing, 'executions.csv');
  mkdirSync(landing, { recursive: true });
  const duckdb = await createDuckDB();
  await duckdb.withConnection(async (connection) => {
    await connection.run(`COPY (
      SELECT 'E' || i AS exec_id, 'O' || (i // 3) AS order_id, 'PF00' || (1 + i % 5) AS portfolio, 'SYM' || (i % 2000) AS symbol,
             CASE WHEN i % 2 = 0 THEN 'BUY' ELSE 'SELL' END AS side, 1 + i % 900 AS quantity, round(10 + (i % 5000) / 7.0, 4) AS price,
             TIMESTAMP '2026-11-20 14:30:00' + to_seconds(i % 23400) AS trade_time
      FROM range(${ROWS}) t(i)) TO '${csv}' (HEADER)`);
  });
  duckdb.close();
  console.log(`transform input: ${ROWS.toLocaleString('en-US')} rows, ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB CSV`);
  const sql = 'select * from raw_executions';

  const rawTimes: number[] = [];
  const daybookTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    const raw = await createDuckDB();
    const out = join(root, `raw-${round}.parquet`);
    settleDisk();
    let start = performance.now();
    await raw.withConnection((connection) => connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet)`));
    rawTimes.push(performance.now() - start);
    raw.close();

    const definitions = defineDefinitions([
      defineSource({ key: 'bench/raw-executions', location: { pattern: 'executions.csv' } }),
      defineAsset({ key: 'bench/executions', deps: [{ asset: 'bench/raw-executions', as: 'raw_executions' }], compute: sql, codeVersion: String(round) }),
    ]);
    const engine = await engineFor(definitions, `transform-${round}`, { url: '' });
    try {
      settleDisk();
      start = performance.now();
      const summary = await materialize(engine, { selection: 'bench/executions' });
      daybookTimes.push(performance.now() - start);
      if (summary.rows !== ROWS) throw new Error(`transform: expected ${ROWS} rows, got ${summary.rows}`);
    } finally {
      await engine.close();
    }
  }
  const raw = Math.min(...rawTimes);
  const daybook = Math.min(...daybookTimes);
  console.log(`transform: raw DuckDB ${rawTimes.map((t) => t.toFixed(0)).join('/')} ms, Daybook ${daybookTimes.map((t) => t.toFixed(0)).join('/')} ms (observe, plan, read, COPY, hash, store)`);
  return daybook / raw;
}

const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/daybook-bench-') : undefined;
try {
  const disk = await orchestrationOn(root, 'disk');
  const tmpfs = shm === undefined ? undefined : await orchestrationOn(shm, 'tmpfs');
  const transformRatio = await transform();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS / 1024);
  const round = (value: number | null | undefined) => (value == null ? null : Math.round(value));
  console.log(
    JSON.stringify({
      pgliteStepsPerSec: round(disk.pglite),
      postgresStepsPerSec: round(disk.postgres),
      transformRatio: Number(transformRatio.toFixed(3)),
      peakRssMb: Math.round(peakRss),
      rawFilesPerSec: round(disk.rawPerSec),
      pgliteStepsPerSecTmpfs: round(tmpfs?.pglite),
      postgresStepsPerSecTmpfs: round(tmpfs?.postgres),
      rawFilesPerSecTmpfs: round(tmpfs?.rawPerSec),
    }),
  );
} finally {
  clearInterval(sampler);
  rmSync(root, { recursive: true, force: true });
  if (shm !== undefined) rmSync(shm, { recursive: true, force: true });
}
