// Late and corrected data end to end through the CLI, on NorthBridge publishing to the warehouse, to
// S3 (s3rver) and, with DAYBOOK_TEST_DATABASE_URL, to PostgreSQL and to Redshift (the Data API test
// endpoint over PostgreSQL, staging through S3): a broker file that arrives after its partitions were
// left waiting, then a corrected re-send. `daybook plan` names exactly the partitions to rebuild, and
// `daybook materialize` replaces what every target holds, read back from the targets. The tests share
// one state directory, in order.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected } from '../../assets/northbridge/generator/index.ts';
import { PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import { createStore, quoteLiteral, type RunSummary } from '../../framework/index.ts';
import { isolateCliState, runCli, type CliDirectories } from '../support/cli.ts';
import { partitionId, sessionPartitions } from '../support/northbridge.ts';
import { postgresPublishSchema, startCloudPublishTargets, warehouseRows, type CloudPublishTargets, type S3PublishedPartition } from '../support/published-tables.ts';
import { createDuckDB } from '../../framework/io/duckdb.ts';

const CONFIG = 'test/e2e/fixtures/northbridge-targets.config.ts';
const RANGE = ['--from', '2026-11-16', '--to', '2026-11-18'];
const LATE_FILE = 'executions/JPMS/2026-11-18.jsonl';
const FILES = { 'northbridge/risk-positions-file': 'northbridge__risk_positions_file', 'northbridge/finance-pnl-file': 'northbridge__finance_pnl_file' } as const;
type FileAsset = keyof typeof FILES;
/** What identifies a row of each published file within its partition. */
const KEYS: Record<FileAsset, string[]> = { 'northbridge/risk-positions-file': ['portfolio', 'symbol'], 'northbridge/finance-pnl-file': ['portfolio'] };

const postgres = postgresPublishSchema('test/e2e/late-data');
let cli: CliDirectories;
let cloud: CloudPublishTargets;
/** The targets every published file goes to, in the order `targetRows` lists them. */
const targetNames = () => ['warehouse', 's3', ...(postgres ? ['postgres'] : []), ...(cloud.redshift ? ['redshift'] : [])];

const daybook = async (args: string[]) => {
  const result = await runCli(['--config', CONFIG, ...args, '--json']);
  return { code: result.code, json: JSON.parse(result.stdout) as RunSummary & { steps: unknown } };
};
const plan = async () => {
  const { json } = await daybook(['plan', ...RANGE]);
  return (json as unknown as { steps: { asset: string; partition: string; reason: string; detail: string }[] }).steps;
};
const materialize = async () => (await daybook(['materialize', ...RANGE])).json;

/** Every target's rows of a file and partition, each as JSON text of its values, sorted, by target. */
async function targetRows(asset: FileAsset, partition: string): Promise<Record<string, string[]>> {
  const where = `_daybook_partition = ${quoteLiteral(partition)}`;
  const held: Record<string, string[]> = {
    warehouse: await warehouseRows(join(cli.home, 'warehouse.duckdb'), FILES[asset], { where }),
    s3: (await cloud.s3Partitions(asset)).get(partition)?.rows ?? [],
  };
  if (postgres) held.postgres = await postgres.rows(FILES[asset], { where });
  const redshift = await cloud.redshiftRows(FILES[asset], { where });
  if (redshift) held.redshift = redshift;
  return held;
}

/** The stored files' rows of both published files of the sessions, each in the same form, by `asset[date]`: what every target must hold. */
async function storedFiles(dates: readonly string[]): Promise<Map<string, string[]>> {
  const store = await createStore({ url: '', directory: join(cli.home, 'store') });
  const duckdb = await createDuckDB();
  try {
    const files = new Map<string, string[]>();
    for (const asset of Object.keys(FILES) as FileAsset[]) {
      for (const current of await store.currentMaterializations(asset, { partitions: dates })) {
        const rows = await duckdb.withConnection((c) =>
          c.query<Record<string, string | null>>(`select columns(*)::varchar from read_parquet(${quoteLiteral(current.location!)}, hive_partitioning = false)`),
        );
        files.set(partitionId(asset, current.partition), rows.map((row) => JSON.stringify(row)).sort());
      }
    }
    return files;
  } finally {
    duckdb.close();
    await store.close();
  }
}

/** Each target holds the stored files' rows of the sessions exactly, each key once; returns the stored rows. */
async function expectPublishedAsStored(dates: readonly string[]): Promise<Map<string, string[]>> {
  const stored = await storedFiles(dates);
  expect(stored.size).toBe(dates.length * 2);
  for (const [id, rows] of stored) {
    const [, asset, partition] = /^(.*)\[(.*)\]$/.exec(id)! as unknown as [string, FileAsset, string];
    const held = await targetRows(asset, partition);
    expect(Object.keys(held)).toEqual(targetNames());
    for (const [target, copy] of Object.entries(held)) expect(copy, `${id} in ${target}`).toEqual(rows);
    const keys = rows.map((row) => KEYS[asset].map((key) => (JSON.parse(row) as Record<string, string>)[key]).join(' '));
    expect(new Set(keys).size).toBe(keys.length);
  }
  return stored;
}

beforeAll(async () => {
  if (postgres) process.env.NORTHBRIDGE_TEST_PG_SCHEMA = postgres.schema;
  // The CLI runs in this process and reads its config, with these, when the first command loads it.
  cloud = await startCloudPublishTargets('test/e2e/late-data');
  Object.assign(process.env, cloud.env);
  cli = await isolateCliState('e2e-late-data');
  await generateLanding({ root: cli.landing, from: '2026-11-16', to: '2026-11-18', seed: 13 });
  await rename(join(cli.landing, LATE_FILE), join(cli.root, 'late.jsonl'));
});
afterAll(async () => {
  await cli?.remove();
  await postgres?.drop();
  await cloud?.dispose();
  delete process.env.NORTHBRIDGE_TEST_PG_SCHEMA;
  for (const name of Object.keys(cloud?.env ?? {})) delete process.env[name];
});

describe('a broker file that arrives after its partitions were left waiting', () => {
  const waiting = [
    'northbridge/executions[2026-11-18|JPMS]',
    ...sessionPartitions('2026-11-18').filter((id) => /positions|pnl|-file/.test(id)),
  ].sort();

  it('leaves the partitions that need it waiting and publishes the sessions that are complete', async () => {
    const run = await materialize();
    expect(run).toMatchObject({ steps: 54, byStatus: { succeeded: 41, waiting: 13 } });
    expect(run.problems.map((p) => partitionId(p.asset, p.partition)).sort()).toEqual(waiting);
    await expectPublishedAsStored(['2026-11-16', '2026-11-17']);
    for (const asset of Object.keys(FILES) as FileAsset[]) {
      expect(await targetRows(asset, '2026-11-18')).toEqual(Object.fromEntries(targetNames().map((target) => [target, []])));
    }
  });

  it('is picked up by the next plan and materialize, which run exactly the partitions that waited and publish the session', async () => {
    await rename(join(cli.root, 'late.jsonl'), join(cli.landing, LATE_FILE));
    const steps = await plan();
    expect(steps.map((s) => partitionId(s.asset, s.partition)).sort()).toEqual(waiting);
    expect(steps.every((s) => s.reason === 'missing')).toBe(true);
    const run = await materialize();
    expect(run).toMatchObject({ status: 'succeeded', steps: 13, byStatus: { succeeded: 13 } });
    await expectPublishedAsStored(['2026-11-18']);
    expect((await targetRows('northbridge/finance-pnl-file', '2026-11-18')).warehouse).toHaveLength(PORTFOLIOS.length);
  });
});

describe('a corrected re-send of a broker file', () => {
  const affected = [
    'northbridge/executions[2026-11-17|GSCO]',
    ...['2026-11-17', '2026-11-18'].flatMap((date) => [
      ...PORTFOLIOS.flatMap((p) => [partitionId('northbridge/positions', `${date}|${p}`), partitionId('northbridge/pnl', `${date}|${p}`)]),
      partitionId('northbridge/risk-positions-file', date),
      partitionId('northbridge/finance-pnl-file', date),
    ]),
  ].sort();
  const SESSIONS = ['2026-11-16', '2026-11-17', '2026-11-18'];
  let before: Map<string, string[]>;
  /** The S3 target's partitions of each file, manifests included: a republished partition gets a new manifest. */
  const s3Held = () => Promise.all(Object.keys(FILES).map((asset) => cloud.s3Partitions(asset)));
  let s3Before: Map<string, S3PublishedPartition>[];

  it('is planned as exactly the partitions downstream of it, each upstream-changed', async () => {
    before = await storedFiles(SESSIONS);
    s3Before = await s3Held();
    const resend = await resendCorrected({ root: cli.landing, date: '2026-11-17', broker: 'GSCO' });
    expect(resend.amended).toBeGreaterThan(0);
    const steps = await plan();
    expect(steps.map((s) => partitionId(s.asset, s.partition)).sort()).toEqual(affected);
    expect(steps.every((s) => s.reason === 'upstream-changed')).toBe(true);
    expect(steps.find((s) => s.asset === 'northbridge/executions')!.detail).toContain('northbridge/broker-executions[2026-11-17|GSCO]');
  });

  it('replaces the published rows in every target: each key once, the corrected values in, the other session untouched', async () => {
    const run = await materialize();
    expect(run).toMatchObject({ status: 'succeeded', steps: affected.length });
    const after = await expectPublishedAsStored(SESSIONS);
    for (const asset of Object.keys(FILES)) expect(after.get(`${asset}[2026-11-16]`)).toEqual(before.get(`${asset}[2026-11-16]`));
    // Not even rewritten in S3: the other session keeps the manifest of its first publish.
    (await s3Held()).forEach((held, k) => expect(held.get('2026-11-16')).toEqual(s3Before[k]!.get('2026-11-16')));
    // The corrections moved positions and P&L of the session, and carried into the next one.
    for (const id of ['northbridge/risk-positions-file[2026-11-17]', 'northbridge/finance-pnl-file[2026-11-17]', 'northbridge/risk-positions-file[2026-11-18]']) {
      expect(after.get(id), id).not.toEqual(before.get(id));
    }
  });

  it('publishes nothing on the next run', async () => {
    const publishes = async () => ({
      warehouse: await warehouseRows(join(cli.home, 'warehouse.duckdb'), '_daybook_publishes', { keepPartition: true }),
      postgres: await postgres?.rows('_daybook_publishes', { keepPartition: true }),
      redshift: await cloud.redshiftRows('_daybook_publishes', { keepPartition: true }),
      s3: await s3Held(),
    });
    const held = await publishes();
    expect(held.warehouse).toHaveLength(6);
    expect(held.s3.map((partitions) => partitions.size)).toEqual([3, 3]);
    if (held.redshift) expect(held.redshift).toHaveLength(6);
    expect(await plan()).toEqual([]);
    expect(await materialize()).toMatchObject({ status: 'succeeded', steps: 0 });
    expect(await publishes()).toEqual(held);
  });
});
