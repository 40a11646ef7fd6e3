import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import type { MetadataStore } from '../../store/store.ts';
import { WORK_CHANNEL } from './queue-transaction.ts';

/**
 * The queue's events within this process, per store: `work` when steps may have become claimable
 * (enqueued, made ready, put back for a retry), `run-ended` with the run id. Workers of this
 * process wake on them at once; other processes learn through LISTEN/NOTIFY (`listenForWork`).
 */
export function queueEvents(store: MetadataStore): EventEmitter {
  let events = buses.get(store);
  if (!events) {
    events = new EventEmitter();
    events.setMaxListeners(0);
    buses.set(store, events);
  }
  return events;
}

const buses = new WeakMap<MetadataStore, EventEmitter>();

/**
 * Listens on PostgreSQL for work made claimable by other processes, and calls `onWork` for each
 * notification about this store's schema. Resolves with a function that stops listening, or with
 * undefined when there is nothing to listen to (PGlite, or no URL). A dropped connection is not
 * fatal: workers also poll.
 */
export async function listenForWork(options: {
  store: MetadataStore;
  url: string | undefined;
  onWork: () => void;
  onError?: (error: unknown) => void;
}): Promise<(() => Promise<void>) | undefined> {
  if (options.store.dialect !== 'postgres' || !options.url) return undefined;
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(options.store.db)).rows[0]!.schema;
  const client = new pg.Client({ connectionString: options.url, application_name: 'daybook worker listen' });
  client.on('error', (error) => options.onError?.(error));
  client.on('notification', (message) => {
    if (message.channel === WORK_CHANNEL && message.payload === schema) options.onWork();
  });
  await client.connect();
  await client.query(`listen ${WORK_CHANNEL}`);
  return async () => {
    await client.end().catch(() => undefined);
  };
}
