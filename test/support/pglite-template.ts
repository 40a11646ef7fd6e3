import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStore } from '../../framework/store/create-store.ts';

const STORE_SOURCES = fileURLToPath(new URL('../../framework/store/', import.meta.url));
const PGLITE_PACKAGE = fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));

let template: Promise<string> | undefined;

/**
 * Puts an empty, migrated PGlite store at `directory`, as `createStore({ directory })` would make
 * it. Creating a data directory (initdb, then the migrations) takes several seconds on a busy
 * machine, so it is done once per version of the store code and PGlite, kept in the temporary
 * directory, and copied: a copy and a reopen take a fraction of a second.
 */
export async function migratedPgliteStore(directory: string): Promise<string> {
  template ??= buildTemplate();
  await mkdir(dirname(directory), { recursive: true });
  await cp(await template, directory, { recursive: true });
  return directory;
}

async function buildTemplate(): Promise<string> {
  const target = join(tmpdir(), `daybook-pglite-template-${await storeCodeVersion()}`);
  if (existsSync(join(target, 'PG_VERSION'))) return target;
  // Test files build it concurrently on a cold machine: each builds its own and the first rename wins.
  const building = join(tmpdir(), `daybook-pglite-template-build-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const store = await createStore({ url: '', directory: join(building, 'store') });
  await store.close();
  try {
    await rename(join(building, 'store'), target);
  } catch (error) {
    if (!existsSync(join(target, 'PG_VERSION'))) throw error;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  await removeOldTemplates(target);
  return target;
}

/** Templates of earlier store code, 40 MB each, once no test run can still be copying them. */
async function removeOldTemplates(current: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  for (const name of await readdir(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith('daybook-pglite-template-') || path === current) continue;
    const modified = await stat(path).then((found) => found.mtimeMs, () => Infinity);
    if (modified < dayAgo) await rm(path, { recursive: true, force: true });
  }
}

/** A hash of every store source file (the migrations among them) and of PGlite's version. */
async function storeCodeVersion(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(STORE_SOURCES, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, PGLITE_PACKAGE]) hash.update(file).update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}
