import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuditError } from '../util/errors.ts';
import { syncPath } from '../util/sync-path.ts';

/** An export's directory name: its number, requested range and time, e.g. `000001_2026-11-01_2026-11-30_20261201T050000Z`. */
export const EXPORT_NAME = /^\d{6}_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_\d{8}T\d{6}Z$/;
/** The files of an export: Parquet tables and the manifest. */
export const EXPORT_FILE = /^[a-z][a-z_]*\.(parquet|json)$/;

/**
 * Where exports of the audit chain live, one directory per export. Files are written once and never
 * replaced: `put` refuses a file that exists. Implementations: `localAuditArchive()` (a directory)
 * and `s3AuditArchive()` (a bucket prefix); both pass test/contracts/audit-archive.contract.ts.
 */
export interface AuditArchive {
  /** Names the archive in messages and records: `file:/…/_audit` or `s3://bucket/prefix/_audit`. */
  readonly name: string;
  /** The location of an export, or of one of its files. */
  locate(exportName: string, file?: string): string;
  /** Stores a local file as `<export>/<file>`; an AuditError when that file already exists. */
  put(exportName: string, file: string, localPath: string): Promise<void>;
  /** A local path holding `<export>/<file>`: the file itself, or a download into `scratch`. An AuditError when missing. */
  get(exportName: string, file: string, scratch: string): Promise<string>;
  /** The exports present, in name order (which is number order). */
  list(): Promise<string[]>;
}

/** Checks an export and file name before it becomes a path or an object key. */
export function checkArchivePath(exportName: string, file?: string): void {
  if (!EXPORT_NAME.test(exportName)) {
    throw new AuditError('audit-invalid-request', `audit archive: export name ${JSON.stringify(exportName)} is not NNNNNN_FROM_TO_YYYYMMDDTHHMMSSZ`, { field: 'export' });
  }
  if (file !== undefined && !EXPORT_FILE.test(file)) {
    throw new AuditError('audit-invalid-request', `audit archive: file name ${JSON.stringify(file)} is not an export file`, { field: 'file' });
  }
}

/**
 * An archive in a local directory: `<directory>/<export>/<file>`. A file is copied to a temporary
 * name, flushed, then hard-linked into place, which fails if the name exists: no file is ever
 * replaced, and none is seen half-written.
 *
 * @example
 * const archive = localAuditArchive({ directory: '.daybook/storage/_audit' });
 */
export function localAuditArchive({ directory }: { directory: string }): AuditArchive {
  const root = resolve(directory);
  const pathOf = (exportName: string, file?: string): string => {
    checkArchivePath(exportName, file);
    return file === undefined ? join(root, exportName) : join(root, exportName, file);
  };
  return {
    name: `file:${root}`,
    locate: pathOf,
    async put(exportName, file, localPath) {
      const target = pathOf(exportName, file);
      await mkdir(join(root, exportName), { recursive: true });
      const temp = join(root, exportName, `.tmp-${randomUUID()}`);
      try {
        await copyFile(localPath, temp);
        await syncPath(temp);
        await link(temp, target);
        await syncPath(join(root, exportName));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new AuditError('audit-archive-failed', `audit archive: ${target} already exists; an archived file is never replaced`, { field: target });
        }
        throw new AuditError('audit-archive-failed', `audit archive: cannot write ${target}: ${(error as Error).message}`, { field: target, cause: error });
      } finally {
        await rm(temp, { force: true });
      }
    },
    async get(exportName, file) {
      const path = pathOf(exportName, file);
      const found = await stat(path).catch(() => undefined);
      if (!found?.isFile()) throw new AuditError('audit-archive-failed', `audit archive: ${path} is missing`, { field: path });
      return path;
    },
    async list() {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isDirectory() && EXPORT_NAME.test(entry.name))
        .map((entry) => entry.name)
        .sort();
    },
  };
}
