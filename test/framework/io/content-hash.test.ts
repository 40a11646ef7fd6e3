import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../framework/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('content-hash');
afterEach(scratch.removeAll);

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('hashFile', () => {
  it('hashes files of every size on the file threads, many at once, each with its own bytes', async () => {
    const directory = await scratch.make();
    // Empty, one byte, exactly one read buffer (1 MiB), and several buffers with a remainder.
    const sizes = [0, 1, 1024 * 1024, 3 * 1024 * 1024 + 17, ...Array.from({ length: 40 }, (_, i) => 1000 + i)];
    const files = await Promise.all(
      sizes.map(async (size, i) => {
        const bytes = randomBytes(size);
        const path = join(directory, `f${i}`);
        await writeFile(path, bytes);
        return { path, bytes };
      }),
    );
    const hashes = await Promise.all(files.map(({ path }, i) => hashFile(path, { sync: i % 2 === 0 })));
    hashes.forEach((hash, i) => expect(hash).toEqual({ dataVersion: sha256(files[i]!.bytes), bytes: sizes[i] }));
  });

  it('rejects a missing file with fs error code ENOENT and its path', async () => {
    const path = join(await scratch.make(), 'absent.parquet');
    await expect(hashFile(path)).rejects.toMatchObject({ code: 'ENOENT', path });
  });
});
