import type { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import { lockDirectory, type DirectoryLock } from './lock.ts';

const INT8 = 20;

export interface PgliteStoreOptions {
  /** The data directory; `undefined` keeps the database in memory (tests). */
  directory?: string | undefined;
  /** A data directory dump (`dumpDataDir()`) to start from, e.g. an already migrated template. */
  loadDataDir?: Blob | File | undefined;
}

/**
 * Opens an embedded PGlite database. Like every dialect, int8 values come back as numbers: seqs,
 * row counts and bytes stay far below 2^53, and one type on both dialects keeps comparisons simple.
 */
export async function openPglite({ directory, loadDataDir }: PgliteStoreOptions = {}): Promise<PGlite> {
  // Loaded on first use: a PostgreSQL deployment never loads the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create({
    ...(directory === undefined ? {} : { dataDir: directory }),
    ...(loadDataDir === undefined ? {} : { loadDataDir }),
    parsers: { [INT8]: (value: string) => Number(value) },
  });
}

/**
 * The embedded default dialect: PGlite (PostgreSQL compiled to WebAssembly) in a data directory,
 * `.daybook/store` unless told otherwise. It holds the directory's lock while open, because only
 * one process may open a PGlite data directory.
 *
 * @example
 * const store = await createStore({ dialect: await pgliteDialect({ directory: '.daybook/store' }) });
 */
export async function pgliteDialect(options: PgliteStoreOptions = {}): Promise<StoreDialect> {
  const lock: DirectoryLock | undefined = options.directory === undefined ? undefined : await lockDirectory(options.directory);
  try {
    const pglite = await openPglite(options);
    return {
      name: 'pglite',
      location: options.directory ?? 'memory',
      dialect: new PGliteDialect({ pglite }),
      release: async () => {
        if (!pglite.closed) await pglite.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
