import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { createStore } from '../../framework/store/create-store.ts';
import type { MetadataStore } from '../../framework/store/store.ts';
import type { Clock } from '../../framework/util/clock.ts';
import { migratedPgliteStore } from './pglite-template.ts';

/** Which database a test's metadata store runs on. */
export type StoreKind = 'pglite' | 'postgres';

/** PostgreSQL for tests: set by `.ci/run`, and by hand to run the PostgreSQL variants locally. */
export const testDatabaseUrl: string | undefined = process.env.DAYBOOK_TEST_DATABASE_URL || undefined;

/**
 * The stores an end-to-end suite runs on: PGlite always, PostgreSQL when `DAYBOOK_TEST_DATABASE_URL`
 * is set. Without it, says so once, so a green local run is not mistaken for a PostgreSQL run.
 */
export function storeKinds(suite: string): StoreKind[] {
  if (testDatabaseUrl !== undefined) return ['pglite', 'postgres'];
  console.warn(`${suite}: DAYBOOK_TEST_DATABASE_URL is not set; running on PGlite only (PostgreSQL variants skipped)`);
  return ['pglite'];
}

/** A store of its own: a copied, migrated PGlite directory under `root`, or a fresh schema on PostgreSQL that `close()` drops. */
export async function openTestStore(kind: StoreKind, root: string, clock?: Clock): Promise<MetadataStore & { dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const store = await createStore({ url: '', directory: await migratedPgliteStore(join(root, 'store')), ...(clock ? { clock } : {}) });
    return Object.assign(store, { dispose: () => store.close() });
  }
  if (testDatabaseUrl === undefined) throw new Error('a PostgreSQL store needs DAYBOOK_TEST_DATABASE_URL');
  const url = testDatabaseUrl;
  const schema = `e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = await createStore({ url, schema, ...(clock ? { clock } : {}) });
  return Object.assign(store, {
    async dispose() {
      await store.close();
      await dropSchema(url, schema);
    },
  });
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
