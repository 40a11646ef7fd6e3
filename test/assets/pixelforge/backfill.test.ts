// The backfill after a downstream outage, through the CLI: a day is loaded; the warehouse goes down
// and a backfill over the outage fails its loads after their retries, leaving the rest in place;
// `daybook backfill resume` reruns exactly what failed once the warehouse is back; a forced backfill
// then publishes nothing twice. The warehouse holds every generated file exactly once throughout.
// Every store gets a state directory of its own; its tests share it, in order.
import { mkdir, rename, rmdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateUploads, type UploadsSummary } from '../../../assets/pixelforge/generator/index.ts';
import { createStore, type MetadataStore, type RunSummary } from '../../../framework/index.ts';
import { isolateCliState, runCli, type CliDirectories } from '../../support/cli.ts';
import { partitionId } from '../../support/northbridge.ts';
import { migratedPgliteStore } from '../../support/pglite-template.ts';
import { storeKinds, testDatabaseUrl } from '../../support/test-stores.ts';
import { expectedFiles, warehouseFiles, windowsOf } from './warehouse-files.ts';

const CONFIG = fileURLToPath(new URL('./fixtures/pixelforge.config.ts', import.meta.url));
const FIRST = '2026-11-20';
const OUTAGE = '2026-11-21';

type Summary = RunSummary & { backfillId?: string; backfillStatus?: string };

let cli: CliDirectories;
let landed: UploadsSummary;
const uploadsOf = (date: string) => landed.uploads.filter((upload) => new Date(upload.uploadedAt).toISOString().startsWith(date));

// The config reads DAYBOOK_LANDING once, when first imported: every store shares this landing directory.
beforeAll(async () => {
  cli = await isolateCliState('pixelforge-backfill');
  landed = await generateUploads({ root: cli.landing, from: FIRST, to: OUTAGE, seed: 9, scale: 0.25 });
});
afterAll(async () => {
  await cli?.remove();
});

describe.each(storeKinds('test/assets/pixelforge/backfill'))('a backfill after a warehouse outage, store on %s', (kind) => {
  let home: string;
  let schema: string | undefined;
  let backfillId: string;
  const warehouse = () => join(home, 'warehouse.duckdb');
  const daybook = async (args: string[]) => {
    const result = await runCli(['--config', CONFIG, ...args, '--json']);
    return { code: result.code, summary: JSON.parse(result.stdout) as Summary };
  };
  /** Opens the CLI's store while no command runs, and closes it. */
  const withStore = async <T>(work: (store: MetadataStore) => Promise<T>): Promise<T> => {
    const store = await createStore(schema === undefined ? { url: '', directory: join(home, 'store') } : { url: testDatabaseUrl!, schema });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  /** The warehouse file becomes unreachable: a directory stands where DuckDB expects its file. */
  const takeWarehouseDown = async () => {
    await rename(warehouse(), `${warehouse()}.offline`);
    await mkdir(warehouse());
  };
  const bringWarehouseBack = async () => {
    await rmdir(warehouse());
    await rename(`${warehouse()}.offline`, warehouse());
  };

  beforeAll(async () => {
    home = join(cli.root, kind);
    process.env.DAYBOOK_HOME = home;
    if (kind === 'postgres') {
      schema = `pixelforge_${process.pid}_${randomBytes(4).toString('hex')}`;
      await query(`create schema ${schema}`);
      process.env.DAYBOOK_DATABASE_URL = withSearchPath(testDatabaseUrl!, schema);
    } else {
      await migratedPgliteStore(join(home, 'store'));
    }
  });
  afterAll(async () => {
    delete process.env.DAYBOOK_DATABASE_URL;
    if (schema !== undefined) await query(`drop schema if exists ${schema} cascade`);
  });

  it('loads the first day while the warehouse is up', async () => {
    const { code, summary } = await daybook(['materialize', '--from', FIRST, '--to', FIRST]);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'succeeded', steps: 193, byStatus: { succeeded: 193 } });
    expect(await warehouseFiles(warehouse())).toEqual(expectedFiles(uploadsOf(FIRST)));
  });

  it('fails the loads of a backfill over the outage after their retries, and keeps what succeeded', async () => {
    await takeWarehouseDown();
    try {
      const { code, summary } = await daybook(['backfill', '--from', FIRST, '--to', OUTAGE, '--reason', 'catch up after the warehouse outage']);
      expect(code).toBe(1);
      // The first day is fresh; the outage day's metadata is extracted, its loads fail, its reconciliation cannot run.
      expect(summary).toMatchObject({ status: 'failed', backfillStatus: 'failed', steps: 193, byStatus: { succeeded: 96, failed: 96, 'upstream-failed': 1 } });
      backfillId = summary.backfillId!;
      const loads = summary.problems.filter((problem) => problem.asset === 'pixelforge/media-files');
      expect(loads.map((problem) => problem.partition).sort()).toEqual(windowsOf(OUTAGE));
      expect(loads.every((problem) => problem.status === 'failed' && problem.message.includes(warehouse()))).toBe(true);
      const steps = await withStore((store) => store.listSteps(summary.runId));
      const failed = steps.filter((step) => step.status === 'failed');
      expect(failed).toHaveLength(96);
      expect(failed.every((step) => step.attempts === 3)).toBe(true);
    } finally {
      await bringWarehouseBack();
    }
    expect(await warehouseFiles(warehouse())).toEqual(expectedFiles(uploadsOf(FIRST)));
    expect(await withStore((store) => store.getBackfill(backfillId))).toMatchObject({ status: 'failed' });
  });

  it('reruns exactly the failed loads and the reconciliation on resume, loading every file once', async () => {
    const { code, summary } = await daybook(['backfill', 'resume', backfillId]);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'succeeded', backfillStatus: 'completed', steps: 97, byStatus: { succeeded: 97 } });
    const steps = await withStore((store) => store.listSteps(summary.runId));
    expect(steps.map((step) => partitionId(step.asset, step.partition)).sort()).toEqual(
      [...windowsOf(OUTAGE).map((w) => partitionId('pixelforge/media-files', w)), partitionId('pixelforge/daily-reconciliation', OUTAGE)].sort(),
    );
    expect(await warehouseFiles(warehouse())).toEqual(expectedFiles(landed.uploads));
    const backfill = await withStore((store) => store.getBackfill(backfillId));
    expect(backfill).toMatchObject({ status: 'completed' });
    expect(backfill!.runIds).toHaveLength(2);
  });

  it('publishes nothing twice when the outage range is backfilled again with --force', async () => {
    const { code, summary } = await daybook(['backfill', 'pixelforge/media-files', '--from', OUTAGE, '--to', OUTAGE, '--force']);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ status: 'succeeded', backfillStatus: 'completed', steps: 96, byStatus: { succeeded: 96 } });
    const publishes = await withStore((store) => store.latestPublishes('pixelforge/media-files'));
    const forced = publishes.filter((publish) => publish.runId === summary.runId);
    expect(forced).toHaveLength(96);
    expect(forced.every((publish) => !publish.published)).toBe(true);
    expect(await warehouseFiles(warehouse())).toEqual(expectedFiles(landed.uploads));
    expect(existsSync(`${warehouse()}.offline`)).toBe(false);
  });
});

/** The test database's URL with the connections' search_path set to `schema`, so the CLI's store lives there. */
function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function query(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
