// PixelForge end to end on real DuckDB and a real store: a day's 96 upload windows through metadata,
// the warehouse load and the nightly reconciliation; a rerun and a forced reload that duplicate
// nothing; and a day whose late manifest lines make it reconcile only once they land, rerunning
// exactly their windows. The tests of one store share its state in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverLate, generateUploads, type UploadsSummary } from '../../../assets/pixelforge/generator/index.ts';
import { pixelforge } from '../../../assets/pixelforge/index.ts';
import { FORMATS } from '../../../assets/pixelforge/partitions.ts';
import { createPlan, defineDefinitions, materialize, selectAssets, type RunSummary } from '../../../framework/index.ts';
import { observeSources } from '../../../framework/executor/observe-sources.ts';
import { partitionId } from '../../support/northbridge.ts';
import { openTestEngine, storedRows, type TestEngine } from '../../support/test-engine.ts';
import { storeKinds } from '../../support/test-stores.ts';
import { expectedFiles, warehouseFiles, windowsOf } from './warehouse-files.ts';

const DAY = '2026-11-20';
const LATE_DAY = '2026-11-21';
const SEED = 5;
const day = (date: string) => ({ from: date, to: date });

/** The checks each asset runs per partition, by name. */
const CHECKS: Record<string, string[]> = {
  'pixelforge/uploads': ['schema', 'not_null_file_id_sha256_uploaded_at'],
  'pixelforge/media-metadata': ['row_count', 'unique_file_id', 'not_null_file_id_path_format_width_height_bytes_checksum_uploader_uploaded_at', 'accepted_values_format', 'positive_sizes', 'checksum_is_sha256'],
  'pixelforge/media-files': ['matches_metadata'],
  'pixelforge/daily-control': ['schema'],
  'pixelforge/daily-reconciliation': ['control_totals', 'formats_match_control'],
};

describe.each(storeKinds('test/assets/pixelforge/pipeline'))('PixelForge over two days, store on %s', (kind) => {
  let engine: TestEngine;
  let landed: UploadsSummary;
  let first: RunSummary;

  beforeAll(async () => {
    engine = await openTestEngine({ definitions: defineDefinitions(pixelforge), store: kind });
    landed = await generateUploads({ root: engine.landing, from: DAY, to: DAY, seed: SEED });
    first = await materialize(engine, { partitions: day(DAY) });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('materializes the 96 windows of a day, their warehouse loads and the day\'s reconciliation, with every check passing', async () => {
    expect(first).toMatchObject({ status: 'succeeded', steps: 193, byStatus: { succeeded: 193 }, problems: [] });
    const steps = await engine.store.listSteps(first.runId);
    const windows = windowsOf(DAY);
    expect(steps.map((step) => partitionId(step.asset, step.partition)).sort()).toEqual(
      [...windows.flatMap((w) => [partitionId('pixelforge/media-metadata', w), partitionId('pixelforge/media-files', w)]), partitionId('pixelforge/daily-reconciliation', DAY)].sort(),
    );

    for (const [asset, names] of Object.entries(CHECKS)) {
      const results = await engine.store.listCheckResults({ asset, limit: 5_000 });
      const partitions = asset.endsWith('control') || asset.endsWith('reconciliation') ? 1 : 96;
      expect(results, asset).toHaveLength(partitions * names.length);
      expect(new Set(results.map((result) => result.check)), asset).toEqual(new Set(names));
      expect(results.filter((result) => !result.passed), asset).toEqual([]);
    }
    const reconciliation = await storedRows<{ format: string; files: bigint; control_files: bigint; files_diff: bigint; bytes_diff: bigint }>(engine, 'pixelforge/daily-reconciliation', DAY);
    expect(reconciliation.map((row) => row.format)).toEqual([...FORMATS].sort());
    expect(reconciliation.every((row) => row.files_diff === 0n && Number(row.bytes_diff) === 0)).toBe(true);
    expect(reconciliation.reduce((sum, row) => sum + Number(row.files), 0)).toBe(landed.uploads.length);
  });

  it('loads every uploaded file into the warehouse exactly once, as generated, though clients sent some lines twice', async () => {
    expect(landed.uploads.some((upload) => upload.lines.length === 2)).toBe(true);
    const held = await warehouseFiles(engine.warehousePath);
    expect(held).toHaveLength(landed.uploads.length);
    expect(held).toEqual(expectedFiles(landed.uploads));
    // Each window's rows are under its own partition key, which a republish replaces.
    const window = `${DAY}T14:15`;
    const start = Date.parse(`${window}:00Z`);
    const inWindow = landed.uploads.filter((upload) => upload.uploadedAt >= start && upload.uploadedAt < start + 15 * 60_000);
    expect(inWindow.length).toBeGreaterThan(1);
    expect(await warehouseFiles(engine.warehousePath, `_daybook_partition = '${window}'`)).toEqual(expectedFiles(inWindow));
  });

  it('runs nothing when nothing changed, and a forced reload of a window publishes nothing new and duplicates nothing', async () => {
    expect((await materialize(engine, { partitions: day(DAY) })).steps).toBe(0);
    const window = `${DAY}T09:30`;
    const forced = await materialize(engine, { selection: 'pixelforge/media-files', partitions: { partition: window }, force: true });
    expect(forced).toMatchObject({ status: 'succeeded', steps: 1, byStatus: { succeeded: 1 } });
    const [publish] = await engine.store.latestPublishes('pixelforge/media-files', { partition: window });
    expect(publish).toMatchObject({ runId: forced.runId, target: 'warehouse', published: false });
    expect(await warehouseFiles(engine.warehousePath)).toEqual(expectedFiles(landed.uploads));
  });

  it('holds back a day\'s reconciliation until its late lines land, then reruns exactly their windows and replaces their rows', async () => {
    const late = await generateUploads({ root: engine.landing, from: LATE_DAY, to: LATE_DAY, seed: SEED, late: 2 });
    const heldWindows = [...late.held.keys()].sort();
    expect(heldWindows).toHaveLength(2);
    const run = await materialize(engine, { partitions: day(LATE_DAY) });
    expect(run).toMatchObject({ status: 'failed', steps: 193, byStatus: { succeeded: 192, 'blocked-by-check': 1 } });
    expect(run.problems).toMatchObject([{ asset: 'pixelforge/daily-reconciliation', partition: LATE_DAY, status: 'blocked-by-check' }]);
    const [totals] = await engine.store.listCheckResults({ asset: 'pixelforge/daily-reconciliation', partition: LATE_DAY, check: 'control_totals' });
    expect(totals).toMatchObject({ passed: false, metrics: { files_diff: -2 } });
    const landedLines = late.uploads.filter((upload) => !heldWindows.some((w) => late.held.get(w)!.includes(upload)));
    expect(await warehouseFiles(engine.warehousePath, `upload_date = '${LATE_DAY}'`)).toEqual(expectedFiles(landedLines));

    const delivered = await deliverLate({ root: engine.landing, from: LATE_DAY, to: LATE_DAY, seed: SEED, late: 2 });
    expect(delivered.map((file) => file.partition).sort()).toEqual(heldWindows);

    const range = { from: DAY, to: LATE_DAY };
    const assets = selectAssets(engine.definitions, '*');
    await observeSources(engine, assets, range);
    const plan = createPlan({ definitions: engine.definitions, state: await engine.store.plannerState(engine.definitions), assets, partitions: range });
    const planned = [...plan.steps()];
    expect(planned.map((step) => partitionId(step.asset, step.partition)).sort()).toEqual(
      [...heldWindows.flatMap((w) => [partitionId('pixelforge/media-metadata', w), partitionId('pixelforge/media-files', w)]), partitionId('pixelforge/daily-reconciliation', LATE_DAY)].sort(),
    );
    expect(planned.filter((step) => step.asset !== 'pixelforge/daily-reconciliation').every((step) => step.reason === 'upstream-changed')).toBe(true);

    const rerun = await materialize(engine, { partitions: range });
    expect(rerun).toMatchObject({ status: 'succeeded', steps: 5, byStatus: { succeeded: 5 } });
    expect(await warehouseFiles(engine.warehousePath)).toEqual(expectedFiles([...landed.uploads, ...late.uploads]));
    const checks = await engine.store.listCheckResults({ asset: 'pixelforge/daily-reconciliation', partition: LATE_DAY, limit: 2 });
    expect(checks.map((check) => [check.check, check.passed]).sort()).toEqual([['control_totals', true], ['formats_match_control', true]]);
    expect((await materialize(engine, { partitions: range })).steps).toBe(0);
  });
});
