// Runs NorthBridge computes as the executor will, by hand: for one asset partition it asks the real
// asset graph which upstream partitions each dependency's mapping selects, makes each dependency a
// view under its `as` name (the landed file as-is for a source, stored Parquet outputs otherwise,
// an empty relation when none exists), sets the partition variables, and stores the SELECT's
// result as Parquet.
import { mkdir, readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { defineDefinitions, type AssetDefinition } from '../../../framework/index.ts';
import { northbridge } from '../../../assets/northbridge/index.ts';
import { BROKERS, PORTFOLIOS } from '../../../assets/northbridge/partitions.ts';

export type Row = Record<string, string | number | boolean | null>;

export interface HarnessOptions {
  landing: string;
  /** Where outputs are stored, one Parquet file per asset partition. */
  storage: string;
  /**
   * The first session with books: earlier upstream partitions count as not existing, as the
   * session before the first partition does for the executor.
   */
  startOfBooks: string;
  /** How source files are read: as DuckDB detects them, or every column as text. */
  sourceTypes?: 'detected' | 'text';
}

export interface Harness {
  /** Computes one partition, stores it and returns its rows (decimals and dates as strings). */
  run(asset: string, partition: string): Promise<Row[]>;
  /** Stored rows of one partition. */
  rows(asset: string, partition: string): Promise<Row[]>;
  query(sql: string): Promise<Row[]>;
  close(): void;
}

const definitions = defineDefinitions(northbridge);

export async function createHarness({ landing, storage, startOfBooks, sourceTypes = 'detected' }: HarnessOptions): Promise<Harness> {
  const instance = await DuckDBInstance.create(':memory:');
  const main = await instance.connect();
  const outputOf = (asset: string, partition: string) => join(storage, asset.replace('/', '__'), `${partition.replaceAll('|', '_')}.parquet`);
  const query = async (connection: DuckDBConnection, sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];

  async function sourceView(source: AssetDefinition, partition: string): Promise<string> {
    const values = valuesOf(source, partition);
    const relative = source.location!.pattern.replace(/\{(\w+)\}/g, (_, name: string) => values[name === 'date' ? 'partition_date' : name]!);
    let path = join(landing, relative);
    if (relative.endsWith('.*')) {
      const prefix = relative.slice(relative.lastIndexOf('/') + 1, -1);
      const match = (await readdir(dirname(path))).find((name) => name.startsWith(prefix));
      if (!match) throw new Error(`file not arrived: ${path}`);
      path = join(dirname(path), match);
    }
    const file = literal(path);
    if (path.endsWith('.csv')) return `select * from read_csv(${file}, header = true${sourceTypes === 'text' ? ', all_varchar = true' : ''})`;
    const scan = path.endsWith('.jsonl') ? `read_json(${file}, format = 'newline_delimited')` : `read_parquet(${file})`;
    return sourceTypes === 'text' ? `select columns(*)::varchar from ${scan}` : `select * from ${scan}`;
  }

  return {
    async run(key, partition) {
      const asset = definitions.assets[definitions.idOf(key)]!;
      if (typeof asset.compute !== 'string') throw new Error(`${key} has no SQL compute`);
      const connection = await instance.connect();
      try {
        for (const [name, value] of Object.entries({ partition_key: partition, ...valuesOf(asset, partition) })) {
          await connection.run(`set variable ${name} = ${literal(value)}`);
        }
        const index = asset.partitions.indexOf(partition);
        for (const edge of definitions.depsOf(definitions.idOf(key))) {
          const upstream = definitions.assets[edge.upstream]!;
          const keys: string[] = [];
          edge.mapping.forEachUpstream(index, (u) => keys.push(upstream.partitions.keyAt(u)));
          const existing = keys.filter((k) => k.slice(0, 10) >= startOfBooks);
          let view: string;
          if (upstream.kind === 'source') {
            if (existing.length !== 1) throw new Error(`${key}: source ${upstream.key} maps to ${existing.length} partitions`);
            view = await sourceView(upstream, existing[0]!);
          } else if (existing.length === 0) {
            // No columns in common with the asset: the SQL must not rely on an empty input's schema.
            view = 'select cast(null as integer) as no_partitions where false';
          } else {
            view = `select * from read_parquet([${existing.map((k) => literal(outputOf(upstream.key, k))).join(', ')}], union_by_name = true)`;
          }
          await connection.run(`create temp view ${edge.spec.as} as ${view}`);
        }
        const out = outputOf(key, partition);
        await mkdir(dirname(out), { recursive: true });
        await connection.run(`copy (${asset.compute}) to ${literal(`${out}.tmp`)} (format parquet)`);
        await rename(`${out}.tmp`, out);
        return await query(connection, `select * from read_parquet(${literal(out)})`);
      } finally {
        connection.closeSync();
      }
    },
    rows: (asset, partition) => query(main, `select * from read_parquet(${literal(outputOf(asset, partition))})`),
    query: (sql) => query(main, sql),
    close() {
      main.closeSync();
      instance.closeSync();
    },
  };
}

/** The executor's variables: `partition_date` for the date, and one per other dimension. */
function valuesOf(asset: AssetDefinition, partition: string): Record<string, string> {
  const dimensions = asset.partitions.dimensions;
  if (!dimensions) return { partition_date: partition };
  const parts = partition.split('|');
  return Object.fromEntries(dimensions.map((dimension, k) => [dimension.name === 'date' ? 'partition_date' : dimension.name, parts[k]!]));
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Every asset of a session in dependency order, each with its partitions. */
export function sessionSteps(date: string): Array<[string, string]> {
  return [
    ['northbridge/securities', date],
    ['northbridge/fx-rates', date],
    ['northbridge/prices', date],
    ...BROKERS.map((broker): [string, string] => ['northbridge/executions', `${date}|${broker}`]),
    ...PORTFOLIOS.map((portfolio): [string, string] => ['northbridge/positions', `${date}|${portfolio}`]),
    ...PORTFOLIOS.map((portfolio): [string, string] => ['northbridge/pnl', `${date}|${portfolio}`]),
    ['northbridge/risk-positions-file', date],
    ['northbridge/finance-pnl-file', date],
  ];
}
