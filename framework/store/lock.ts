import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { StoreError } from '../util/errors.ts';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly token: string;
}

/** An exclusive hold on a directory, released by `release()` or when the process exits. */
export interface DirectoryLock {
  /** The lock file: the directory's path plus `.lock`. */
  readonly path: string;
  release(): Promise<void>;
}

const held = new Map<string, string>();
let exitHookInstalled = false;

/**
 * Takes the lock of a directory: a file next to it, created with O_EXCL semantics (a hard link of
 * a fully written temporary file, so a reader never sees it half written) and holding the pid.
 * PGlite is one process's database, and two processes opening the same data directory would
 * corrupt it; this makes the second one fail with a StoreError (`store-locked`) naming the holder.
 * A lock whose pid is no longer running on this host is stale and is taken over.
 */
export async function lockDirectory(directory: string): Promise<DirectoryLock> {
  const path = `${resolve(directory)}.lock`;
  await mkdir(dirname(path), { recursive: true });
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  const temporary = `${path}.${me.token}`;
  await writeFile(temporary, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temporary, path);
        hold(path, me.token);
        return { path, release: () => release(path, me.token) };
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw failure(directory, error);
      }
      const holder = await readHolder(path);
      if (holder === 'gone') continue;
      if (holder !== 'unreadable' && (holder.host !== me.host || isRunning(holder.pid))) throw inUse(directory, path, holder);
      await takeOver(path, holder);
    }
    throw new StoreError('store-locked', `the store at ${directory} is being opened by another process; try again`, { field: path });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Moves a stale lock aside; if it turns out someone else's fresh lock was moved, puts it back. */
async function takeOver(path: string, stale: Holder | 'unreadable'): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const moved = await readHolder(aside);
  const same = stale === 'unreadable' ? moved === 'unreadable' : moved !== 'gone' && moved !== 'unreadable' && moved.token === stale.token;
  if (!same) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function readHolder(path: string): Promise<Holder | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string' && typeof holder.token === 'string') return holder as Holder;
  } catch {
    // An unparseable lock file was not written by this code (ours are linked complete): treat it as stale.
  }
  return 'unreadable';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

function hold(path: string, token: string): void {
  held.set(path, token);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A process that ends without closing its store should not leave a lock behind for the next one.
  process.on('exit', () => {
    for (const [file, mine] of held) {
      try {
        if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as Holder).token === mine) unlinkSync(file);
      } catch {
        // Exiting: nothing more can be done, and a leftover lock is detected as stale next time.
      }
    }
  });
}

async function release(path: string, token: string): Promise<void> {
  if (held.get(path) !== token) return;
  held.delete(path);
  const holder = await readHolder(path);
  if (holder !== 'gone' && holder !== 'unreadable' && holder.token === token) await unlink(path).catch(() => undefined);
}

function inUse(directory: string, path: string, holder: Holder): StoreError {
  const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
  return new StoreError(
    'store-locked',
    `the store at ${directory} is in use by ${where} (since ${holder.since}); stop it or use the running server ` +
      `(if no such process holds it, delete ${path})`,
    { field: path },
  );
}

function failure(directory: string, cause: unknown): StoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('store-failed', `cannot lock the store at ${directory}: ${reason}`, { cause, field: directory });
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
