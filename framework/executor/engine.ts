import type { Definitions } from '../definitions/definitions.ts';
import type { DuckDB } from '../io/duckdb.ts';
import type { PartitionStorage } from '../io/partition-storage.ts';
import type { SourceObserver } from '../io/source-observer.ts';
import type { MetadataStore } from '../store/store.ts';
import type { RetryPolicy } from './scheduler.ts';
import type { StepListener } from './step-listener.ts';

/**
 * What runs need: the definitions, the metadata store, partition storage, DuckDB and the landing
 * directory, plus execution limits. `openEngine()` (cli) builds one from the config and embedded defaults.
 */
export interface Engine {
  readonly definitions: Definitions;
  readonly store: MetadataStore;
  readonly storage: PartitionStorage;
  readonly duckdb: DuckDB;
  readonly observer: SourceObserver;
  /** Steps run at once. */
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  /** Per attempt; 0 for none. */
  readonly timeoutMs: number;
  /** Told about each step's start and end, e.g. to emit OpenLineage events; see step-listener.ts. */
  readonly listeners?: readonly StepListener[];
}
