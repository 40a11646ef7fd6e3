// Bad broker files end to end. An unreadable file fails its executions step with an error naming the
// file, the field or line and the partition; bad data in a readable file is blocked by a check, which
// names the check, the partition, its metrics and a sample row. Either way nothing is stored for that
// partition, nothing downstream of it runs, and the published files for risk and finance are untouched
// in every target: the warehouse, S3 and, with DAYBOOK_TEST_DATABASE_URL, PostgreSQL and Redshift.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import { defineDefinitions } from '../../framework/definitions/definitions.ts';
import { materialize, type RunSummary } from '../../framework/executor/materialize.ts';
import { rerunChecks } from '../../framework/executor/rerun-checks.ts';
import type { StepRecord } from '../../framework/store/schema.ts';
import { partitionId, withPublishTargets } from '../support/northbridge.ts';
import { postgresPublishSchema, startCloudPublishTargets, warehouseRows, type CloudPublishTargets } from '../support/published-tables.ts';
import { filesUnder, openTestEngine, type TestEngine } from '../support/test-engine.ts';

const DATE = '2026-11-16';
let engine: TestEngine;

beforeAll(async () => {
  engine = await openTestEngine({ definitions: defineDefinitions(northbridge) });
  await generateLanding({ root: engine.landing, from: DATE, to: DATE, scale: 0.2, seed: 5 });
  const reference = await materialize(engine, { selection: 'northbridge/securities,northbridge/prices,northbridge/fx-rates', partitions: { partition: DATE } });
  expect(reference).toMatchObject({ status: 'succeeded', steps: 3 });
});
afterAll(async () => {
  await engine?.close();
});

interface Outcome {
  run: RunSummary;
  steps: Map<string, StepRecord>;
  /** The failed step's error. */
  error: string;
}

/**
 * Damages one broker's landed file, runs that broker's executions and everything downstream for the
 * session, and puts the file back.
 */
async function runOnDamaged(broker: string, file: string, damage: (original: Buffer) => Buffer | string, on: TestEngine = engine): Promise<Outcome> {
  const path = join(on.landing, file);
  const original = await readFile(path);
  await writeFile(path, damage(original));
  try {
    const run = await materialize(on, { selection: 'northbridge/executions+', partitions: { partition: DATE, where: { broker } } });
    const steps = new Map((await on.store.listSteps(run.runId)).map((step) => [partitionId(step.asset, step.partition), step]));
    return { run, steps, error: steps.get(`northbridge/executions[${DATE}|${broker}]`)!.errorMessage ?? '' };
  } finally {
    await writeFile(path, original);
  }
}

/**
 * The run failed at the broker's partition, held back every downstream step, and stored nothing from
 * it. A malformed file fails the same way every time, so it gets one attempt; a rule in the asset's
 * SQL is retried like any other failure.
 */
async function expectNothingStored({ run, steps }: Outcome, broker: string, attempts: number): Promise<void> {
  const partition = `${DATE}|${broker}`;
  expect(run.status).toBe('failed');
  expect(run.byStatus).toEqual({ failed: 1, 'upstream-failed': 12 });
  expect(steps.get(`northbridge/executions[${partition}]`)).toMatchObject({ status: 'failed', attempts, materializationSeq: null });
  for (const portfolio of PORTFOLIOS) {
    expect(steps.get(`northbridge/positions[${DATE}|${portfolio}]`)!.status).toBe('upstream-failed');
    expect(steps.get(`northbridge/pnl[${DATE}|${portfolio}]`)!.status).toBe('upstream-failed');
  }
  expect(steps.get(`northbridge/risk-positions-file[${DATE}]`)!.status).toBe('upstream-failed');
  expect(steps.get(`northbridge/finance-pnl-file[${DATE}]`)!.status).toBe('upstream-failed');
  expect(await engine.store.currentMaterializations('northbridge/executions', { partitions: [partition] })).toEqual([]);
  for (const asset of ['northbridge/positions', 'northbridge/pnl', 'northbridge/risk-positions-file', 'northbridge/finance-pnl-file']) {
    expect(await engine.store.currentMaterializations(asset), asset).toEqual([]);
  }
  const [state] = await engine.store.partitionStates('northbridge/executions', [partition]);
  expect(state).toMatchObject({ failed: true, currentSeq: 0 });
  // Only the three reference partitions are stored; no temporary file of the failed write is left.
  expect(await filesUnder(engine.storageRoot)).toEqual(
    [`northbridge/fx-rates/partition=${DATE}/data.parquet`, `northbridge/prices/partition=${DATE}/data.parquet`, `northbridge/securities/partition=${DATE}/data.parquet`],
  );
}

const lines = (file: Buffer) => file.toString('utf8').split('\n');
const GSCO = `executions/GSCO/${DATE}.csv`;
const JPMS = `executions/JPMS/${DATE}.jsonl`;

describe('bad broker files fail their partition, naming file, field and partition, and store nothing', () => {
  it('fails on a CSV line with an unterminated quote, naming the file and the line', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) => lines(file).map((line, k) => (k === 4 ? line.replace(',PF', ',"PF') : line)).join('\n'));
    expect(outcome.error).toBe(
      `asset "northbridge/broker-executions" partition "${DATE}|GSCO": file ${join(engine.landing, GSCO)}, line 5: Invalid Input Error: Value with unterminated quote found.`,
    );
    await expectNothingStored(outcome, 'GSCO', 1);
  });

  it('fails on a non-numeric quantity, naming the execution and the field', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) => lines(file).map((line, k) => (k === 3 ? line.replace(/,([BS]),(\d+),/, ',$1,12x4,') : line)).join('\n'));
    // A value DuckDB reads as text is judged by the compute, which names the record and the field.
    expect(outcome.error).toMatch(/^asset "northbridge\/executions" partition "2026-11-16\|GSCO": /);
    expect(outcome.error).toContain('northbridge/executions[2026-11-16|GSCO]: 1 problem(s): GSCO-20261116-00000003: quantity is not a positive whole number');
    await expectNothingStored(outcome, 'GSCO', 3);
  });

  it('fails on a JSON-lines file with a line that is not JSON, naming the file and the line', async () => {
    const outcome = await runOnDamaged('JPMS', JPMS, (file) => lines(file).map((line, k) => (k === 6 ? line.slice(0, -5) : line)).join('\n'));
    expect(outcome.error).toBe(
      `asset "northbridge/broker-executions" partition "${DATE}|JPMS": file ${join(engine.landing, JPMS)}, line 7: malformed JSON: Unexpected end of JSON input`,
    );
    await expectNothingStored(outcome, 'JPMS', 1);
  });
});

describe('a corrupt re-send of a stored partition', () => {
  it('keeps the stored partition and its file, and runs nothing downstream, when a re-sent Parquet file is truncated', async () => {
    const partition = `${DATE}|MSCO`;
    const good = await materialize(engine, { selection: 'northbridge/executions', partitions: { partition } });
    expect(good).toMatchObject({ status: 'succeeded', steps: 1 });
    const [stored] = await engine.store.currentMaterializations('northbridge/executions', { partitions: [partition] });
    const bytes = await readFile(stored!.location!);

    const outcome = await runOnDamaged('MSCO', `executions/MSCO/${DATE}.parquet`, (file) => file.subarray(0, file.length / 2));
    expect(outcome.error).toMatch(new RegExp(`^asset "northbridge/broker-executions" partition "${DATE}\\|MSCO": file ${join(engine.landing, 'executions/MSCO')}/${DATE}\\.parquet: .*(magic bytes|corrupt|truncated)`, 'i'));
    expect(outcome.steps.get(`northbridge/executions[${partition}]`)).toMatchObject({ status: 'failed', reason: 'upstream-changed', materializationSeq: null });
    expect(outcome.run.byStatus).toEqual({ failed: 1, 'upstream-failed': 12 });
    expect(await engine.store.currentMaterializations('northbridge/executions', { partitions: [partition] })).toEqual([stored]);
    expect(await readFile(stored!.location!)).toEqual(bytes);
    for (const asset of ['northbridge/positions', 'northbridge/pnl', 'northbridge/risk-positions-file', 'northbridge/finance-pnl-file']) {
      expect(await engine.store.currentMaterializations(asset), asset).toEqual([]);
    }
  });
});

describe('bad data in a readable broker file is blocked by a check, and the published files stay as they were', () => {
  const FILES = ['northbridge/risk-positions-file', 'northbridge/finance-pnl-file'];
  const TABLES = ['northbridge__risk_positions_file', 'northbridge__finance_pnl_file'];
  const partition = `${DATE}|GSCO`;
  const postgres = postgresPublishSchema('test/e2e/bad-input');
  let published: TestEngine;
  let cloud: CloudPublishTargets;
  let before: Awaited<ReturnType<typeof snapshot>>;

  /** What every target holds and what the store says was published, read back. */
  const snapshot = async () => ({
    targets: [
      ...(await Promise.all(TABLES.map((table) => warehouseRows(published.warehousePath, table, { keepPartition: true })))),
      ...(postgres ? await Promise.all(TABLES.map((table) => postgres.rows(table, { keepPartition: true }))) : []),
      ...(cloud.redshift ? await Promise.all(TABLES.map(async (table) => (await cloud.redshiftRows(table, { keepPartition: true }))!)) : []),
    ],
    /** The S3 target's partitions, manifests included, so that not even a rewrite of the same rows goes unseen. */
    s3: await Promise.all(FILES.map((asset) => cloud.s3Partitions(asset))),
    publishes: (await Promise.all(FILES.map((asset) => published.store.latestPublishes(asset)))).flat(),
    executions: await published.store.currentMaterializations('northbridge/executions', { partitions: [partition] }),
  });

  /** The executions step and the twelve downstream of it were blocked, nothing was stored or published, and this is the message. */
  const expectBlocked = async ({ run, steps }: Outcome): Promise<string> => {
    expect(run.byStatus).toEqual({ 'blocked-by-check': 13 });
    expect([...steps.values()].every((step) => step.materializationSeq === null)).toBe(true);
    expect(await snapshot()).toEqual(before);
    return steps.get(`northbridge/executions[${partition}]`)!.errorMessage!;
  };
  const latestResult = async (asset: string, check: string) => (await published.store.listCheckResults({ asset, partition, check, limit: 1 }))[0]!;

  beforeAll(async () => {
    cloud = await startCloudPublishTargets('test/e2e/bad-input');
    const targets = [...(postgres ? [postgres.target()] : []), ...cloud.targets()];
    published = await openTestEngine({ definitions: defineDefinitions(withPublishTargets(northbridge, Object.fromEntries(FILES.map((key) => [key, targets])))) });
    await generateLanding({ root: published.landing, from: DATE, to: DATE, scale: 0.2, seed: 5 });
    expect(await materialize(published, { partitions: { partition: DATE } })).toMatchObject({ status: 'succeeded', steps: 18 });
    before = await snapshot();
    expect(before.targets).toHaveLength(2 * (1 + (postgres ? 1 : 0) + (cloud.redshift ? 1 : 0)));
    expect(before.targets.every((rows) => rows.length > 0)).toBe(true);
    expect(before.s3.map((partitions) => [...partitions.keys()])).toEqual([[DATE], [DATE]]);
    expect(before.s3.every((partitions) => partitions.get(DATE)!.rows.length > 0)).toBe(true);
    expect(before.publishes).toHaveLength(2 * (2 + (postgres ? 1 : 0) + (cloud.redshift ? 1 : 0)));
  });
  afterAll(async () => {
    await published?.close();
    await postgres?.drop();
    await cloud?.dispose();
  });

  it('blocks schema drift, a column the broker dropped, before the executions step reads the file', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) => lines(file).map((line) => line.split(',').filter((_, k) => k !== 9).join(',')).join('\n'), published);
    expect(await expectBlocked(outcome)).toBe(
      `asset "northbridge/broker-executions" partition "${partition}": blocked by check schema (schema drift: price removed), e.g. {"column":"price","change":"removed","expected":null,"actual":null}`,
    );
    expect(await latestResult('northbridge/broker-executions', 'schema')).toMatchObject({ passed: false, metrics: { columns: 13, added: 0, removed: 1, retyped: 0 } });
  });

  it('blocks an execution record without an id, with the record as the sample', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) => lines(file).map((line, k) => (k === 3 ? line.replace(/^EXEC,[^,]+,/, 'EXEC,,') : line)).join('\n'), published);
    const message = await expectBlocked(outcome);
    expect(message).toMatch(
      new RegExp(`^asset "northbridge/broker-executions" partition "${DATE}\\|GSCO": blocked by check not_null_exec_id_version \\(1 rows with nulls in exec_id \\(1\\)\\), e\\.g\\. \\{"record_type":"EXEC","exec_id":null,"order_id":"GSCO-O20261116-`),
    );
    expect(await latestResult('northbridge/broker-executions', 'not_null_exec_id_version')).toMatchObject({
      passed: false,
      metrics: { nulls_exec_id: 1, nulls_version: 0, failingRows: 1 },
      sample: [{ record_type: 'EXEC', exec_id: null }],
    });
  });

  it('blocks a duplicated execution id, naming the id and how often it occurs', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) => lines(file).flatMap((line, k) => (k === 3 ? [line, line] : [line])).join('\n'), published);
    expect(await expectBlocked(outcome)).toBe(
      `asset "northbridge/broker-executions" partition "${partition}": blocked by check unique_exec_id_version (1 values of exec_id + version occur more than once (2 rows)), ` +
        `e.g. {"exec_id":"GSCO-20261116-00000003","version":1,"occurrences":2}`,
    );
    expect(await latestResult('northbridge/broker-executions', 'unique_exec_id_version')).toMatchObject({ passed: false, metrics: { duplicateKeys: 1, duplicateRows: 2 } });
  });

  it('blocks executions whose notional total or count does not match the control record, with both sides as metrics', async () => {
    const centOff = await runOnDamaged(
      'GSCO',
      GSCO,
      (file) => lines(file).map((line) => (line.startsWith('TRAILER,') ? line.replace(/,(\d+)\.(\d{4})$/, (_, units: string, ticks: string) => `,${units}.${String(Number(ticks) + 100).padStart(4, '0')}`) : line)).join('\n'),
      published,
    );
    const message = await expectBlocked(centOff);
    const result = await latestResult('northbridge/executions', 'control_record');
    const { executions, notional, notional_control: control } = result.metrics as { executions: number; notional: number; notional_control: number };
    expect(result).toMatchObject({ passed: false, metrics: { executions_control: executions, executions_diff: 0, notional_diff: -0.01 } });
    expect(control).toBeCloseTo(notional + 0.01, 4);
    expect(result.sample).toEqual([{ measure: 'notional', actual: notional, control, diff: -0.01 }]);
    expect(message).toBe(
      `asset "northbridge/executions" partition "${partition}": blocked by check control_record (does not reconcile with control: notional ${notional} vs ${control} (diff -0.01)), ` +
        `e.g. {"measure":"notional","actual":${notional},"control":${control},"diff":-0.01}`,
    );

    const lineMissing = await runOnDamaged('GSCO', GSCO, (file) => lines(file).filter((_, k) => k !== 5).join('\n'), published);
    expect(await expectBlocked(lineMissing)).toContain('blocked by check control_record (does not reconcile with control: executions ');
    expect((await latestResult('northbridge/executions', 'control_record')).metrics).toMatchObject({ executions: executions - 1, executions_control: executions, executions_diff: -1 });

    const noTrailer = await runOnDamaged('GSCO', GSCO, (file) => lines(file).filter((line) => !line.startsWith('TRAILER,')).join('\n'), published);
    expect(await expectBlocked(noTrailer)).toContain('blocked by check control_record (expected one control row from control, found 0)');
  });

  it('publishes nothing new once the good file is back: the partition recomputes to the version the targets hold', async () => {
    const run = await materialize(published, { partitions: { partition: DATE } });
    expect(run.status).toBe('succeeded');
    const after = await snapshot();
    expect(after.targets).toEqual(before.targets);
    expect(after.s3).toEqual(before.s3);
    expect(after.publishes).toEqual(before.publishes);
    expect(after.executions[0]!.dataVersion).toBe(before.executions[0]!.dataVersion);
    // `daybook check` reads the broker file again as the step's input, so the reconcile reruns too.
    const rerun = await rerunChecks(published, { asset: 'northbridge/executions', partition });
    expect(rerun.results.find((result) => result.check === 'control_record')).toMatchObject({ passed: true, metrics: { executions_diff: 0, notional_diff: 0 } });
  });
});
