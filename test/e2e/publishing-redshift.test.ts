// Publishing NorthBridge's risk and finance files to Redshift through the Data API, next to the
// warehouse: the test endpoint runs the statements on real PostgreSQL, and the risk file is staged in
// a real S3 server and COPYed, the finance file sent as INSERT statements. A rerun publishes nothing,
// a forced rerun leaves every row count as it was, and a corrected broker re-send flows through.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { defineDefinitions, materialize, quoteLiteral, redshiftTable } from '../../framework/index.ts';
import { withPublishTargets } from '../support/northbridge.ts';
import { startRedshiftDataApi, type TestRedshiftDataApi } from '../support/redshift-data-api.ts';
import { startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';
import { testDatabaseUrl } from '../support/test-stores.ts';

const RANGE = { from: '2026-11-16', to: '2026-11-17' };
const RISK = 'northbridge/risk-positions-file';
const FINANCE = 'northbridge/finance-pnl-file';
const FILES = [RISK, FINANCE];
const BUCKET = 'nb-redshift-staging';
const url = testDatabaseUrl;
const table = (asset: string) => asset.replace('/', '__').replaceAll('-', '_');

if (url === undefined) {
  console.warn('publishing to redshift: DAYBOOK_TEST_DATABASE_URL is not set; the end-to-end Redshift run is skipped');
  describe.skip('publishing NorthBridge to Redshift', () => it.skip('needs DAYBOOK_TEST_DATABASE_URL', () => undefined));
} else {
  describe('publishing NorthBridge to Redshift over two sessions', () => {
    let s3: TestS3Server;
    let api: TestRedshiftDataApi;
    let engine: TestEngine;
    let targetName = '';

    const query = async (sql: string): Promise<Record<string, string | null>[]> => {
      const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    const qualified = (name: string) => `${pg.escapeIdentifier(api.schema)}.${pg.escapeIdentifier(name)}`;
    /** The partition's rows in Redshift, each value as text, sorted, without `_daybook_partition`. */
    const publishedRows = async (asset: string, partition: string) =>
      (await query(`select * from ${qualified(table(asset))} where _daybook_partition = ${quoteLiteral(partition)}`))
        .map(({ _daybook_partition: _, ...row }) => JSON.stringify(row))
        .sort();
    /** The stored file's rows, each value as text, sorted: what Redshift must hold. */
    const storedRows = async (asset: string, partition: string) => {
      const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
      const rows = await engine.query<Record<string, string | null>>(
        `select columns(*)::varchar from read_parquet(${quoteLiteral(current!.location!)}, hive_partitioning = false)`,
      );
      return rows.map((row) => JSON.stringify(row)).sort();
    };
    const counts = async () => {
      const result: Record<string, string | null>[] = [];
      for (const asset of FILES) {
        result.push(...(await query(`select '${asset}' as asset, _daybook_partition, count(*) as n from ${qualified(table(asset))} group by 1, 2 order by 2`)));
      }
      return result;
    };
    const publishesTable = () => query(`select * from ${qualified('_daybook_publishes')} order by table_name, partition_key`);

    beforeAll(async () => {
      s3 = await startS3Server([BUCKET]);
      api = await startRedshiftDataApi({ databaseUrl: url, s3: s3.clientConfig });
      const common = { workgroupName: 'northbridge', database: api.database, schema: api.schema, clientConfig: api.clientConfig, pollMs: 5, maxPollMs: 100 };
      const staged = redshiftTable({ ...common, staging: { bucket: BUCKET, iamRole: 'arn:aws:iam::123456789012:role/nb-load', clientConfig: s3.clientConfig } });
      targetName = staged.name;
      engine = await openTestEngine({ definitions: defineDefinitions(withPublishTargets(northbridge, { [RISK]: [staged], [FINANCE]: [redshiftTable(common)] })) });
      await generateLanding({ root: engine.landing, from: RANGE.from, to: RANGE.to, seed: 11 });
    });
    afterAll(async () => {
      await engine?.close();
      await api?.dispose();
      await s3?.dispose();
    });

    it('publishes both files of both sessions, row for row as stored, and records each publish', async () => {
      const run = await materialize(engine, { partitions: RANGE });
      expect(run.problems).toEqual([]);
      for (const asset of FILES) {
        const records = (await engine.store.latestPublishes(asset)).filter((p) => p.target === targetName);
        expect(records.map((p) => [p.partition, p.uri, p.published, p.runId]).sort()).toEqual(
          ['2026-11-16', '2026-11-17'].map((partition) => [partition, `redshift://northbridge/${api.database}#${api.schema}.${table(asset)}`, true, run.runId]),
        );
        for (const partition of ['2026-11-16', '2026-11-17']) {
          const stored = await storedRows(asset, partition);
          expect(stored.length).toBeGreaterThan(0);
          expect(await publishedRows(asset, partition)).toEqual(stored);
        }
      }
      expect(await counts()).toContainEqual({ asset: FINANCE, _daybook_partition: '2026-11-17', n: '5' });
      const recorded = await publishesTable();
      expect(recorded.map((row) => [row.table_name, row.partition_key, row.run_id])).toEqual(
        [table(FINANCE), table(RISK)].flatMap((name) => ['2026-11-16', '2026-11-17'].map((partition) => [name, partition, run.runId])),
      );
      // Staged files are removed once their batch has ended.
      expect((await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount).toBe(0);
    });

    it('publishes nothing new on a second run of the same data', async () => {
      const before = await publishesTable();
      const run = await materialize(engine, { partitions: RANGE });
      expect(run.steps).toBe(0);
      expect(await publishesTable()).toEqual(before);
    });

    it('leaves every row count unchanged on a forced rerun, which finds each version already published', async () => {
      const [before, recorded] = [await counts(), await publishesTable()];
      const run = await materialize(engine, { partitions: RANGE, force: true });
      expect(run.problems).toEqual([]);
      expect(await counts()).toEqual(before);
      expect(await publishesTable()).toEqual(recorded);
      for (const asset of FILES) {
        const records = (await engine.store.latestPublishes(asset)).filter((p) => p.target === targetName);
        expect(records.map((p) => [p.runId, p.published])).toEqual([
          [run.runId, false],
          [run.runId, false],
        ]);
      }
    });

    it('replaces the rows of the partitions a corrected broker re-send changes, with one row per key', async () => {
      await resendCorrected({ root: engine.landing, date: '2026-11-16', broker: 'GSCO' });
      const run = await materialize(engine, { partitions: RANGE });
      expect(run.problems).toEqual([]);
      const republished = (await engine.store.latestPublishes(RISK)).filter((p) => p.target === targetName && p.runId === run.runId && p.published);
      expect(republished.map((p) => p.partition)).toContain('2026-11-16');
      for (const asset of FILES) {
        for (const partition of ['2026-11-16', '2026-11-17']) expect(await publishedRows(asset, partition)).toEqual(await storedRows(asset, partition));
      }
      const [risk] = await query(`select count(*) as n, count(distinct (_daybook_partition, portfolio, symbol)) as keys from ${qualified(table(RISK))}`);
      expect(risk!.n).toBe(risk!.keys);
    });
  });
}
