// HTTP server benchmark: a PGlite store holding 1M materializations (XNYS sessions since 2000 × 150
// portfolios), the real server on 127.0.0.1, and autocannon (a child process: 50 connections, 10 s)
// loading GET /api/freshness/{key}?partition=K and GET /api/assets/{key}/partitions (the summary and
// first page). The baseline, measured in the same run, is a bare Hono route served the same way.
// Targets: freshness p99 < 10 ms and ≥ 10,000 requests/s; partitions summary p99 < 50 ms.
//
//   npm run bench -- server [--duration 10] [--connections 50]
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { xnys } from '../../calendars/index.ts';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  dimensions,
  identity,
  multi,
  sessions,
  staticKeys,
  type AssetDefinition,
  type Engine,
  type MetadataStore,
} from '../../framework/index.ts';
import { createApp } from '../../server/app.ts';
import { listen } from '../../server/serve.ts';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const DURATION = option('duration', 10);
const CONNECTIONS = option('connections', 50);
const PORTFOLIOS = 150;
const CHUNK = 50_000;
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Runs autocannon in its own process against one URL; returns requests/s and latency percentiles (ms). */
async function load(url: string, duration = DURATION): Promise<Load> {
  const { stdout } = await promisify(execFile)(process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(duration), '-j', url], { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

/** Inserts one current materialization per key, 50,000 per statement, seqs from the store's sequence. */
async function bulkMaterialize(store: MetadataStore, asset: AssetDefinition, count: number): Promise<void> {
  const at = new Date();
  for (let from = 0; from < count; from += CHUNK) {
    const keys = Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => asset.partitions.keyAt(from + k));
    await sql`
      with made as (
        insert into materializations (seq, asset, partition_key, data_version, version_seq, code_version, consumed, row_count, bytes, location, metadata, created_at)
        select s, ${asset.key}, k, 'sha256:' || encode(sha256(convert_to(k, 'UTF8')), 'hex'), s, '1', '{}'::jsonb, 100, 4096, null, '{}'::jsonb, ${at}
        from (select k, nextval('daybook_seq') as s from unnest(${keys}::text[]) as t(k)) numbered
        returning seq, partition_key, data_version, created_at
      )
      insert into asset_partitions (asset, partition_key, current_seq, version_seq, data_version, code_version, failed, failure, failed_step_id, updated_at)
      select ${asset.key}, partition_key, seq, seq, data_version, '1', false, null, null, created_at from made`.execute(store.db);
  }
}

const root = await mkdtemp(join(tmpdir(), 'daybook-server-bench-'));
const calendar = xnys();
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const days = sessions(calendar, { start: '2000-01-03', end: today });
const book = staticKeys(Array.from({ length: PORTFOLIOS }, (_, i) => `P${String(i).padStart(3, '0')}`));
const prices = defineAsset({ key: 'bench/prices', partitions: days, codeVersion: '1', compute: 'select 1 as x' });
const positions = defineAsset({
  key: 'bench/positions',
  partitions: multi({ date: days, portfolio: book }),
  deps: [{ asset: 'bench/prices', mapping: dimensions({ date: identity() }) }],
  codeVersion: '1',
  compute: 'select 1 as x',
  sla: { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' },
});
const definitions = defineDefinitions([prices, positions]);
const store = await createStore({ url: '', directory: join(root, 'store') });
const duckdb = await createDuckDB({ threads: 1 });
try {
  const ended = days.countEndedBy(now);
  let started = performance.now();
  await bulkMaterialize(store, prices, ended);
  await bulkMaterialize(store, positions, ended * PORTFOLIOS);
  const materializations = ended * (PORTFOLIOS + 1);
  console.log(`store: ${materializations.toLocaleString('en-US')} materializations (${ended} sessions × ${PORTFOLIOS} portfolios, plus prices) inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const engine: Engine = {
    definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(root, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: 4,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    timeoutMs: 0,
  };
  started = performance.now();
  const app = await createApp({ engine, calendars: [calendar], anonymousReads: true, ui: async () => new Map() });
  console.log(`server: partition index loaded in ${((performance.now() - started) / 1000).toFixed(1)} s; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
  const server = await listen(app, { port: 0 });
  const bare = new Hono();
  bare.get('/', (c) => c.json({ ok: true }));
  const baseline = await listen(bare, { port: 0 });
  try {
    const partition = positions.partitions.keyAt(ended * PORTFOLIOS - 3);
    const freshnessUrl = `${server.url}/api/freshness/bench%2Fpositions?partition=${encodeURIComponent(partition)}`;
    const partitionsUrl = `${server.url}/api/assets/bench%2Fpositions/partitions`;
    const sample = (await (await fetch(freshnessUrl)).json()) as { status: string };
    const summary = (await (await fetch(partitionsUrl)).json()) as { expected: number; counts: { fresh: number } };
    if (sample.status !== 'fresh' || summary.counts.fresh !== ended * PORTFOLIOS) throw new Error(`unexpected answers: ${JSON.stringify(sample)} ${JSON.stringify(summary.counts)}`);

    await load(`${baseline.url}/`, 2);
    const bareHono = await load(`${baseline.url}/`);
    await load(freshnessUrl, 2);
    const freshness = await load(freshnessUrl);
    const partitions = await load(partitionsUrl);
    const line = (name: string, result: Load) =>
      `${name.padEnd(22)} ${Math.round(result.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}  non-2xx ${result.non2xx}`;
    console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s each, on 127.0.0.1`);
    console.log(line('bare Hono (baseline)', bareHono));
    console.log(line('freshness', freshness));
    console.log(line('partitions summary', partitions));
    console.log(`freshness/baseline ${(freshness.rps / bareHono.rps).toFixed(2)}; targets: freshness p99 < 10 ms and >= 10,000 req/s, partitions p99 < 50 ms`);
    console.log(
      JSON.stringify({
        freshnessP99Ms: freshness.p99,
        freshnessRps: Math.round(freshness.rps),
        partitionsP99Ms: partitions.p99,
        partitionsRps: Math.round(partitions.rps),
        baselineRps: Math.round(bareHono.rps),
        materializations,
      }),
    );
  } finally {
    await server.close();
    await baseline.close();
    await app.close();
  }
} finally {
  duckdb.close();
  await store.close();
  await rm(root, { recursive: true, force: true });
}
