import { Kysely, sql } from 'kysely';
import type { Clock } from '../util/clock.ts';
import { DaybookError, StoreError } from '../util/errors.ts';
import type { StoreDialect } from './dialect.ts';
import { migrateToLatest } from './migrate.ts';
import { pgliteDialect } from './pglite.ts';
import { postgresDialect } from './postgres.ts';
import type { Database } from './schema.ts';
import { MetadataStore } from './store.ts';

export interface StoreOptions {
  /** A PostgreSQL URL; defaults to `DAYBOOK_DATABASE_URL`. Without one, the store is embedded PGlite. */
  url?: string | undefined;
  /** PGlite's data directory. */
  directory?: string;
  /** The PostgreSQL schema for the tables (created when missing); default `DAYBOOK_DATABASE_SCHEMA`, else the connection's search_path. */
  schema?: string | undefined;
  /** A dialect instance, instead of choosing from `url` and `directory`. */
  dialect?: StoreDialect;
  /** Bring the schema up to date on open. */
  migrate?: boolean;
  clock?: Clock;
  /** Who acts when a write does not say. */
  actor?: string;
}

/**
 * Opens the metadata store: PostgreSQL when a URL is given or `DAYBOOK_DATABASE_URL` is set,
 * otherwise embedded PGlite in `.daybook/store`, and migrates it.
 *
 * @example
 * const store = await createStore(); // .daybook/store, or DAYBOOK_DATABASE_URL
 * const store = await createStore({ url: 'postgres://daybook@db/daybook' });
 */
export async function createStore({
  url = process.env.DAYBOOK_DATABASE_URL,
  directory = '.daybook/store',
  schema = process.env.DAYBOOK_DATABASE_SCHEMA || undefined,
  dialect,
  migrate = true,
  clock,
  actor,
}: StoreOptions = {}): Promise<MetadataStore> {
  const chosen = dialect ?? (url !== undefined && url !== '' ? postgresDialect({ url, schema }) : await pgliteDialect({ directory }));
  const db = new Kysely<Database>({ dialect: chosen.dialect });
  try {
    await chosen.prepare?.(async (statement) => {
      await sql.raw(statement).execute(db);
    });
    if (migrate) await migrateToLatest(db as Kysely<unknown>, chosen.location);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    await chosen.release();
    if (error instanceof DaybookError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('store-failed', `cannot open the store at ${chosen.location}: ${reason}`, { cause: error });
  }
  return new MetadataStore(db, chosen, { ...(clock === undefined ? {} : { clock }), ...(actor === undefined ? {} : { actor }) });
}
