import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import type { MetadataStore } from '../../store/store.ts';
import { CHANGE_CHANNEL, WORK_CHANNEL, type QueueChannel } from './queue-transaction.ts';

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
 * Listens on PostgreSQL for work made claimable by other processes (and, with `changes`, for their
 * materializations and ended runs), and calls `onWork` for each notification about this store's schema. Resolves with a function that stops listening, or with
 * undefined when there is nothing to listen to (PGlite, or no URL). A dropped connection is not
 * fatal: workers also poll.
 */
export async function listenForWork(options: {
  store: MetadataStore;
  url: string | undefined;
  onWork: () => void;
  onError?: (error: unknown) => void;
  /** Also wake on other processes' materializations and ended runs: what the daemon's conditions react to. */
  changes?: boolean;
}): Promise<(() => Promise<void>) | undefined> {
  if (options.store.dialect !== 'postgres' || !options.url) return undefined;
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(options.store.db)).rows[0]!.schema;
  const client = new pg.Client({ connectionString: options.url, application_name: 'daybook worker listen' });
  client.on('error', (error) => options.onError?.(error));
  const channels = options.changes ? [WORK_CHANNEL, CHANGE_CHANNEL] : [WORK_CHANNEL];
  client.on('notification', (message) => {
    if (channels.includes(message.channel as QueueChannel) && message.payload === schema) options.onWork();
  });
  await client.connect();
  for (const channel of channels) await client.query(`listen ${channel}`);
  return async () => {
    await client.end().catch(() => undefined);
  };
}
