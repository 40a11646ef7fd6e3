// Checks benchmark: every built-in check on one 5M-row executions partition, through Daybook's check
// path (`daybook check`: the stored file and its inputs made readable, the gate, the results stored),
// against the same SQL run directly in DuckDB, in the same run:
// - `replay`: the very statements Daybook ran (views, variables, queries), recorded and run again on
//   a plain DuckDB connection, every row read; `checksRatio` is Daybook over this;
// - `handwritten`: one plain query per check, the least SQL that answers it, for reference.
// Rounds alternate between the three; each figure is the fastest round. Then a 1 GB Parquet file is
// published to a local S3 server (s3rver) through the S3 target and by a plain lib-storage Upload, in
// the same run (test/bench/s3-publish.ts). The last line is JSON.
//
//   npm run bench -- checks        (BENCH_CHECK_ROWS=500000 BENCH_S3_ROWS=500000 for a quick run)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptedValues, anomaly, freshness, notNull, reconcile, relationships, rowCount, schema, sql, unique } from '../../checks/index.ts';
import { rerunChecks } from '../../framework/executor/rerun-checks.ts';
import { measureS3Publish } from './s3-publish.ts';
import {
  createDuckDB,
  createLocalPartitionStorage,
  createSourceObserver,
  createStore,
  defineAsset,
  defineDefinitions,
  defineSource,
  materialize,
  quoteLiteral,
  type CheckDefinition,
  type DuckDB,
  type DuckDBConnection,
  type Engine,
} from '../../framework/index.ts';

const ROWS = Number(process.env.BENCH_CHECK_ROWS ?? 5_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'daybook-checks-bench-'));

// An executions partition: 2,000 symbols, both sides, whole lots, four-decimal prices, one session.
const EXECUTIONS = `
  select 'E' || lpad(i::varchar, 9, '0') as exec_id, 'O' || (i // 3) as order_id, 'PF00' || (1 + i % 5) as portfolio,
         'SYM' || (i % 2000) as symbol, case when i % 2 = 0 then 'BUY' else 'SELL' end as side,
         (100 * (1 + i % 9))::bigint as quantity, round(10 + (i % 5000) / 7.0, 4)::decimal(18, 4) as price, 'USD' as currency,
         timestamp '2026-11-20 14:30:00' + to_seconds(i % 23400) as trade_time,
         ((100 * (1 + i % 9))::bigint * round(10 + (i % 5000) / 7.0, 4)::decimal(18, 4))::decimal(38, 4) as notional
  from range(${ROWS}) t(i)`;

const CHECKS: CheckDefinition[] = [
  rowCount({ min: 1 }),
  schema({
    columns: {
      exec_id: 'VARCHAR', order_id: 'VARCHAR', portfolio: 'VARCHAR', symbol: 'VARCHAR', side: 'VARCHAR', quantity: 'BIGINT',
      price: 'DECIMAL(18,4)', currency: 'VARCHAR', trade_time: 'TIMESTAMP', notional: 'DECIMAL(38,4)',
    },
  }),
  notNull(['exec_id', 'symbol', 'quantity', 'price']),
  unique(['exec_id']),
  acceptedValues('side', ['BUY', 'SELL']),
  relationships({ column: 'symbol', asset: 'bench/securities' }),
  reconcile({ measures: { rows: 'count(*)', notional: 'sum(notional)' }, control: 'select control_count as rows, control_notional as notional from trailer' }),
  freshness({ column: 'trade_time', maxLagMinutes: 10 * 365 * 24 * 60, asOf: 'now' }),
  anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 20, maxZScore: 4 }),
  sql({ name: 'positive_quantity', sql: 'select * from output where quantity <= 0' }),
];

/** The same checks as one plain query each over the file, the reference table and the trailer. */
const handwritten = (file: string, securities: string, trailer: string) => {
  const t = `read_parquet(${quoteLiteral(file)})`;
  return [
    `select count(*) from ${t}`,
    `describe select * from ${t}`,
    `select count(*) filter (where exec_id is null), count(*) filter (where symbol is null), count(*) filter (where quantity is null), count(*) filter (where price is null) from ${t}`,
    `select count(*) from (select exec_id from ${t} group by exec_id having count(*) > 1)`,
    `select count(*) from ${t} where side not in ('BUY', 'SELL')`,
    `select count(*) from ${t} o where not exists (select 1 from read_parquet(${quoteLiteral(securities)}) r where r.symbol = o.symbol)`,
    `select count(*), sum(notional), (select control_notional from read_csv(${quoteLiteral(trailer)})) from ${t}`,
    `select max(trade_time) from ${t}`,
    `select sum(notional) from ${t}`,
    `select count(*) from ${t} where quantity <= 0`,
  ];
};

/** A connection that writes down every statement it runs, in order. */
function recording(connection: DuckDBConnection, statements: string[]): DuckDBConnection {
  return {
    ...connection,
    run: (text, params) => (statements.push(text), connection.run(text, params)),
    query: (text, params) => (statements.push(text), connection.query(text, params)),
    registerParquet: async (name, files) => {
      const list = typeof files === 'string' ? [files] : files;
      statements.push(`create or replace temp view "${name}" as select * from read_parquet([${list.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`);
      await connection.registerParquet(name, files);
    },
    close: () => connection.close(),
  };
}

function recordingDuckDB(duckdb: DuckDB, statements: string[]): DuckDB {
  const connect = async () => recording(await duckdb.connect(), statements);
  return {
    ...duckdb,
    connect,
    async withConnection(work) {
      const connection = await connect();
      try {
        return await work(connection);
      } finally {
        connection.close();
      }
    },
  };
}

const time = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

try {
  const duckdb = await createDuckDB();
  const [control] = await duckdb.withConnection((c) => c.query<{ rows: bigint; notional: string }>(`select count(*) as rows, sum(notional)::varchar as notional from (${EXECUTIONS})`));
  const landing = join(root, 'landing');
  const trailerFile = join(landing, 'trailer.csv');
  mkdirSync(landing, { recursive: true });
  await duckdb.withConnection((c) =>
    c.run(`copy (select ${control!.rows} as control_count, ${control!.notional}::decimal(38, 4) as control_notional) to ${quoteLiteral(trailerFile)} (header)`),
  );

  const assets = (checks: CheckDefinition[]) =>
    defineDefinitions([
      defineSource({ key: 'bench/trailer', location: { pattern: 'trailer.csv' } }),
      defineAsset({ key: 'bench/securities', compute: `select 'SYM' || i as symbol from range(2000) t(i)` }),
      defineAsset({ key: 'bench/executions', deps: [{ asset: 'bench/trailer', as: 'trailer' }], compute: EXECUTIONS, checks }),
    ]);
  const store = await createStore({ directory: join(root, 'store'), url: '' });
  const statements: string[] = [];
  const engine: Engine = {
    definitions: assets([]),
    store,
    storage: createLocalPartitionStorage({ root: join(root, 'storage') }),
    duckdb: recordingDuckDB(duckdb, statements),
    observer: createSourceObserver({ landing }),
    concurrency: 2,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    timeoutMs: 0,
  };
  const built = await materialize(engine);
  if (built.status !== 'succeeded') throw new Error(`could not build the partition: ${JSON.stringify(built.problems)}`);
  const [stored] = await store.currentMaterializations('bench/executions');
  const [reference] = await store.currentMaterializations('bench/securities');
  console.log(`partition: ${ROWS.toLocaleString('en-US')} executions, ${(stored!.bytes! / 2 ** 20).toFixed(0)} MiB of Parquet; ${CHECKS.length} checks`);

  const checked = { ...engine, definitions: assets(CHECKS) };
  const times = { daybook: [] as number[], replay: [] as number[], handwritten: [] as number[] };
  let replayed: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    statements.length = 0;
    times.daybook.push(
      await time(async () => {
        const outcome = await rerunChecks(checked, { asset: 'bench/executions', partition: '' });
        const failed = outcome.results.filter((result) => !result.passed);
        if (failed.length > 0) throw new Error(`checks failed: ${failed.map((r) => `${r.check}: ${r.message}`).join('; ')}`);
      }),
    );
    replayed = [...statements];
    times.replay.push(
      await time(() =>
        duckdb.withConnection(async (connection) => {
          for (const statement of replayed) await connection.query(statement);
        }),
      ),
    );
    times.handwritten.push(
      await time(() =>
        duckdb.withConnection(async (connection) => {
          for (const statement of handwritten(stored!.location!, reference!.location!, trailerFile)) await connection.query(statement);
        }),
      ),
    );
  }
  const best = (list: number[]) => Math.min(...list);
  const show = (list: number[]) => list.map((ms) => ms.toFixed(0)).join('/');
  const queries = replayed.filter((s) => /^\s*(select|with|describe)/i.test(s)).length;
  console.log(`daybook check (gate, inputs, results stored): ${show(times.daybook)} ms`);
  console.log(`same SQL replayed in DuckDB (${replayed.length} statements, ${queries} queries): ${show(times.replay)} ms`);
  console.log(`hand-written SQL, one query per check: ${show(times.handwritten)} ms`);
  const checksRatio = best(times.daybook) / best(times.replay);
  const handwrittenRatio = best(times.daybook) / best(times.handwritten);
  console.log(`ratio to the same SQL ${checksRatio.toFixed(3)}, to the hand-written SQL ${handwrittenRatio.toFixed(3)}`);
  await store.close();
  duckdb.close();
  const s3 = await measureS3Publish();
  console.log(
    `S3 publish of ${(s3.bytes / 2 ** 20).toFixed(0)} MiB: Daybook ${s3.publishMBps.toFixed(1)} MB/s, plain lib-storage Upload ${s3.baselineMBps.toFixed(1)} MB/s, ratio ${s3.s3PublishRatio.toFixed(3)}`,
  );
  console.log(
    JSON.stringify({
      checksRatio: Number(checksRatio.toFixed(3)),
      s3PublishRatio: s3.s3PublishRatio,
      rows: ROWS,
      checks: CHECKS.length,
      daybookMs: Math.round(best(times.daybook)),
      sameSqlMs: Math.round(best(times.replay)),
      handwrittenMs: Math.round(best(times.handwritten)),
      handwrittenRatio: Number(handwrittenRatio.toFixed(3)),
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
