// Publishing NorthBridge's risk and finance files to a real S3 server (s3rver) next to the warehouse:
// objects and manifests, a rerun that publishes nothing, a forced rerun, and a corrected broker re-send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { defineDefinitions, materialize, quoteLiteral, s3Target, type S3Manifest } from '../../framework/index.ts';
import { withPublishTargets } from '../support/northbridge.ts';
import { readPublished, type PublishedPartition } from '../support/s3-published.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

const RANGE = { from: '2026-11-16', to: '2026-11-17' };
const FILES = ['northbridge/risk-positions-file', 'northbridge/finance-pnl-file'];
const BUCKET = 'nb-exports';
const PREFIX = 'daily';
const TARGET = `s3://${BUCKET}/${PREFIX}`;

describe('publishing NorthBridge to S3 over two sessions', () => {
  let server: TestS3Server;
  let engine: TestEngine;

  /** Every published partition of an asset, read back through its manifest, by partition. */
  const published = async (asset: string): Promise<Map<string, PublishedPartition>> => {
    const partitions = await engine.duckdb.withConnection((connection) => readPublished({ client: server.client, bucket: BUCKET, prefix: PREFIX, asset, connection }));
    return new Map(partitions.map((partition) => [partition.manifest.partition, partition]));
  };
  const manifests = async (): Promise<Map<string, S3Manifest>> => {
    const all = new Map<string, S3Manifest>();
    for (const asset of FILES) for (const [partition, { manifest }] of await published(asset)) all.set(`${asset}[${partition}]`, manifest);
    return all;
  };
  /** The stored file's rows, each value as text, sorted: what the object must hold. */
  const storedRows = async (asset: string, partition: string) => {
    const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
    const rows = await engine.query<Record<string, string | null>>(
      `select columns(*)::varchar from read_parquet(${quoteLiteral(current!.location!)}, hive_partitioning = false)`,
    );
    return rows.map((row) => JSON.stringify(row)).sort();
  };

  beforeAll(async () => {
    server = await startS3Server([BUCKET]);
    const s3 = s3Target({ bucket: BUCKET, prefix: PREFIX, clientConfig: server.clientConfig });
    engine = await openTestEngine({ definitions: defineDefinitions(withPublishTargets(northbridge, Object.fromEntries(FILES.map((key) => [key, [s3]])))) });
    await generateLanding({ root: engine.landing, from: RANGE.from, to: RANGE.to, seed: 11 });
  });
  afterAll(async () => {
    await engine?.close();
    await server?.dispose();
  });

  it('publishes one object and manifest per partition, row for row as stored, and records each publish with its URI', async () => {
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.problems).toEqual([]);
    for (const asset of FILES) {
      const partitions = await published(asset);
      expect([...partitions.keys()]).toEqual(['2026-11-16', '2026-11-17']);
      for (const [partition, { manifest, rows }] of partitions) {
        const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
        expect(manifest).toMatchObject({
          asset,
          key: `${PREFIX}/${asset}/partition=${partition}/part-0.parquet`,
          dataVersion: current!.dataVersion,
          rowCount: current!.rowCount,
          runId: run.runId,
        });
        expect(rows.map((row) => JSON.stringify(row)).sort()).toEqual(await storedRows(asset, partition));
      }
      const records = (await engine.store.latestPublishes(asset)).filter((p) => p.target === TARGET);
      expect(records.map((p) => [p.partition, p.uri, p.published]).sort()).toEqual(
        ['2026-11-16', '2026-11-17'].map((partition) => [partition, `${TARGET}/${asset}/partition=${partition}/part-0.parquet`, true]),
      );
    }
    expect((await published('northbridge/finance-pnl-file')).get('2026-11-17')!.rows).toHaveLength(5);
  });

  it('publishes nothing new on a second run of the same data', async () => {
    const before = await manifests();
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.steps).toBe(0);
    expect(await manifests()).toEqual(before);
  });

  it('leaves the same objects and row counts when the files are forced to run again', async () => {
    const before = await manifests();
    const run = await materialize(engine, { selection: FILES.join(','), partitions: RANGE, force: true });
    expect(run).toMatchObject({ status: 'succeeded', steps: 4 });
    // DuckDB writes the same bytes for the same inputs: the same version, so no upload and no new manifest.
    expect(await manifests()).toEqual(before);
    const records = (await Promise.all(FILES.map((asset) => engine.store.latestPublishes(asset)))).flat().filter((p) => p.target === TARGET);
    expect(records.map((p) => [p.runId, p.published])).toEqual(Array.from({ length: 4 }, () => [run.runId, false]));
  });

  it('republishes exactly the partitions a corrected broker re-send changes, with one row per key', async () => {
    const before = await manifests();
    // The last session: the first one's partitions read nothing of it and must stay as they are.
    await resendCorrected({ root: engine.landing, date: '2026-11-17', broker: 'GSCO' });
    const run = await materialize(engine, { partitions: RANGE });
    expect(run.problems).toEqual([]);
    const after = await manifests();
    const republished: string[] = [];
    for (const [id, manifest] of after) {
      const [asset, partition] = [id.slice(0, id.indexOf('[')), id.slice(id.indexOf('[') + 1, -1)];
      const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
      expect(manifest.dataVersion).toBe(current!.dataVersion);
      const changed = manifest.dataVersion !== before.get(id)!.dataVersion;
      expect(manifest.runId === run.runId, id).toBe(changed);
      if (changed) republished.push(id);
      else expect(manifest, id).toEqual(before.get(id));
    }
    expect(republished).toContain('northbridge/risk-positions-file[2026-11-17]');
    expect(republished.filter((id) => id.endsWith('[2026-11-16]'))).toEqual([]);
    for (const { rows } of (await published('northbridge/risk-positions-file')).values()) {
      expect(new Set(rows.map((row) => `${row.portfolio}|${row.symbol}`)).size).toBe(rows.length);
    }
  });
});
