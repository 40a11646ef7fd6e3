// A PostgreSQL publish whose connection is killed halfway through its load, on real PostgreSQL: the
// attempt fails, the retry publishes, and the table never holds a partial or doubled partition.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAsset, defineDefinitions, defineSource, materialize, staticKeys } from '../../framework/index.ts';
import { postgresPublishSchema } from '../support/published-tables.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

const postgres = postgresPublishSchema('test/e2e/publish-interrupted');
const ROWS = 200_000;

describe.skipIf(postgres === undefined)('a PostgreSQL publish whose connection is terminated mid-load', () => {
  const { schema, url, query } = postgres!;
  const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier('t__trades')}`;
  let engine: TestEngine;
  let blocker: pg.Client;

  /** Lands the trade file: `rows` trades with ids E000000… in order, each with this quantity. */
  const land = async (rows: number, qty: number) => {
    const lines = Array.from({ length: rows }, (_, i) => `E${String(i).padStart(6, '0')},${qty}`);
    await mkdir(join(engine.landing, 'trades'), { recursive: true });
    await writeFile(join(engine.landing, 'trades', 'D1.csv'), `exec_id,qty\n${lines.join('\n')}\n`);
  };
  const held = async () =>
    (await query<{ rows: number; ids: number; qty: string | null }>(`select count(*)::int as rows, count(distinct exec_id)::int as ids, string_agg(distinct qty::text, ',') as qty from ${table}`))[0]!;

  beforeAll(async () => {
    const days = staticKeys(['D1']);
    engine = await openTestEngine({
      definitions: defineDefinitions([
        defineSource({ key: 't/trade-file', partitions: days, location: { pattern: 'trades/{partition}.csv' } }),
        defineAsset({
          key: 't/trades',
          partitions: days,
          deps: [{ asset: 't/trade-file', as: 'raw' }],
          compute: 'select cast(exec_id as varchar) as exec_id, cast(qty as bigint) as qty from raw order by exec_id',
          publish: [postgres!.target()],
        }),
      ]),
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 50 },
    });
    await land(20_000, 1);
    expect(await materialize(engine)).toMatchObject({ status: 'succeeded', byStatus: { succeeded: 1 } });
    blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
  });
  afterAll(async () => {
    await blocker?.end().catch(() => undefined);
    await engine?.close();
    await postgres?.drop();
  });

  it('fails the attempt, keeps the previous rows whole, and publishes the new version exactly once on the retry', async () => {
    expect(await held()).toEqual({ rows: 20_000, ids: 20_000, qty: '1' });
    // A uniqueness the new file's last id runs into while another transaction holds it: the load
    // stops there, its earlier rows written and the old ones deleted, all uncommitted.
    await query(`create unique index trades_exec_id on ${table} (exec_id)`);
    const last = `E${String(ROWS - 1).padStart(6, '0')}`;
    await blocker.query('begin');
    await blocker.query(`insert into ${table} (exec_id, qty, _daybook_partition) values ($1, 0, 'held by another transaction')`, [last]);
    await land(ROWS, 2);

    const run = materialize(engine);
    let pid: number | undefined;
    for (let tries = 0; pid === undefined && tries < 600; tries++) {
      const [waiting] = await query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'daybook publish' and wait_event_type = 'Lock' and query ilike 'copy %'`,
      );
      if (waiting) pid = waiting.pid;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (pid === undefined) {
      await blocker.query('rollback');
      await run;
      expect.fail('the publish never reached the held row');
    }
    const [progress] = await query<{ tuples: string }>(`select tuples_processed::text as tuples from pg_stat_progress_copy where pid = $1`, [pid]);
    expect(Number(progress!.tuples)).toBe(ROWS - 1);
    expect((await query<{ killed: boolean }>('select pg_terminate_backend($1) as killed', [pid]))[0]!.killed).toBe(true);

    // The killed transaction left nothing: the previous version, whole.
    expect(await held()).toEqual({ rows: 20_000, ids: 20_000, qty: '1' });
    await blocker.query('rollback');

    const summary = await run;
    expect(summary).toMatchObject({ status: 'succeeded', byStatus: { succeeded: 1 } });
    const [step] = await engine.store.listSteps(summary.runId);
    expect(step).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(step!.logTail).toMatch(/attempt 1 failed: asset "t\/trades" partition "D1": publishing to postgres:\/\/.*#.*\.t__trades failed: replacing the partition rows: terminating connection/);
    expect(await held()).toEqual({ rows: ROWS, ids: ROWS, qty: '2' });
    const [current] = await engine.store.currentMaterializations('t/trades');
    const [record] = await query<{ data_version: string; row_count: string }>(`select data_version, row_count::text from ${pg.escapeIdentifier(schema)}._daybook_publishes`);
    expect(record).toEqual({ data_version: current!.dataVersion, row_count: String(ROWS) });
  });
});
