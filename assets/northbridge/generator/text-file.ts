import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file written through a buffer to a hidden temporary name, renamed into place on commit. */
export interface TextFile {
  write(text: string): Promise<void>;
  /** Flushes and renames the file into place, replacing any previous version at once. */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

const FLUSH_AT = 1 << 20;

/**
 * The temporary name starts with a dot, so a sensor or a source pattern such as `{date}.*` never
 * sees a half-written file, and a re-sent file replaces the old one in one rename.
 */
export function temporaryPathOf(path: string, suffix = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}`);
}

export async function createTextFile(path: string): Promise<TextFile> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathOf(path);
  const handle: FileHandle = await open(temporary, 'w');
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    size = 0;
    await handle.write(text);
  };
  return {
    async write(text) {
      parts.push(text);
      size += text.length;
      if (size >= FLUSH_AT) await flush();
    },
    async commit() {
      await flush();
      await handle.close();
      await rename(temporary, path);
    },
    async abort() {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
    },
  };
}

/** Writes a whole small file atomically. */
export async function writeTextFile(path: string, lines: Iterable<string>): Promise<void> {
  const file = await createTextFile(path);
  try {
    for (const line of lines) await file.write(`${line}\n`);
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** One CSV field, quoted only when it must be. */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
