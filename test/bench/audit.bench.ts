// Audit benchmark (`npm run bench -- audit`):
// 1. Overhead of audit logging and OpenLineage emission over 10,000 no-op steps, against the same run
//    without lineage. The store cannot run without its audit chain (it is how every write commits),
//    so the audit rows' cost is measured apart, on this run's own rows: hashing them as the store
//    does, and inserting them into a copy of the audit table in batches the size of this run's
//    transactions. Lineage goes over HTTP to a receiver in another process on 127.0.0.1.
// 2. `audit verify` over 10M events read from the store (PostgreSQL from DAYBOOK_TEST_DATABASE_URL,
//    else PGlite) on every core, hashing in worker threads and in the database (PostgreSQL's default);
//    the baseline is the store's single-threaded verifier over the last million events, in the same run.
// The last line is JSON: {"overheadPct":…,"verifyEventsPerSec":…}.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { verifyAuditChainParallel } from '../../framework/audit/parallel-verify.ts';
import { createLineageEmitter } from '../../framework/lineage/emitter.ts';
import { httpTransport } from '../../framework/lineage/transport.ts';
import {
  auditHash,
  canonicalJson,
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  GENESIS_HASH,
  materialize,
  staticKeys,
  type Engine,
  type MetadataStore,
} from '../../framework/index.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 10_000_000);
const url = process.env.DAYBOOK_TEST_DATABASE_URL || undefined;
const root = mkdtempSync(join(tmpdir(), 'daybook-audit-bench-'));

const keys = Array.from({ length: STEPS }, (_, i) => `p${String(i).padStart(6, '0')}`);
const definitions = defineDefinitions([defineAsset({ key: 'bench/noop', partitions: staticKeys(keys), compute: 'select 1 as x', codeVersion: '1' })]);

/** A lineage endpoint in its own process, as Marquez would be: answers 201 and counts. */
async function startReceiver(): Promise<{ url: string; count(): Promise<number>; child: ChildProcess }> {
  const source = `
    let n = 0;
    require('http').createServer((q, s) => {
      if (q.method === 'GET') return s.end(String(n));
      q.resume();
      q.on('end', () => { n++; s.writeHead(201); s.end(); });
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data) => resolve(Number(String(data)))));
  const base = `http://127.0.0.1:${port}`;
  return { url: base, count: async () => Number(await (await fetch(base)).text()), child };
}

/** Wall time and this process's CPU time (every thread: the main one, DuckDB's, the lineage sender's), in ms. */
interface Cost {
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

async function noopRun(label: string, lineageUrl: string | undefined): Promise<{ cost: Cost; flushMs: number; store: MetadataStore; close: () => Promise<void> }> {
  const duckdb = await createDuckDB();
  const store = await createStore({ directory: join(root, label, 'store'), url: '' });
  const lineage = lineageUrl === undefined ? undefined : createLineageEmitter({ transport: httpTransport({ url: lineageUrl }), queueSize: 4 * STEPS });
  const engine: Engine = {
    definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(root, label, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: CONCURRENCY,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
    ...(lineage ? { listeners: [lineage] } : {}),
  };
  let flushMs = 0;
  const cost = await measure(async () => {
    const summary = await materialize(engine, { selection: 'bench/noop' });
    if (summary.byStatus.succeeded !== STEPS) throw new Error(`${label}: expected ${STEPS} successes, got ${JSON.stringify(summary.byStatus)}`);
    // Until the last event is delivered: lineage that lagged behind the run would cost here.
    const flushStart = performance.now();
    const stats = await lineage?.close(120_000);
    flushMs = performance.now() - flushStart;
    if (stats && (stats.delivered !== 2 * STEPS || stats.dropped + stats.failed > 0)) throw new Error(`${label}: lineage ${JSON.stringify(stats)}`);
  });
  return {
    cost,
    flushMs,
    store,
    close: async () => {
      duckdb.close();
      await store.close();
    },
  };
}

/**
 * What this run's audit rows cost: recomputing their hashes from their fields as the store does when
 * it writes them, and inserting them into a copy of the audit table in statements of the run's
 * average batch size.
 */
async function auditRowsCost(store: MetadataStore): Promise<{ cost: Cost; events: number }> {
  const rows = await sql<{ seq: number; at: Date; actor: string; action: string; asset: string | null; partition_key: string | null; run_id: string | null; payload_text: string; prev_hash: string; hash: string }>`
    select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload_text, prev_hash, hash from audit_events order by seq`.execute(store.db);
  const events = rows.rows;
  const { transactions } = store.commitStats();
  const perTransaction = Math.max(1, Math.round(events.length / Math.max(1, transactions)));
  await sql`create table bench_audit_copy (like audit_events including all)`.execute(store.db);
  const cost = await measure(async () => {
    let previous = GENESIS_HASH;
    for (const row of events) {
      const payload = canonicalJson(JSON.parse(row.payload_text));
      previous = auditHash(previous, { seq: row.seq, at: row.at, actor: row.actor, action: row.action, asset: row.asset, partition: row.partition_key, runId: row.run_id, payloadText: payload });
    }
    if (previous !== events.at(-1)!.hash) throw new Error('the recomputed chain does not end at the stored head');
    // One statement per batch, as each commit of the run inserts its batch's rows, but in one
    // transaction: the run commits those transactions for its steps anyway, audit rows or not.
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events.length; i += perTransaction) {
        const batch = events.slice(i, i + perTransaction).map(({ payload_text, ...row }) => `${JSON.stringify(row).slice(0, -1)},"payload":${payload_text}}`);
        await sql`insert into bench_audit_copy select * from json_populate_recordset(null::bench_audit_copy, ${`[${batch.join(',')}]`}::json)`.execute(trx);
      }
    });
  });
  return { cost, events: events.length };
}

async function overhead(): Promise<number> {
  const receiver = await startReceiver();
  try {
    const off: Cost[] = [];
    const on: Cost[] = [];
    let audit: { cost: Cost; events: number } | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const a = await noopRun(`off-${round}`, undefined);
      off.push(a.cost);
      audit ??= await auditRowsCost(a.store);
      await a.close();
      const b = await noopRun(`on-${round}`, receiver.url);
      on.push(b.cost);
      console.log(
        `round ${round + 1}: lineage off ${a.cost.wallMs.toFixed(0)} ms (cpu ${a.cost.cpuMs.toFixed(0)} ms); on ${b.cost.wallMs.toFixed(0)} ms (cpu ${b.cost.cpuMs.toFixed(0)} ms), of which ${b.flushMs.toFixed(0)} ms after the run until the last event was delivered`,
      );
      await b.close();
    }
    const received = await receiver.count();
    if (received !== ROUNDS * 2 * STEPS) throw new Error(`the receiver got ${received} events, expected ${ROUNDS * 2 * STEPS}`);
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const pct = (kind: keyof Cost) => {
      const baseline = median(off.map((cost) => cost[kind]));
      // The run without lineage still writes its audit rows; without them too it would cost this much.
      const bothOff = baseline - audit!.cost[kind];
      const withBoth = median(on.map((cost) => cost[kind]));
      console.log(
        `${kind === 'wallMs' ? 'wall time' : 'CPU time '}: lineage off ${baseline.toFixed(0)} ms, on ${withBoth.toFixed(0)} ms (lineage ${(((withBoth - baseline) / baseline) * 100).toFixed(2)}%); ` +
          `audit rows ${audit!.cost[kind].toFixed(0)} ms (${((audit!.cost[kind] / baseline) * 100).toFixed(2)}%); both over both off (${bothOff.toFixed(0)} ms): ${(((withBoth - bothOff) / bothOff) * 100).toFixed(2)}%`,
      );
      return ((withBoth - bothOff) / bothOff) * 100;
    };
    console.log(`${STEPS} no-op steps on PGlite (concurrency ${CONCURRENCY}), medians of ${ROUNDS} rounds; audit rows: the ${audit!.events} events of one run, hashed and inserted again`);
    const wall = pct('wallMs');
    const cpu = pct('cpuMs');
    console.log(`audit logging + lineage emission: ${cpu.toFixed(2)}% of the CPU time (${wall.toFixed(2)}% of the wall time, which other jobs on this machine move by more) (target ≤ 5%)`);
    return cpu;
  } finally {
    receiver.child.kill();
  }
}

/** A realistic event mix: per run of 64 steps, run.created, then a check and a materialization per step, then run.succeeded. */
function payloadOf(seq: number): { action: string; asset: string | null; partition: string | null; payload: object } {
  const position = seq % 130;
  const step = `01a2044b-${String(seq % 10_000).padStart(4, '0')}-7000-8bc1-73ef3f35b9cf`;
  const partition = `2026-11-${String(1 + (seq % 28)).padStart(2, '0')}|PF00${1 + (seq % 5)}`;
  if (position === 0) return { action: 'run.created', asset: null, partition: null, payload: { selection: '*', partitionRequest: {}, trigger: 'schedule', triggeredBy: 'scheduler', status: 'running', steps: 64 } };
  if (position === 129) return { action: 'run.succeeded', asset: null, partition: null, payload: { from: 'running' } };
  if (position % 2 === 1) {
    return { action: 'check.passed', asset: 'northbridge/positions', partition, payload: { check: 'unique_symbol', severity: 'error', blocking: true, message: 'symbol is unique', metrics: { duplicateKeys: 0, duplicateRows: 0 } } };
  }
  return {
    action: 'asset.materialized',
    asset: 'northbridge/positions',
    partition,
    payload: {
      step,
      attempt: 1,
      seq,
      dataVersion: `sha256:${seq.toString(16).padStart(64, '0')}`,
      versionChanged: true,
      codeVersion: '1',
      rowCount: 1204,
      bytes: 40_960,
      location: `/srv/daybook/storage/northbridge/positions/date=2026-11-20/portfolio=PF001/data.parquet`,
    },
  };
}

/** Appends `count` chained events to the store's audit table directly (its own write path would take hours), and moves the head. */
async function fillChain(store: MetadataStore, count: number): Promise<void> {
  const runId = '01a2044b-974b-7000-8bc1-73ef3f35b9cf';
  let previous = GENESIS_HASH;
  const at0 = Date.parse('2026-11-01T05:00:00Z');
  const BATCH = 20_000;
  let pending: Promise<unknown> = Promise.resolve();
  for (let first = 1; first <= count; first += BATCH) {
    const rows: string[] = [];
    for (let seq = first; seq < first + BATCH && seq <= count; seq++) {
      const { action, asset, partition, payload } = payloadOf(seq);
      const at = new Date(at0 + seq * 7);
      const payloadText = canonicalJson(payload);
      const hash = auditHash(previous, { seq, at, actor: 'scheduler', action, asset, partition, runId, payloadText });
      rows.push(`${JSON.stringify({ seq, at, actor: 'scheduler', action, asset, partition_key: partition, run_id: runId, prev_hash: previous, hash }).slice(0, -1)},"payload":${payloadText}}`);
      previous = hash;
    }
    await pending;
    pending = sql`insert into audit_events select * from json_populate_recordset(null::audit_events, ${`[${rows.join(',')}]`}::json)`.execute(store.db);
    if (first % 1_000_000 === 1 && first > 1) console.log(`  ${(first - 1).toLocaleString('en-US')} events written`);
  }
  await pending;
  await sql`update audit_head set seq = ${count}, hash = ${previous} where id = 1`.execute(store.db);
}

async function verifyThroughput(): Promise<number> {
  const schema = `bench_audit_${process.pid}`;
  const store = url ? await createStore({ url, schema }) : await createStore({ directory: join(root, 'verify', 'store'), url: '' });
  if (!url) console.log('verify: DAYBOOK_TEST_DATABASE_URL is not set; filling and reading PGlite (slower to fill)');
  try {
    let start = performance.now();
    await fillChain(store, EVENTS);
    console.log(`verify: wrote ${EVENTS.toLocaleString('en-US')} chained events to ${store.dialect} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    if (store.dialect === 'postgres') await sql`vacuum analyze audit_events`.execute(store.db);

    const tail = Math.min(1_000_000, EVENTS);
    const anchorSeq = EVENTS - tail;
    const anchor = anchorSeq === 0 ? undefined : (await store.listAuditEvents({ afterSeq: anchorSeq - 1, limit: 1 }))[0]!;
    start = performance.now();
    const single = await store.verifyAuditChain(anchor ? { after: { seq: anchor.seq, hash: anchor.hash } } : {});
    const singlePerSec = single.checked / ((performance.now() - start) / 1000);
    if (!single.ok || single.checked !== tail) throw new Error(`baseline verify: ${JSON.stringify(single)}`);
    console.log(`verify baseline (the store's single-threaded verifier, last ${tail.toLocaleString('en-US')} events): ${Math.round(singlePerSec).toLocaleString('en-US')} events/s`);

    const rates: Record<string, number> = {};
    for (const hashing of ['threads', 'database'] as const) {
      start = performance.now();
      const result = await verifyAuditChainParallel(store, { hashing });
      const seconds = (performance.now() - start) / 1000;
      if (!result.ok || result.checked !== EVENTS) throw new Error(`parallel verify (${hashing}): ${JSON.stringify(result)}`);
      rates[hashing] = EVENTS / seconds;
      console.log(
        `verify, hashing in ${hashing === 'threads' ? `${availableParallelism()} worker threads` : `the database on ${availableParallelism()} connections`}: ${EVENTS.toLocaleString('en-US')} events from ${store.dialect} in ${seconds.toFixed(1)} s = ${Math.round(rates[hashing]).toLocaleString('en-US')} events/s (${(rates[hashing] / singlePerSec).toFixed(1)}× the baseline)`,
      );
    }
    // What `daybook audit verify` does on this store: the database hashes on PostgreSQL, worker threads on PGlite.
    const perSec = rates[store.dialect === 'postgres' ? 'database' : 'threads']!;
    console.log(`verify as daybook audit verify runs it on ${store.dialect}: ${Math.round(perSec).toLocaleString('en-US')} events/s (target ≥ 500,000)`);
    return perSec;
  } finally {
    await store.close();
    if (url) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

try {
  const overheadPct = await overhead();
  const verifyEventsPerSec = await verifyThroughput();
  console.log(JSON.stringify({ overheadPct: Number(overheadPct.toFixed(2)), verifyEventsPerSec: Math.round(verifyEventsPerSec) }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
