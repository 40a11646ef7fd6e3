// Audit benchmark (`npm run bench -- audit`):
// 1. What audit logging and OpenLineage emission cost over 10,000 no-op steps on PGlite, against the
//    run with neither. The store cannot write without its audit rows (they are how every write
//    commits), and other jobs on this machine move a whole run by more than the effect measured, so
//    each cost is accounted for directly, in CPU time: the run's audit rows hashed as the store does
//    and inserted into a copy of the audit table in statements of the run's batch size, less what
//    those statements cost without rows (the run makes them anyway), best of 3 each round; the run's
//    20,000 step events replayed through the emitter and sent over HTTP to a receiver in another
//    process on 127.0.0.1, until the last is delivered. Best of several rounds; whole runs with and
//    without lineage are timed too, as a cross-check.
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
import type { AuditRow } from '../../framework/store/schema.ts';
import { auditJson } from '../../framework/store/write-changes.ts';
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
  type StepLifecycleEvent,
  type StepListener,
} from '../../framework/index.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** Times the audit rows' cost is measured per round (it takes about a second). */
const AUDIT_REPEATS = 3;
const EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 10_000_000);
const url = process.env.DAYBOOK_TEST_DATABASE_URL || undefined;
const root = mkdtempSync(join(tmpdir(), 'daybook-audit-bench-'));

const keys = Array.from({ length: STEPS }, (_, i) => `p${String(i).padStart(6, '0')}`);
const definitions = defineDefinitions([defineAsset({ key: 'bench/noop', partitions: staticKeys(keys), compute: 'select 1 as x', codeVersion: '1' })]);

/** A lineage endpoint in its own process, as Marquez would be: answers 201, and says how many it took and its CPU time (ms). */
async function startReceiver(): Promise<{ url: string; count(): Promise<{ events: number; cpuMs: number }>; child: ChildProcess }> {
  const source = `
    let n = 0;
    require('http').createServer((q, s) => {
      if (q.method === 'GET') { const { user, system } = process.cpuUsage(); return s.end(JSON.stringify({ events: n, cpuMs: (user + system) / 1000 })); }
      q.resume();
      q.on('end', () => { n++; s.writeHead(201); s.end(); });
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data) => resolve(Number(String(data)))));
  const base = `http://127.0.0.1:${port}`;
  return { url: base, count: async () => (await (await fetch(base)).json()) as { events: number; cpuMs: number }, child };
}

/** Wall time and this process's CPU time (every thread: the main one, DuckDB's, the lineage sender's), in ms. */
interface Cost {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The least of several measurements: what other jobs on the machine add is never negative. */
const best = (costs: Cost[], kind: keyof Cost) => Math.min(...costs.map((cost) => cost[kind]));

async function measure(work: () => Promise<void>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

async function noopRun(
  label: string,
  lineageUrl: string | undefined,
  record?: StepLifecycleEvent[],
): Promise<{ cost: Cost; flushMs: number; store: MetadataStore; close: () => Promise<void> }> {
  const duckdb = await createDuckDB();
  const store = await createStore({ directory: join(root, label, 'store'), url: '' });
  const lineage = lineageUrl === undefined ? undefined : createLineageEmitter({ transport: httpTransport({ url: lineageUrl }), queueSize: 4 * STEPS });
  const listeners: StepListener[] = [...(lineage ? [lineage] : []), ...(record ? [{ onStepEvent: (event: StepLifecycleEvent) => void record.push(event) }] : [])];
  const engine: Engine = {
    definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(root, label, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: join(root, 'landing') }),
    concurrency: CONCURRENCY,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
    ...(listeners.length > 0 ? { listeners } : {}),
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
 * What this run's audit rows cost: computing their hashes from their fields (the payload as the
 * object the store is given) as the store does when it writes them, and inserting them into a copy
 * of the audit table in statements of the run's average batch size. Each commit of the run makes its
 * one write statement with or without audit rows in it, so what those statements cost with no rows,
 * measured alike, is taken off: what remains is what the rows add.
 */
async function auditRowsCost(store: MetadataStore): Promise<{ cost: Cost; events: number }> {
  const rows = await sql<AuditRow>`
    select seq, at, actor, action, asset, partition_key, run_id, payload::text as payload_text, prev_hash, hash from audit_events order by seq`.execute(store.db);
  const events = rows.rows;
  const payloads = events.map((row) => JSON.parse(row.payload_text) as object);
  const { transactions } = store.commitStats();
  const perTransaction = Math.max(1, Math.round(events.length / Math.max(1, transactions)));
  await sql`create table bench_audit_copy (like audit_events including all)`.execute(store.db);
  // One statement per batch, as each commit of the run inserts its batch's rows, but in one
  // transaction: the run commits those transactions for its steps anyway, audit rows or not.
  const insert = (rowsOf: (first: number) => readonly AuditRow[]) =>
    store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events.length; i += perTransaction) {
        await sql`insert into bench_audit_copy select * from json_populate_recordset(null::bench_audit_copy, ${auditJson(rowsOf(i))}::json)`.execute(trx);
      }
    });
  const withRows = () =>
    measure(async () => {
      let previous = GENESIS_HASH;
      for (const [i, row] of events.entries()) {
        const payload = canonicalJson(payloads[i]);
        previous = auditHash(previous, { seq: row.seq, at: row.at, actor: row.actor, action: row.action, asset: row.asset, partition: row.partition_key, runId: row.run_id, payloadText: payload });
      }
      if (previous !== events.at(-1)!.hash) throw new Error('the recomputed chain does not end at the stored head');
      await insert((first) => events.slice(first, first + perTransaction));
    });
  // Each measured a few times, alternately, into an emptied copy: the best of each, as for the runs.
  const empty: Cost[] = [];
  const full: Cost[] = [];
  for (let repeat = 0; repeat < AUDIT_REPEATS; repeat++) {
    await sql`truncate bench_audit_copy`.execute(store.db);
    empty.push(await measure(() => insert(() => [])));
    full.push(await withRows());
    const copied = await sql<{ n: number }>`select count(*)::int as n from bench_audit_copy`.execute(store.db);
    if (copied.rows[0]!.n !== events.length) throw new Error(`copied ${copied.rows[0]!.n} audit rows of ${events.length}`);
  }
  return { cost: { wallMs: best(full, 'wallMs') - best(empty, 'wallMs'), cpuMs: best(full, 'cpuMs') - best(empty, 'cpuMs') }, events: events.length };
}

/** What emitting the lineage of a run costs: its step events replayed through an emitter with the HTTP transport, until the last is delivered. */
async function lineageCost(events: readonly StepLifecycleEvent[], url: string): Promise<Cost> {
  const lineage = createLineageEmitter({ transport: httpTransport({ url }), queueSize: 4 * STEPS });
  const cost = await measure(async () => {
    for (const event of events) lineage.onStepEvent(event);
    const stats = await lineage.close(120_000);
    if (stats.delivered !== 2 * STEPS || stats.failed + stats.dropped > 0) throw new Error(`lineage replay: ${JSON.stringify(stats)}`);
  });
  return cost;
}

async function overhead(): Promise<number> {
  const receiver = await startReceiver();
  try {
    // The step events of a real run, to replay: what the engine hands its listeners.
    const events: StepLifecycleEvent[] = [];
    const capture = await noopRun('capture', undefined, events);
    await capture.close();
    const off: Cost[] = [];
    const on: Cost[] = [];
    const audits: Cost[] = [];
    const lineages: Cost[] = [];
    const receiverCpu: number[] = [];
    let auditEvents = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const a = await noopRun(`off-${round}`, undefined);
      off.push(a.cost);
      const audit = await auditRowsCost(a.store);
      audits.push(audit.cost);
      auditEvents = audit.events;
      await a.close();
      lineages.push(await lineageCost(events, receiver.url));
      const receiverBefore = await receiver.count();
      const b = await noopRun(`on-${round}`, receiver.url);
      receiverCpu.push((await receiver.count()).cpuMs - receiverBefore.cpuMs);
      on.push(b.cost);
      console.log(
        `round ${round + 1}: run without lineage ${a.cost.wallMs.toFixed(0)} ms (cpu ${a.cost.cpuMs.toFixed(0)} ms), its audit rows ${audit.cost.cpuMs.toFixed(0)} ms cpu, ` +
          `its lineage ${lineages.at(-1)!.cpuMs.toFixed(0)} ms cpu; run with lineage ${b.cost.wallMs.toFixed(0)} ms (cpu ${b.cost.cpuMs.toFixed(0)} ms, ${b.flushMs.toFixed(0)} ms after the run until the last event was delivered)`,
      );
      await b.close();
    }
    const received = (await receiver.count()).events;
    if (received !== ROUNDS * 4 * STEPS) throw new Error(`the receiver got ${received} events, expected ${ROUNDS * 4 * STEPS}`);
    // Other jobs share this machine's two cores and move a run by up to half as much again, more than
    // the effect measured: so the costs are accounted for directly (the CPU time of the audit rows and
    // of the lineage, each on its own), the best of several rounds, over the run with neither.
    const baseline = best(off, 'cpuMs');
    const audit = best(audits, 'cpuMs');
    const lineage = best(lineages, 'cpuMs');
    const bothOff = baseline - audit;
    const total = ((audit + lineage) / bothOff) * 100;
    console.log(`${STEPS} no-op steps on PGlite (concurrency ${CONCURRENCY}), CPU time, best of ${ROUNDS} rounds:`);
    console.log(
      `  the run without lineage ${baseline.toFixed(0)} ms, of which its ${auditEvents} audit rows ${audit.toFixed(0)} ms; with neither ${bothOff.toFixed(0)} ms; ` +
        `its ${2 * STEPS} lineage events over HTTP ${lineage.toFixed(0)} ms (${((lineage * 1000) / (2 * STEPS)).toFixed(1)} µs an event)`,
    );
    console.log(`  audit rows +${((audit / bothOff) * 100).toFixed(2)}%, lineage +${((lineage / bothOff) * 100).toFixed(2)}%: audit logging + lineage emission +${total.toFixed(2)}% (target ≤ 5%)`);
    const wholeRuns = (kind: keyof Cost) => ((best(on, kind) - best(off, kind)) / best(off, kind)) * 100;
    console.log(
      `  cross-check, whole runs with lineage against without, best of ${ROUNDS}: wall time +${wholeRuns('wallMs').toFixed(2)}%, CPU time +${wholeRuns('cpuMs').toFixed(2)}% ` +
        `(the receiver, in production on another host, took ${Math.min(...receiverCpu).toFixed(0)} ms of CPU from the same two cores during a run; other jobs move each run by more)`,
    );
    return total;
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
