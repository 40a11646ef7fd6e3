// Fresh, migrated, empty metadata stores for tests, on PGlite and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { Kysely, PGliteDialect, sql } from 'kysely';
import type { Clock } from '../../framework/util/clock.ts';
import { createStore } from '../../framework/store/create-store.ts';
import { migrateToLatest } from '../../framework/store/migrate.ts';
import { openPglite, pgliteDialect } from '../../framework/store/pglite.ts';
import { postgresDialect } from '../../framework/store/postgres.ts';
import type { MetadataStore } from '../../framework/store/store.ts';

export interface HarnessOptions {
  clock?: Clock;
  actor?: string;
}

/** Opens stores for one dialect; the store contract runs against each. */
export interface StoreHarness {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty store; the caller closes it. */
  open(options?: HarnessOptions): Promise<MetadataStore>;
  /** Drops what the harness created (PostgreSQL schemas). */
  cleanup(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/**
 * PGlite takes seconds to initialize and migrate, so this migrates one database per test worker,
 * keeps its data directory dump, and starts each store from a copy of it in memory.
 */
function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = await openPglite();
    const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db, 'the test template');
    const dump = await pglite.dumpDataDir('none');
    await db.destroy();
    return dump;
  })();
  return template;
}

export function pgliteHarness(): StoreHarness {
  return {
    name: 'pglite',
    open: async (options = {}) => createStore({ ...options, dialect: await pgliteDialect({ loadDataDir: await migratedTemplate() }) }),
    cleanup: async () => undefined,
  };
}

/** A schema per store, named after this process, so parallel test files and runs never meet. */
export function postgresHarness(url: string): StoreHarness {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    open: async (options = {}) => {
      const schema = `daybook_test_${process.pid}_${schemas.length}_${randomBytes(3).toString('hex')}`;
      schemas.push(schema);
      return createStore({ ...options, dialect: postgresDialect({ url, schema, max: 4 }) });
    },
    cleanup: async () => {
      if (schemas.length === 0) return;
      const dialect = postgresDialect({ url, max: 1 });
      const db = new Kysely<unknown>({ dialect: dialect.dialect });
      try {
        for (const schema of schemas.splice(0)) await sql.raw(`drop schema if exists ${schema} cascade`).execute(db);
      } finally {
        await db.destroy();
      }
    },
  };
}

/** The PostgreSQL URL for store tests, or undefined (after saying so once) when it is not set. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.DAYBOOK_TEST_DATABASE_URL;
  if (!url) console.log('DAYBOOK_TEST_DATABASE_URL is not set: the PostgreSQL store tests are skipped (.ci/run sets it)');
  return url || undefined;
}
