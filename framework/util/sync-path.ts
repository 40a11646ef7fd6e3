import { open } from 'node:fs/promises';

/**
 * Flushes a file or a directory to disk: a file before it is renamed into place, its directory after,
 * so that a recorded write survives a power loss.
 */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
