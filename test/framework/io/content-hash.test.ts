import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileDataVersion, hashFile } from '../../../framework/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('content-hash');
afterEach(scratch.removeAll);

/** Files of random bytes of these sizes, `f0`, `f1`, … in `directory`. */
function randomFiles(directory: string, sizes: readonly number[]): Promise<{ path: string; bytes: Buffer }[]> {
  return Promise.all(
    sizes.map(async (size, i) => {
      const bytes = randomBytes(size);
      const path = join(directory, `f${i}`);
      await writeFile(path, bytes);
      return { path, bytes };
    }),
  );
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('hashFile', () => {
  it('hashes files of every size on the file threads, many at once, each with its own bytes', async () => {
    const directory = await scratch.make();
    // Empty, one byte, exactly one read buffer (1 MiB), and several buffers with a remainder.
    const sizes = [0, 1, 1024 * 1024, 3 * 1024 * 1024 + 17, ...Array.from({ length: 40 }, (_, i) => 1000 + i)];
    const files = await randomFiles(directory, sizes);
    const hashes = await Promise.all(files.map(({ path }, i) => hashFile(path, { sync: i % 2 === 0 })));
    hashes.forEach((hash, i) => expect(hash).toEqual({ dataVersion: sha256(files[i]!.bytes), bytes: sizes[i] }));
  });

  it('rejects a missing file with fs error code ENOENT and its path', async () => {
    const path = join(await scratch.make(), 'absent.parquet');
    await expect(hashFile(path)).rejects.toMatchObject({ code: 'ENOENT', path });
  });
});

/** The chunked version written out plainly: SHA-256 over the SHA-256 digests of 16 MiB slices. */
function chunkedSha256(bytes: Uint8Array): string {
  const chunk = 16 * 2 ** 20;
  const combined = createHash('sha256');
  for (let start = 0; start < bytes.length; start += chunk) combined.update(createHash('sha256').update(bytes.subarray(start, start + chunk)).digest());
  return `sha256-chunked:${combined.digest('hex')}`;
}

describe('fileDataVersion', () => {
  it('is the plain SHA-256 up to 16 MiB, and over it the SHA-256 of the 16 MiB chunks’ digests, with a short last chunk', async () => {
    const directory = await scratch.make();
    const sizes = [0, 5, 16 * 2 ** 20, 16 * 2 ** 20 + 1, 40 * 2 ** 20 + 3];
    const files = await randomFiles(directory, sizes);
    const versions = await Promise.all(files.map(({ path }) => fileDataVersion(path)));
    expect(versions).toEqual([
      { dataVersion: sha256(files[0]!.bytes), bytes: 0 },
      { dataVersion: sha256(files[1]!.bytes), bytes: 5 },
      { dataVersion: sha256(files[2]!.bytes), bytes: 16 * 2 ** 20 },
      { dataVersion: chunkedSha256(files[3]!.bytes), bytes: 16 * 2 ** 20 + 1 },
      { dataVersion: chunkedSha256(files[4]!.bytes), bytes: 40 * 2 ** 20 + 3 },
    ]);
    expect(versions[4]!.dataVersion).toMatch(/^sha256-chunked:[0-9a-f]{64}$/);
  });

  it('changes when one byte of a large file changes, and not when the same bytes are written again', async () => {
    const path = join(await scratch.make(), 'large.csv');
    const bytes = randomBytes(33 * 2 ** 20);
    await writeFile(path, bytes);
    const first = await fileDataVersion(path);
    await writeFile(path, bytes);
    expect(await fileDataVersion(path)).toEqual(first);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 1;
    await writeFile(path, bytes);
    expect((await fileDataVersion(path)).dataVersion).not.toBe(first.dataVersion);
  });

  it('rejects a missing file with fs error code ENOENT and its path', async () => {
    const path = join(await scratch.make(), 'absent.csv');
    await expect(fileDataVersion(path)).rejects.toMatchObject({ code: 'ENOENT', path });
  });
});
