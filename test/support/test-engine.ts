import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Definitions } from '../../framework/definitions/definitions.ts';
import type { Engine } from '../../framework/executor/engine.ts';
import type { RetryPolicy } from '../../framework/executor/scheduler.ts';
import { createDuckDB } from '../../framework/io/duckdb.ts';
import { createLocalPartitionStorage } from '../../framework/io/local-partition-storage.ts';
import type { PartitionStorage } from '../../framework/io/partition-storage.ts';
import { createSourceObserver } from '../../framework/io/source-observer.ts';
import type { MetadataStore } from '../../framework/store/store.ts';
import type { Clock } from '../../framework/util/clock.ts';
import { openTestStore, type StoreKind } from './test-stores.ts';

export interface TestEngineOptions {
  definitions: Definitions;
  store?: StoreKind;
  /** The landing directory; default `<root>/landing`. */
  landing?: string;
  concurrency?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** Partition storage for the engine, given the temporary root; default local files under `<root>/storage`. */
  storage?: (root: string) => PartitionStorage;
  /** The store's clock; default the wall clock. */
  clock?: Clock;
}

/** An engine on real DuckDB, local partition storage and a store of its own, all under one temporary root. */
export interface TestEngine extends Engine {
  readonly store: MetadataStore;
  readonly root: string;
  readonly landing: string;
  /** Where local partition storage keeps its files (unused when the test gives its own storage). */
  readonly storageRoot: string;
  /** The DuckDB file `warehouse()` targets publish to: `<root>/warehouse.duckdb`. */
  readonly warehousePath: string;
  /** Queries with DuckDB, e.g. over stored Parquet files. */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /** Closes everything and removes the root (and a PostgreSQL store's schema). */
  close(): Promise<void>;
}

/**
 * Builds an engine as `openEngine()` does, but in a temporary directory and with test-sized retry
 * delays, so tests can run several side by side.
 */
export async function openTestEngine({
  definitions,
  store: kind = 'pglite',
  landing,
  concurrency = 4,
  retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  timeoutMs = 0,
  storage,
  clock,
}: TestEngineOptions): Promise<TestEngine> {
  const root = await mkdtemp(join(tmpdir(), 'daybook-e2e-'));
  // warehouse() resolves its file from DAYBOOK_HOME when it publishes: each engine gets its own, as
  // each test file (a worker of its own) opens its engines one after another.
  process.env.DAYBOOK_HOME = root;
  const store = await openTestStore(kind, root, clock);
  const duckdb = await createDuckDB({ threads: 2 });
  const storageRoot = join(root, 'storage');
  const landingRoot = landing ?? join(root, 'landing');
  return {
    definitions,
    store,
    storage: storage?.(root) ?? createLocalPartitionStorage({ root: storageRoot, durable: false }),
    duckdb,
    observer: createSourceObserver({ landing: landingRoot }),
    concurrency,
    retry,
    timeoutMs,
    root,
    landing: landingRoot,
    storageRoot,
    warehousePath: join(root, 'warehouse.duckdb'),
    query: (sql) => duckdb.withConnection((connection) => connection.query(sql)),
    async close() {
      duckdb.close();
      await store.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every file under a directory, relative to it, sorted. */
export async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

/** The stored rows of an asset partition, read from the file its current materialization points at. */
export async function storedRows<Row = Record<string, unknown>>(engine: TestEngine, asset: string, partition: string): Promise<Row[]> {
  const [current] = await engine.store.currentMaterializations(asset, { partitions: [partition] });
  if (current?.location == null) throw new Error(`${asset}[${partition}] has no current materialization`);
  return engine.query<Row>(`select * from read_parquet('${current.location.replaceAll("'", "''")}', hive_partitioning = false)`);
}
