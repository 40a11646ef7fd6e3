import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditArchive } from '../../framework/index.ts';

/** What the contract needs from an implementation. */
export interface AuditArchiveContractOptions {
  /** Names the implementation in the suite's title. */
  name: string;
  /** A fresh, empty archive for each test. */
  newArchive: () => Promise<AuditArchive>;
}

const FIRST = '000001_2026-10-01_2026-10-31_20261101T050000Z';
const SECOND = '000002_2026-11-01_2026-11-30_20261201T050000Z';

/** The contract every AuditArchive passes: files written once, read back whole, listed in order, names checked. */
export function auditArchiveContract({ name, newArchive }: AuditArchiveContractOptions): void {
  describe(`audit archive contract: ${name}`, () => {
    let scratch: string;
    let archive: AuditArchive;
    beforeEach(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'daybook-archive-contract-'));
      archive = await newArchive();
    });
    afterEach(() => rm(scratch, { recursive: true, force: true }));

    it('stores files under their export, reads them back byte for byte, and lists exports in order', async () => {
      const file = join(scratch, 'upload.json');
      await writeFile(file, '{"format":"x"}\n');
      await archive.put(SECOND, 'manifest.json', file);
      await archive.put(FIRST, 'manifest.json', file);
      await archive.put(FIRST, 'events.parquet', file);
      expect(await archive.list()).toEqual([FIRST, SECOND]);
      expect(await readFile(await archive.get(FIRST, 'events.parquet', join(scratch, 'read')), 'utf8')).toBe('{"format":"x"}\n');
      expect(archive.locate(FIRST, 'events.parquet')).toMatch(new RegExp(`${FIRST}/events\\.parquet$`));
    });

    it('never replaces a file, and names a missing one', async () => {
      const file = join(scratch, 'upload.json');
      await writeFile(file, 'first');
      await archive.put(FIRST, 'manifest.json', file);
      await writeFile(file, 'second');
      await expect(archive.put(FIRST, 'manifest.json', file)).rejects.toMatchObject({ code: 'audit-archive-failed', message: expect.stringContaining('already exists; an archived file is never replaced') });
      expect(await readFile(await archive.get(FIRST, 'manifest.json', join(scratch, 'read')), 'utf8')).toBe('first');
      await expect(archive.get(FIRST, 'runs.parquet', join(scratch, 'read'))).rejects.toMatchObject({ code: 'audit-archive-failed', message: expect.stringContaining('is missing') });
    });

    it('refuses names that are not export names or export files before they become paths or keys', async () => {
      const file = join(scratch, 'upload.json');
      await writeFile(file, 'x');
      await expect(archive.put('../escape', 'manifest.json', file)).rejects.toMatchObject({ code: 'audit-invalid-request', field: 'export' });
      await expect(archive.put(FIRST, '../../manifest.json', file)).rejects.toMatchObject({ code: 'audit-invalid-request', field: 'file' });
      expect(() => archive.locate('000001', 'manifest.json')).toThrow('is not NNNNNN_FROM_TO_YYYYMMDDTHHMMSSZ');
      expect(await archive.list()).toEqual([]);
    });
  });
}
