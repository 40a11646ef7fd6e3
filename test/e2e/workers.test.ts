// Three `daybook worker` processes share a queued run of 2,000 partitions on PostgreSQL, and one of
// them is killed with SIGKILL mid-step several times (and restarted). Every partition ends
// materialized exactly once in the store and published exactly once, and nothing is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../framework/automation/workers/enqueue.ts';
import type { Engine } from '../../framework/executor/engine.ts';
import { createDuckDB, type DuckDB } from '../../framework/io/duckdb.ts';
import { createLocalPartitionStorage } from '../../framework/io/local-partition-storage.ts';
import { createSourceObserver } from '../../framework/io/source-observer.ts';
import { createStore } from '../../framework/store/create-store.ts';
import type { MetadataStore } from '../../framework/store/store.ts';
import { testDatabaseUrl } from '../support/test-stores.ts';
import { ROWS_PER_PARTITION, WORKER_PARTITIONS, workerPipeline } from './fixtures/worker-pipeline.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/workers.config.ts', import.meta.url));
const KILLS = 4;

interface Spawned {
  readonly child: ChildProcess;
  readonly id: Promise<string>;
  readonly exited: Promise<number | null>;
}

describe.skipIf(testDatabaseUrl === undefined)('three daybook worker processes, one killed mid-step repeatedly', () => {
  const url = testDatabaseUrl!;
  const schema = `workers_${process.pid}_${randomBytes(4).toString('hex')}`;
  const published = `${schema}_pub`;
  let home: string;
  let store: MetadataStore;
  let duckdb: DuckDB;
  let engine: Engine;
  let runId: string;
  const children: Spawned[] = [];
  let kills = 0;

  const spawnWorker = (): Spawned => {
    const child = spawn(process.execPath, ['bin/daybook.js', '--config', CONFIG, 'worker', '--concurrency', '8', '--batch', '8', '--lease-ms', '1500'], {
      cwd: ROOT,
      env: { ...process.env, DAYBOOK_DATABASE_URL: url, DAYBOOK_DATABASE_SCHEMA: schema, DAYBOOK_HOME: home, WORKERS_PUBLISH_URL: url, WORKERS_PUBLISH_SCHEMA: published },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const id = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        out += String(chunk);
        const found = /^worker (\S+) started/m.exec(out);
        if (found) resolve(found[1]!);
      });
      child.once('exit', () => reject(new Error(`worker exited before starting: ${out}`)));
    });
    id.catch(() => undefined);
    child.stderr!.on('data', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const spawned = { child, id, exited };
    children.push(spawned);
    return spawned;
  };
  const leasesOf = async (worker: string) =>
    Number((await sql<{ n: number }>`select count(*)::integer as n from step_queue where lease_owner = ${worker}`.execute(store.db)).rows[0]!.n);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'daybook-workers-'));
    store = await createStore({ url, schema });
    duckdb = await createDuckDB({ threads: 1 });
    engine = {
      definitions: workerPipeline({ url, schema: published }),
      store,
      storage: createLocalPartitionStorage({ root: join(home, 'storage') }),
      duckdb,
      observer: createSourceObserver({ landing: join(home, 'landing') }),
      concurrency: 8,
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
      timeoutMs: 0,
    };
    ({
      run: { id: runId },
    } = await enqueueRun(engine, { selection: 'kill/rows' }));
    const [victim] = [spawnWorker(), spawnWorker(), spawnWorker()];
    let current = victim!;
    const deadline = Date.now() + 75_000;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const run = await store.getRun(runId);
      if (run!.status !== 'queued' && run!.status !== 'running') break;
      await sleep(kills < KILLS ? 700 : 300);
      if (kills >= KILLS) continue;
      const id = await current.id;
      if ((await leasesOf(id)) === 0) continue;
      current.child.kill('SIGKILL');
      await current.exited;
      kills++;
      current = spawnWorker();
    }
  }, 90_000);
  afterAll(async () => {
    for (const { child, exited } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        child.kill('SIGKILL');
      }
    }
    duckdb?.close();
    await store?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`drop schema if exists ${published} cascade`);
    await client.end();
    await rm(home, { recursive: true, force: true });
  }, 30_000);

  it(`killed a worker holding leases ${KILLS} times, and its steps were claimed again after their leases ran out`, async () => {
    expect(kills).toBe(KILLS);
    const expired = await store.listAuditEvents({ runId, action: 'step.lease-expired', limit: 10_000 });
    expect(expired.length).toBeGreaterThanOrEqual(KILLS);
  });

  it('ends the run succeeded with one succeeded step per partition', async () => {
    expect((await store.getRun(runId))!.status).toBe('succeeded');
    const steps = await store.listSteps(runId);
    expect(steps).toHaveLength(WORKER_PARTITIONS.length);
    expect(steps.every((step) => step.status === 'succeeded')).toBe(true);
    expect(steps.map((step) => step.partition).sort()).toEqual(WORKER_PARTITIONS);
    // Each step whose lease ran out was materialized afterwards, by a live worker.
    const expired = await store.listAuditEvents({ runId, action: 'step.lease-expired', limit: 10_000 });
    const materialized = await store.listAuditEvents({ runId, action: 'asset.materialized', limit: 10_000 });
    const successSeq = new Map(materialized.map((event) => [(event.payload as { step: string }).step, event.seq]));
    expect(expired.length).toBeGreaterThan(0);
    for (const event of expired) expect(successSeq.get((event.payload as { step: string }).step)).toBeGreaterThan(event.seq);
  });

  it('records exactly one materialization per partition, which is the current one', async () => {
    const rows = await sql<{ partition_key: string; n: number }>`
      select partition_key, count(*)::integer as n from materializations where asset = 'kill/rows' group by partition_key`.execute(store.db);
    expect(rows.rows).toHaveLength(WORKER_PARTITIONS.length);
    expect(rows.rows.every((row) => row.n === 1)).toBe(true);
    expect(await store.currentMaterializations('kill/rows', { limit: 5_000 })).toHaveLength(WORKER_PARTITIONS.length);
    expect((await store.verifyAuditChain()).ok).toBe(true);
  });

  it('publishes each row exactly once', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const counts = await client.query<{ partitions: number; rows: number; duplicates: number }>(`
        select count(distinct key)::integer as partitions, count(*)::integer as rows,
          (select count(*) from (select key, n from ${published}.kill_rows group by key, n having count(*) > 1) d)::integer as duplicates
        from ${published}.kill_rows`);
      expect(counts.rows[0]).toEqual({ partitions: WORKER_PARTITIONS.length, rows: WORKER_PARTITIONS.length * ROWS_PER_PARTITION, duplicates: 0 });
    } finally {
      await client.end();
    }
  });

  it('leaves the queue empty', async () => {
    const left = await sql<{ n: number }>`select (select count(*) from step_queue)::integer + (select count(*) from run_queue)::integer as n`.execute(store.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
