// What the routes share: the engine, the in-memory catalog, the run manager, events, metrics and tokens.
import type { AuditArchive, Calendar, Clock, Engine } from '../framework/index.ts';
import type { TokenTable } from './auth.ts';
import type { EventHub } from './event-hub.ts';
import type { Metrics } from './metrics.ts';
import type { RunManager } from './runs/run-manager.ts';
import type { Catalog } from './state/catalog.ts';

export interface ServerServices {
  readonly engine: Engine;
  readonly catalog: Catalog;
  readonly runs: RunManager;
  readonly events: EventHub;
  readonly metrics: Metrics;
  readonly tokens: TokenTable;
  readonly clock: Clock;
  readonly calendars: readonly Calendar[];
  /** Where audit exports live; the auditor's report reads them for pruned runs. */
  readonly archive?: AuditArchive;
}
