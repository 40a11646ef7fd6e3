import type { CheckContext, CheckResult, MetricValue, PartitionMetrics } from '../../framework/index.ts';
import { createDuckDB, type DuckDB } from '../../framework/index.ts';

/** A real DuckDB with the rows under check as `output`; other assets are tables named in `relations`. */
export interface CheckHarness {
  readonly context: CheckContext;
  close(): void;
}

export interface CheckHarnessOptions {
  /** SQL whose rows become `output`. */
  output: string;
  /** Other relations by name, as SQL (inputs, or assets that `relation()` returns by key). */
  tables?: Record<string, string>;
  history?: readonly PartitionMetrics[];
  /** Stored metric values by `check.metric`, oldest first, as `metricHistory()` returns them. */
  metricHistory?: Readonly<Record<string, readonly MetricValue[]>>;
  /** Results of other checks in the same evaluation, by name. */
  results?: Readonly<Record<string, CheckResult>>;
  window?: { start: number; end: number };
  now?: number;
}

/** Opens DuckDB in memory and builds the context the executor would, over tables made from SQL. */
export async function checkHarness({ output, tables = {}, history = [], metricHistory = {}, results = {}, window, now = Date.UTC(2026, 10, 20, 23) }: CheckHarnessOptions): Promise<CheckHarness> {
  const duckdb: DuckDB = await createDuckDB();
  const connection = await duckdb.connect();
  await connection.run(`create table output as ${output}`);
  const names = new Map<string, string>();
  for (const [name, sql] of Object.entries(tables)) {
    const table = name.replace(/[^a-z0-9_]/g, '_');
    await connection.run(`create table ${table} as ${sql}`);
    names.set(name, table);
  }
  const context: CheckContext = {
    asset: 'test/asset',
    partition: '2026-11-20',
    window,
    now,
    output: 'output',
    inputs: [...names.values()],
    query: (sql) => connection.query(sql),
    async relation(asset) {
      const table = names.get(asset);
      if (!table) throw new Error(`asset "${asset}" has no materialized partition to check against`);
      return table;
    },
    history: async (count) => history.slice(-count),
    metricHistory: async ({ check, metric, count }) => (metricHistory[`${check}.${metric}`] ?? []).slice(-count),
    resultOf: (check) => results[check],
  };
  return { context, close: () => duckdb.close() };
}
