import { userInfo } from 'node:os';
import { join } from 'node:path';
import { recordDefinitionChanges } from '../audit/definition-changes.ts';
import type { DaybookConfig } from '../definitions/config.ts';
import { closeAbandonedRuns } from '../executor/abandoned-runs.ts';
import type { Engine } from '../executor/engine.ts';
import { createDuckDB } from '../io/duckdb.ts';
import { createSourceObserver } from '../io/source-observer.ts';
import { createLineageEmitter } from '../lineage/emitter.ts';
import { lineageTransportFor } from '../lineage/transport.ts';
import { createStore } from '../store/create-store.ts';
import { partitionStorageFromEnv } from './storage-from-env.ts';

/** Where Daybook keeps its state: `DAYBOOK_HOME`, default `.daybook`. */
export function daybookHome(): string {
  return process.env.DAYBOOK_HOME ?? '.daybook';
}

/** Who the CLI acts as in the audit log: `DAYBOOK_ACTOR`, else the operating-system user. */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DAYBOOK_ACTOR) return env.DAYBOOK_ACTOR;
  try {
    return userInfo().username || 'daybook';
  } catch {
    return 'daybook';
  }
}

/**
 * Opens the engine on embedded defaults: the PGlite store in `<home>/store` (or PostgreSQL when
 * `DAYBOOK_DATABASE_URL` is set), Parquet partitions in `<home>/storage` (or where
 * `DAYBOOK_STORAGE_URL` says, e.g. `s3://bucket/prefix`), in-memory DuckDB. The store acts as
 * `cliActor()`, definitions whose code version or config changed are recorded in the audit log, and
 * OpenLineage events go where `DAYBOOK_OPENLINEAGE_URL` (or the config's `openLineageUrl`) says;
 * `close()` delivers those still queued.
 */
export async function openEngine(config: DaybookConfig, home = daybookHome()): Promise<Engine & { close(): Promise<void> }> {
  const env = process.env.DAYBOOK_OPENLINEAGE_URL;
  const transport = lineageTransportFor(env ?? config.openLineageUrl, env === undefined ? 'openLineageUrl' : 'DAYBOOK_OPENLINEAGE_URL');
  const store = await createStore({ directory: join(home, 'store'), actor: cliActor() });
  if (store.dialect === 'pglite') await closeAbandonedRuns(store);
  // A definition with a new code version or config is recorded in the audit log when first loaded.
  await recordDefinitionChanges(store, config.definitions).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const lineage = transport && createLineageEmitter({ transport, onError: (message) => process.stderr.write(`warning: ${message}\n`) });
  const duckdb = await createDuckDB();
  const { concurrency, attempts, retryDelayMs, timeoutMs } = config.execution;
  return {
    definitions: config.definitions,
    store,
    storage: partitionStorageFromEnv(home),
    duckdb,
    observer: createSourceObserver({ landing: config.landing }),
    concurrency,
    retry: { attempts, baseDelayMs: retryDelayMs, maxDelayMs: retryDelayMs * 30 },
    timeoutMs,
    ...(lineage ? { listeners: [lineage] } : {}),
    async close() {
      await lineage?.close();
      duckdb.close();
      await store.close();
    },
  };
}
