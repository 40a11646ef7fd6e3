import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { DuckDBConnection } from '../io/duckdb.ts';
import { quoteIdentifier, quoteLiteral } from '../io/sql-text.ts';

/** A column of an exported table, with its DuckDB type. */
export interface ParquetColumn {
  readonly name: string;
  readonly type: 'BIGINT' | 'INTEGER' | 'BOOLEAN' | 'VARCHAR' | 'TIMESTAMPTZ';
}

export interface WriteParquetOptions {
  connection: DuckDBConnection;
  columns: readonly ParquetColumn[];
  /** Pages of rows, keyed by column name; dates as Date, JSON as its text. */
  pages: AsyncIterable<readonly Record<string, unknown>[]>;
  /** Where the JSON lines go on their way (a scratch file). */
  staging: string;
  /** The Parquet file to write. */
  file: string;
  /** The column the file is sorted by. */
  orderBy: string;
}

/**
 * Writes rows to a Parquet file through DuckDB: streamed as JSON lines to a staging file, then read
 * with the declared column types and copied, sorted, into Parquet (zstd). Returns the row count.
 */
export async function writeParquet({ connection, columns, pages, staging, file, orderBy }: WriteParquetOptions): Promise<number> {
  const out = createWriteStream(staging);
  let rows = 0;
  try {
    for await (const page of pages) {
      let text = '';
      for (const row of page) text += JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value)) + '\n';
      rows += page.length;
      if (!out.write(text)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  const types = `{${columns.map((column) => `${quoteLiteral(column.name)}: ${quoteLiteral(column.type)}`).join(', ')}}`;
  const select =
    rows === 0
      ? `SELECT ${columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(', ')} WHERE false`
      : `SELECT ${columns.map((column) => quoteIdentifier(column.name)).join(', ')} FROM read_json(${quoteLiteral(staging)}, format = 'newline_delimited', columns = ${types}) ORDER BY ${quoteIdentifier(orderBy)}`;
  await connection.run(`COPY (${select}) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`);
  return rows;
}
