import type { DuckDB, DuckDBConnection } from '../io/duckdb.ts';

/**
 * Reuses DuckDB connections across steps: opening one per step costs about as much as a small
 * step's whole compute. A connection whose step was aborted or left views behind is closed, not reused.
 */
export class ConnectionPool {
  readonly #duckdb: DuckDB;
  readonly #idle: DuckDBConnection[] = [];

  constructor(duckdb: DuckDB) {
    this.#duckdb = duckdb;
  }

  async acquire(): Promise<DuckDBConnection> {
    return this.#idle.pop() ?? (await this.#duckdb.connect());
  }

  release(connection: DuckDBConnection, reusable: boolean): void {
    if (reusable) this.#idle.push(connection);
    else connection.close();
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.close();
  }
}
