// Crash safety: `daybook materialize` is killed with SIGKILL in the middle of a run, then run again.
// Nothing is lost (the rerun completes everything, and the data matches a clean run's) and nothing is
// duplicated (one current materialization and one data file per partition, succeeded steps not redone).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { defineDefinitions } from '../../framework/definitions/definitions.ts';
import { materialize } from '../../framework/executor/materialize.ts';
import { hashFile } from '../../framework/io/content-hash.ts';
import { createStore } from '../../framework/store/create-store.ts';
import type { MetadataStore } from '../../framework/store/store.ts';
import { CLI_NOW, isolateCliState, runCli, type CliDirectories } from '../support/cli.ts';
import { NORTHBRIDGE_ASSETS, partitionId, sessionPartitions } from '../support/northbridge.ts';
import { filesUnder, openTestEngine } from '../support/test-engine.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DAYBOOK_AT = fileURLToPath(new URL('./fixtures/daybook-at.ts', import.meta.url));
const RANGE = ['--from', '2026-11-16', '--to', '2026-11-18'];
const ALL = ['2026-11-16', '2026-11-17', '2026-11-18'].flatMap(sessionPartitions).sort();
/** Steps that finish before the kill; the run has 54. */
const KILL_AFTER = 20;

let cli: CliDirectories;

/** Starts `daybook materialize` in a process of its own and SIGKILLs it once `KILL_AFTER` steps have succeeded. */
function materializeUntilKilled(): Promise<{ signal: NodeJS.Signals | null; progress: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DAYBOOK_AT, 'materialize', ...RANGE], {
      cwd: REPO,
      env: { ...process.env, DAYBOOK_TEST_NOW: String(CLI_NOW) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const progress: string[] = [];
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      progress.push(...lines);
      if (progress.filter((line) => / succeeded /.test(line)).length >= KILL_AFTER) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_, signal) => resolve({ signal, progress }));
  });
}

async function withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await createStore({ url: '', directory: join(cli.home, 'store') });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `asset[partition]` → the current materialization's data version and rows, over every NorthBridge asset. */
async function currentData(store: MetadataStore): Promise<Map<string, { dataVersion: string; rowCount: number | null; location: string | null }>> {
  const data = new Map<string, { dataVersion: string; rowCount: number | null; location: string | null }>();
  for (const asset of NORTHBRIDGE_ASSETS) {
    for (const m of await store.currentMaterializations(asset, { limit: 1_000 })) {
      expect(data.has(partitionId(asset, m.partition))).toBe(false);
      data.set(partitionId(asset, m.partition), { dataVersion: m.dataVersion, rowCount: m.rowCount, location: m.location });
    }
  }
  return data;
}

beforeAll(async () => {
  cli = await isolateCliState('e2e-crash');
  await generateLanding({ root: cli.landing, from: '2026-11-16', to: '2026-11-18', scale: 10, seed: 9 });
});
afterAll(async () => {
  await cli?.remove();
});

describe('daybook materialize killed mid-run', () => {
  let killedRun: string;
  let succeededBeforeKill: string[];

  it('leaves the steps it finished recorded and its store lock behind when killed with SIGKILL', async () => {
    const { signal, progress } = await materializeUntilKilled();
    expect(signal).toBe('SIGKILL');
    expect(progress.filter((line) => line.startsWith('[')).length).toBeLessThan(54);
    // SIGKILL runs no exit hook: the next process must find the lock stale by its pid.
    expect(existsSync(join(cli.home, 'store.lock'))).toBe(true);

    const killed = await withStore(async (store) => {
      const [run] = await store.listRuns({ limit: 1 });
      return { run: run!, steps: await store.listSteps(run!.id) };
    });
    killedRun = killed.run.id;
    expect(killed.run.status).toBe('running');
    expect(killed.steps).toHaveLength(54);
    // Killed mid-run: steps were left unfinished (running, or pending when their start was not yet committed).
    expect(killed.steps.filter((step) => step.status === 'running' || step.status === 'pending').length).toBeGreaterThan(0);
    succeededBeforeKill = killed.steps.filter((step) => step.status === 'succeeded').map((step) => partitionId(step.asset, step.partition));
    expect(succeededBeforeKill.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(succeededBeforeKill.length).toBeLessThan(54);
    expect(existsSync(join(cli.home, 'store.lock'))).toBe(false);
  });

  it('completes on the next run without redoing the steps that had succeeded', async () => {
    const result = await runCli(['materialize', ...RANGE, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { runId: string; status: string; steps: number };
    expect(summary.runId).not.toBe(killedRun);
    expect(summary.status).toBe('succeeded');
    const rerun = await withStore(async (store) => store.listSteps(summary.runId));
    const redone = rerun.map((step) => partitionId(step.asset, step.partition));
    expect(rerun.every((step) => step.status === 'succeeded')).toBe(true);
    expect(redone.filter((id) => succeededBeforeKill.includes(id))).toEqual([]);
    expect([...redone, ...succeededBeforeKill].sort()).toEqual(ALL);
    expect((await runCli(['materialize', ...RANGE])).stdout).toMatch(/nothing to do/);
  });

  it('closes the killed run as failed, its unfinished steps cancelled, once the store is opened again', async () => {
    const { run, steps } = await withStore(async (store) => ({ run: (await store.getRun(killedRun))!, steps: await store.listSteps(killedRun) }));
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/^abandoned: the process running it stopped/);
    expect(steps.filter((step) => step.status === 'running' || step.status === 'pending')).toEqual([]);
    expect(steps.filter((step) => step.status === 'cancelled').length).toBe(54 - succeededBeforeKill.length);
  });

  it('keeps one current materialization and one whole data file per partition, with the data of a clean run', async () => {
    const resumed = await withStore(currentData);
    expect([...resumed.keys()].sort()).toEqual(ALL);
    const storage = join(cli.home, 'storage');
    const files = await filesUnder(storage);
    const data = files.filter((file) => file.endsWith('/data.parquet'));
    expect(data).toHaveLength(54);
    // A write the kill interrupted may leave a temporary file; it is never a partition's data.
    expect(files.filter((file) => !file.endsWith('/data.parquet')).every((file) => /\/\.tmp-[^/]+\.parquet$/.test(file))).toBe(true);
    for (const [id, current] of resumed) {
      expect(current.location, id).toMatch(/\/data\.parquet$/);
      expect((await hashFile(current.location!)).dataVersion, id).toBe(current.dataVersion);
    }

    const clean = await openTestEngine({ definitions: defineDefinitions(northbridge), landing: cli.landing });
    try {
      const run = await materialize(clean, { partitions: { from: '2026-11-16', to: '2026-11-18' } });
      expect(run).toMatchObject({ status: 'succeeded', steps: 54 });
      const expected = await currentData(clean.store);
      const summary = (map: typeof resumed) => [...map].map(([id, { dataVersion, rowCount }]) => `${id} ${rowCount} ${dataVersion}`).sort();
      expect(summary(resumed)).toEqual(summary(expected));
      const rows = (map: typeof resumed) => [...map.values()].reduce((sum, m) => sum + m.rowCount!, 0);
      expect(rows(resumed)).toBe(run.rows);
    } finally {
      await clean.close();
    }
  });
});
