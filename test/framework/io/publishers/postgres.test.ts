import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { postgresTable } from '../../../../framework/io/publishers/postgres.ts';
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
  publisherContract({
    name: 'postgres',
    newTarget: async () => {
      schema = `publish_${process.pid}_${randomBytes(4).toString('hex')}`;
      return postgresTable({ url, schema, batchRows: 1 });
    },
    readRows: async () => {
      const rows = await run<Record<string, unknown>>(`select * from ${pg.escapeIdentifier(schema)}.contract__positions`);
      return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
    },
    cleanup: async () => {
      await run(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
    },
  });
}
