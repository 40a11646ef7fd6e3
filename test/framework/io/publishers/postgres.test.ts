import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDB, type DuckDB } from '../../../../framework/io/duckdb.ts';
import { postgresTable } from '../../../../framework/io/publishers/postgres.ts';
import { quoteLiteral } from '../../../../framework/io/sql-text.ts';
import { publisherContract } from '../../../contracts/publisher.contract.ts';
import { testDatabaseUrl } from '../../../support/test-stores.ts';

const url = testDatabaseUrl;

if (url === undefined) {
  console.warn('postgres publisher: DAYBOOK_TEST_DATABASE_URL is not set; its contract suite is skipped');
  describe.skip('publisher contract: postgres', () => it.skip('needs DAYBOOK_TEST_DATABASE_URL', () => undefined));
} else {
  let schema = '';
  const run = async <Row extends pg.QueryResultRow>(text: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<Row>(text)).rows;
    } finally {
      await client.end();
    }
  };
  const newSchema = () => (schema = `publish_${process.pid}_${randomBytes(4).toString('hex')}`);
  publisherContract({
    name: 'postgres',
    newTarget: async () => postgresTable({ url, schema: newSchema() }),
    readRows: async () => {
      const rows = await run<Record<string, unknown>>(`select * from ${pg.escapeIdentifier(schema)}.contract__positions`);
      return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
    },
    cleanup: async () => {
      await run(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    },
  });

  describe('postgresTable COPY', () => {
    let duckdb: DuckDB;
    let root: string;
    beforeAll(async () => {
      duckdb = await createDuckDB({ threads: 1 });
      root = await mkdtemp(join(tmpdir(), 'daybook-pg-copy-'));
      newSchema();
    });
    afterAll(async () => {
      duckdb?.close();
      await rm(root, { recursive: true, force: true });
      await run(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    });

    it('loads many chunks in file order, with text that COPY must escape and every type read back as written', async () => {
      const file = join(root, 'odd.parquet');
      const rows = 10_000;
      await duckdb.withConnection((c) =>
        c.run(`copy (
          select i::bigint as id,
            case i % 5 when 0 then null when 1 then 'tab' || chr(9) || 'here' when 2 then 'line' || chr(10) || 'break\\r' || chr(13)
              when 3 then 'back\\slash \\N \\x41' else 'plain ' || i end as label,
            (i * 1.25)::decimal(18, 4) as amount, i / 3.0 as ratio, i % 2 = 0 as even,
            date '2026-11-20' + (i % 30)::integer as day, timestamp '2026-11-20 14:30:00.123' + to_seconds(i) as traded_at,
            timestamptz '2026-11-20 14:30:00+00' + to_seconds(i) as traded_at_tz, case when i % 7 = 0 then null else ('\\x00' || i::varchar)::blob end as bytes
          from range(${rows}) t(i) order by i desc) to ${quoteLiteral(file)} (format parquet)`),
      );
      const expected = await duckdb.withConnection((c) =>
        c.query<Record<string, string | null>>(
          `select id::varchar as id, label, amount::varchar as amount, ratio::varchar as ratio, even::varchar as even, day::varchar as day,
            strftime(traded_at, '%Y-%m-%d %H:%M:%S.%g') as traded_at, epoch_ms(traded_at_tz)::varchar as traded_at_tz, hex(bytes) as bytes from read_parquet(${quoteLiteral(file)})`,
        ),
      );
      const result = await duckdb.withConnection(async (reader) =>
        postgresTable({ url, schema }).publish({ asset: 'copy/odd', partition: 'P1', partitionColumns: { partition: 'P1' }, dataVersion: 'v1', file, rowCount: rows, runId: 'r', reader }),
      );
      expect(result.published).toBe(true);
      const loaded = await run<Record<string, string | null>>(
        `select id::text as id, label, amount::text as amount, ratio::text as ratio, even::text as even, day::text as day,
          to_char(traded_at, 'YYYY-MM-DD HH24:MI:SS.MS') as traded_at, (extract(epoch from traded_at_tz) * 1000)::bigint::text as traded_at_tz, upper(encode(bytes, 'hex')) as bytes
          from ${pg.escapeIdentifier(schema)}.copy__odd order by ctid`,
      );
      expect(loaded).toHaveLength(rows);
      // Row for row in the file's order (descending ids), with every value as DuckDB wrote it.
      expect(loaded.map((row) => ({ ...row, ratio: String(Number(row.ratio)) }))).toEqual(expected.map((row) => ({ ...row, ratio: String(Number(row.ratio)) })));
    });
  });
}
