import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localAuditArchive, type AuditArchive } from '../audit/archive.ts';
import { s3AuditArchive } from '../audit/s3-archive.ts';
import type { DaybookConfig } from '../definitions/config.ts';
import { s3ClientConfigFromEnv } from '../io/s3/client.ts';
import { DefinitionError } from '../util/errors.ts';

/** The directory of audit exports inside partition storage: `_` cannot start an asset key, so no asset collides with it. */
export const AUDIT_ARCHIVE_DIRECTORY = '_audit';

/**
 * Where `daybook audit export` writes, and `verify --archives`, `prune`, `show` and `report` read:
 * `DAYBOOK_AUDIT_ARCHIVE_URL`, else the config's `audit.archive`, else `_audit/` inside partition
 * storage (`DAYBOOK_STORAGE_URL`: `s3://bucket/prefix/_audit`; unset: `<home>/storage/_audit`).
 * Each may be `s3://bucket/prefix`, `file:///path` or a directory.
 *
 * @example
 * // DAYBOOK_STORAGE_URL=s3://nb-daybook/storage → s3://nb-daybook/storage/_audit
 * const archive = auditArchiveFromEnv('.daybook', config);
 */
export function auditArchiveFromEnv(home: string, config: Pick<DaybookConfig, 'audit'>, env: NodeJS.ProcessEnv = process.env): AuditArchive {
  const [url, field] = env.DAYBOOK_AUDIT_ARCHIVE_URL
    ? [env.DAYBOOK_AUDIT_ARCHIVE_URL, 'DAYBOOK_AUDIT_ARCHIVE_URL']
    : config.audit.archive
      ? [config.audit.archive, 'audit.archive']
      : env.DAYBOOK_STORAGE_URL
        ? [`${env.DAYBOOK_STORAGE_URL.replace(/\/+$/, '')}/${AUDIT_ARCHIVE_DIRECTORY}`, 'DAYBOOK_STORAGE_URL']
        : [join(home, 'storage', AUDIT_ARCHIVE_DIRECTORY), 'DAYBOOK_HOME'];
  try {
    if (url.startsWith('s3://')) {
      const [bucket = '', ...prefix] = url.slice('s3://'.length).split('/');
      return s3AuditArchive({ bucket, prefix: prefix.join('/'), clientConfig: s3ClientConfigFromEnv(env) });
    }
    if (url.startsWith('file://')) return localAuditArchive({ directory: fileURLToPath(url) });
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error('expected s3://bucket/prefix, file:///path or a directory');
    return localAuditArchive({ directory: url });
  } catch (cause) {
    throw new DefinitionError('invalid-config', `${field} ${JSON.stringify(url)}: audit archive: ${cause instanceof Error ? cause.message : String(cause)}`, { field, cause });
  }
}
