import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { StoreError } from '../util/errors.ts';
import { migrationProvider } from './migrations/index.ts';

/**
 * Brings a store's schema up to date; returns the names of the migrations it ran. A failed
 * migration rolls back and raises a StoreError naming it and the store.
 */
export async function migrateToLatest(db: Kysely<unknown>, where: string): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which one; name the store's own,
  // so a second store in another schema of the same database gets its own.
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: current.rows[0]!.schema });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('store-failed', `store at ${where}: migration ${failed ?? '(before any migration)'} failed: ${reason}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
