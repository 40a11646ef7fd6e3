import { DuckDBInstance, type DuckDBConnection as NativeConnection } from '@duckdb/node-api';
import { MaterializationError } from '../util/errors.ts';
import { quoteIdentifier, quoteLiteralList } from './sql-text.ts';

/** A value bound to a `?` or `$name` parameter. */
export type SqlValue = string | number | boolean | bigint | null;
/** Positional (`?`, `$1`) or named (`$name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

/** One column of a relation, with DuckDB's type name (`BIGINT`, `DECIMAL(18,4)`, `VARCHAR`). */
export interface Column {
  readonly name: string;
  readonly type: string;
}

/**
 * One DuckDB connection. Temporary views are private to their connection, so each concurrent step
 * takes its own connection and its relation names never collide with another step's.
 */
export interface DuckDBConnection {
  /** Runs one or more statements; resolves to the rows the last one changed (COPY: rows written). */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** Runs a query and reads every row as an object (BIGINT as bigint, DATE and TIMESTAMP as Date). */
  query<Row = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<Row[]>;
  /**
   * Runs a query and yields its rows in order, one DuckDB chunk (up to 2,048 rows) at a time, each
   * row as an array of values: a large result is read once and never held whole. The connection
   * runs nothing else until the iteration ends.
   */
  stream(sql: string, params?: SqlParams): AsyncIterable<unknown[][]>;
  /** The columns a query would return, without running it. */
  describe(sql: string): Promise<Column[]>;
  /** Makes Parquet files readable as a temporary view `name` (their union, by column name). */
  registerParquet(name: string, files: string | readonly string[]): Promise<void>;
  /** Drops a temporary view made by `registerParquet()` or `readSource()`, if it exists. */
  dropRelation(name: string): Promise<void>;
  /** The @duckdb/node-api connection, for appenders and streaming reads. */
  readonly native: NativeConnection;
  close(): void;
}

/** An open DuckDB database that hands out connections. */
export interface DuckDB {
  readonly path: string;
  connect(): Promise<DuckDBConnection>;
  /** Runs `work` on a fresh connection and closes it afterwards, even when `work` throws. */
  withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Closes every connection still open, then the database. */
  close(): void;
}

export interface DuckDBOptions {
  /** A database file, or `:memory:`. */
  path?: string;
  /** Worker threads; DuckDB's default is one per core. */
  threads?: number;
  /** E.g. `'4GB'`; DuckDB's default is 80% of RAM. */
  memoryLimit?: string;
  /** Where DuckDB spills larger-than-memory work. */
  tempDirectory?: string;
}

/**
 * Opens DuckDB, in memory unless given a file.
 *
 * @example
 * const db = await createDuckDB();
 * const rows = await db.withConnection((c) => c.query('select ? as answer', [42]));
 * db.close();
 */
export async function createDuckDB({ path = ':memory:', threads, memoryLimit, tempDirectory }: DuckDBOptions = {}): Promise<DuckDB> {
  // Without a network, an attempt to auto-install an extension would hang until it times out;
  // failing at once with "requires the extension" is the better error.
  const config: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
  if (threads !== undefined) config.threads = String(threads);
  if (memoryLimit !== undefined) config.memory_limit = memoryLimit;
  if (tempDirectory !== undefined) config.temp_directory = tempDirectory;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (cause) {
    throw new MaterializationError('sql-failed', `cannot open DuckDB database ${JSON.stringify(path)}: ${messageOf(cause)}`, {
      field: path,
      cause,
    });
  }
  const open = new Set<DuckDBConnection>();
  let closed = false;

  const connect = async (): Promise<DuckDBConnection> => {
    if (closed) throw new MaterializationError('sql-failed', `DuckDB database ${JSON.stringify(path)} is closed`);
    const connection = wrap(await instance.connect(), () => open.delete(connection));
    open.add(connection);
    return connection;
  };

  return {
    path,
    connect,
    async withConnection(work) {
      const connection = await connect();
      try {
        return await work(connection);
      } finally {
        connection.close();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const connection of [...open]) connection.close();
      instance.closeSync();
    },
  };
}

function wrap(native: NativeConnection, onClose: () => void): DuckDBConnection {
  let closed = false;
  const live = (): NativeConnection => {
    if (closed) throw new MaterializationError('sql-failed', 'this DuckDB connection is closed');
    return native;
  };
  const connection: DuckDBConnection = {
    native,
    async run(sql, params) {
      const result = await live().run(sql, params as Parameters<NativeConnection['run']>[1]);
      return Number(result.rowsChanged);
    },
    async query<Row>(sql: string, params?: SqlParams) {
      const reader = await live().runAndReadAll(sql, params as Parameters<NativeConnection['run']>[1]);
      return reader.getRowObjectsJS() as Row[];
    },
    async *stream(sql, params) {
      const result = await live().stream(sql, params as Parameters<NativeConnection['run']>[1]);
      for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        yield chunk.getRows();
      }
    },
    async describe(sql) {
      const rows = await connection.query<{ column_name: string; column_type: string }>(`DESCRIBE ${sql}`);
      return rows.map((row) => ({ name: row.column_name, type: row.column_type }));
    },
    async registerParquet(name, files) {
      const list = typeof files === 'string' ? [files] : files;
      if (list.length === 0) {
        throw new MaterializationError('sql-failed', `relation ${quoteIdentifier(name)}: no Parquet files to read`, { field: name });
      }
      // union_by_name: partitions written by different code versions may order or add columns differently.
      // hive_partitioning: DuckDB would otherwise add a column for each `name=value` directory in the
      // storage layout (`partition=2026-11-20/data.parquet` gains a DATE column "partition").
      await live().run(
        `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(name)} AS SELECT * FROM read_parquet(${quoteLiteralList(list)}, union_by_name = true, hive_partitioning = false)`,
      );
    },
    async dropRelation(name) {
      await live().run(`DROP VIEW IF EXISTS ${quoteIdentifier(name)}`);
    },
    close() {
      if (closed) return;
      closed = true;
      native.closeSync();
      onClose();
    },
  };
  return connection;
}

/** The first line of an error's message: DuckDB appends a caret diagram and hints after it. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim();
}
