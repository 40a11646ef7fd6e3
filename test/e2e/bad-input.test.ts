// Bad broker files end to end: each fails its executions step with an error naming the file, the
// field or line and the partition; nothing is stored for that partition and nothing downstream of it
// runs, so no file for risk or finance is written from it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import { defineDefinitions } from '../../framework/definitions/definitions.ts';
import { materialize, type RunSummary } from '../../framework/executor/materialize.ts';
import type { StepRecord } from '../../framework/store/schema.ts';
import { partitionId } from '../support/northbridge.ts';
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
async function runOnDamaged(broker: string, file: string, damage: (original: Buffer) => Buffer | string): Promise<Outcome> {
  const path = join(engine.landing, file);
  const original = await readFile(path);
  await writeFile(path, damage(original));
  try {
    const run = await materialize(engine, { selection: 'northbridge/executions+', partitions: { partition: DATE, where: { broker } } });
    const steps = new Map((await engine.store.listSteps(run.runId)).map((step) => [partitionId(step.asset, step.partition), step]));
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
    expect(outcome.error).toContain('northbridge/executions[2026-11-16|GSCO]: 2 problem(s): GSCO-20261116-00000003: quantity is not a positive whole number');
    await expectNothingStored(outcome, 'GSCO', 3);
  });

  it('fails on a CSV without the price column, naming the column', async () => {
    const outcome = await runOnDamaged('GSCO', GSCO, (file) =>
      lines(file)
        .map((line) => line.split(',').filter((_, k) => k !== 9).join(','))
        .join('\n'),
    );
    expect(outcome.error).toBe(
      `asset "northbridge/executions" partition "${DATE}|GSCO" (input raw_executions: asset "northbridge/broker-executions" partition "${DATE}|GSCO"): ` +
        `file ${join(engine.landing, GSCO)}, column "price": Binder Error: Values list "raw_executions" does not have a column named "price"`,
    );
    await expectNothingStored(outcome, 'GSCO', 1);
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
