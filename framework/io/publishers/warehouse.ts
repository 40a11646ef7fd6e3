import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PublishRequest, PublishResult, PublishTarget } from '../../definitions/publish-target.ts';
import { createDuckDB, type DuckDBConnection } from '../duckdb.ts';
import { quoteIdentifier } from '../sql-text.ts';
import { PARTITION_COLUMN, parquetSource, partitionSelect, PUBLISHES_TABLE, publishFailure, tableNameOf } from './target-table.ts';

export interface WarehouseOptions {
  /** The DuckDB file; default `<DAYBOOK_HOME>/warehouse.duckdb`, read when a publish runs. */
  path?: string;
  /** A schema for the asset tables (created when missing); default DuckDB's `main`. */
  schema?: string;
}

// DuckDB lets one process open a file once: publishes to the same file, from any number of
// targets, take turns on it. They are short, and a DuckDB table takes one writer at a time anyway.
const turns = new Map<string, Promise<unknown>>();

function inTurn<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(path) ?? Promise.resolve();
  const next = previous.then(work, work);
  turns.set(path, next.catch(() => undefined));
  return next;
}

/**
 * The embedded warehouse: a DuckDB file holding one table per published asset. Each publish
 * replaces the partition's rows in one transaction, and records the data version it published, so
 * that a rerun of the same data writes nothing.
 *
 * @example
 * defineAsset({ key: 'northbridge/risk-positions-file', publish: [warehouse()], ... });
 */
export function warehouse({ path, schema }: WarehouseOptions = {}): PublishTarget {
  const name = schema === undefined ? 'warehouse' : `warehouse:${schema}`;
  return {
    name,
    publish(request) {
      const file = resolve(path ?? join(process.env.DAYBOOK_HOME ?? '.daybook', 'warehouse.duckdb'));
      return inTurn(file, () => publishTo(file, schema, request));
    },
    // The default file is resolved when a publish runs; every default-file target names it alike.
    destinationOf: (asset) => `duckdb://${path === undefined ? '$DAYBOOK_HOME/warehouse.duckdb' : resolve(path)}#${schema ?? 'main'}.${tableNameOf(asset)}`,
  };
}

async function publishTo(path: string, schema: string | undefined, request: PublishRequest): Promise<PublishResult> {
  const table = tableNameOf(request.asset);
  const target = `${schema === undefined ? '' : quoteIdentifier(schema) + '.'}${quoteIdentifier(table)}`;
  const uri = `duckdb://${path}#${schema ?? 'main'}.${table}`;
  let step = 'opening the warehouse';
  try {
    await mkdir(dirname(path), { recursive: true });
    const db = await createDuckDB({ path, threads: 2 });
    try {
      return await db.withConnection(async (connection) => {
        step = 'preparing the tables';
        const publishes = `${schema === undefined ? '' : quoteIdentifier(schema) + '.'}${quoteIdentifier(PUBLISHES_TABLE)}`;
        if (schema !== undefined) await connection.run(`create schema if not exists ${quoteIdentifier(schema)}`);
        await connection.run(`create table if not exists ${publishes} (
          table_name varchar not null, partition_key varchar not null, data_version varchar not null,
          run_id varchar not null, row_count bigint not null, published_at timestamptz not null,
          primary key (table_name, partition_key))`);
        const source = parquetSource(request.file);
        const columns = await connection.query<{ column_name: string }>(`describe select * from ${source}`);
        const select = partitionSelect(request, columns.map((column) => column.column_name), source);
        await connection.run(`create table if not exists ${target} as ${select} limit 0`);
        await connection.run('begin transaction');
        try {
          const [held] = await connection.query<{ data_version: string }>(
            `select data_version from ${publishes} where table_name = ? and partition_key = ?`,
            [table, request.partition],
          );
          if (held?.data_version === request.dataVersion) {
            await connection.run('rollback');
            return { uri, published: false };
          }
          step = 'replacing the partition rows';
          await connection.run(`delete from ${target} where ${quoteIdentifier(PARTITION_COLUMN)} = ?`, [request.partition]);
          await connection.run(`insert into ${target} by name ${select}`);
          await recordPublish(connection, publishes, table, request);
          await connection.run('commit');
          return { uri, published: true };
        } catch (error) {
          await connection.run('rollback').catch(() => undefined);
          throw error;
        }
      });
    } finally {
      db.close();
    }
  } catch (cause) {
    throw publishFailure(uri, request, step, cause);
  }
}

async function recordPublish(connection: DuckDBConnection, publishes: string, table: string, request: PublishRequest): Promise<void> {
  await connection.run(
    `insert or replace into ${publishes} (table_name, partition_key, data_version, run_id, row_count, published_at) values (?, ?, ?, ?, ?, now())`,
    [table, request.partition, request.dataVersion, request.runId, request.rowCount],
  );
}
