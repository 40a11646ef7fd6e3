import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory per test, removed afterwards. */
export function scratchDirectories(prefix: string): { make: () => Promise<string>; removeAll: () => Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const directory = await mkdtemp(join(tmpdir(), `daybook-${prefix}-`));
      made.push(directory);
      return directory;
    },
    async removeAll() {
      await Promise.all(made.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
    },
  };
}
