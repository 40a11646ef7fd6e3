import { join } from 'node:path';
import type { DaybookConfig } from '../definitions/config.ts';
import { closeAbandonedRuns } from '../executor/abandoned-runs.ts';
import type { Engine } from '../executor/engine.ts';
import { createDuckDB } from '../io/duckdb.ts';
import { createLocalPartitionStorage } from '../io/local-partition-storage.ts';
import { createSourceObserver } from '../io/source-observer.ts';
import { createStore } from '../store/create-store.ts';

/** Where Daybook keeps its state: `DAYBOOK_HOME`, default `.daybook`. */
export function daybookHome(): string {
  return process.env.DAYBOOK_HOME ?? '.daybook';
}

/**
 * Opens the engine on embedded defaults: the PGlite store in `<home>/store` (or PostgreSQL when
 * `DAYBOOK_DATABASE_URL` is set), Parquet partitions in `<home>/storage`, in-memory DuckDB.
 */
export async function openEngine(config: DaybookConfig, home = daybookHome()): Promise<Engine & { close(): Promise<void> }> {
  const store = await createStore({ directory: join(home, 'store') });
  if (store.dialect === 'pglite') await closeAbandonedRuns(store);
  const duckdb = await createDuckDB();
  const { concurrency, attempts, retryDelayMs, timeoutMs } = config.execution;
  return {
    definitions: config.definitions,
    store,
    storage: createLocalPartitionStorage({ root: join(home, 'storage') }),
    duckdb,
    observer: createSourceObserver({ landing: config.landing }),
    concurrency,
    retry: { attempts, baseDelayMs: retryDelayMs, maxDelayMs: retryDelayMs * 30 },
    timeoutMs,
    async close() {
      duckdb.close();
      await store.close();
    },
  };
}
