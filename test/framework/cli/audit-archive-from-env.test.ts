import { describe, expect, it } from 'vitest';
import { auditArchiveFromEnv } from '../../../framework/cli/audit-archive-from-env.ts';

const config = (archive?: string) => ({ audit: { retentionDays: 400, archive } });

describe('auditArchiveFromEnv', () => {
  it('puts exports in _audit/ inside partition storage by default, local or on S3', () => {
    expect(auditArchiveFromEnv('/srv/daybook', config(), {}).name).toBe('file:/srv/daybook/storage/_audit');
    expect(auditArchiveFromEnv('/srv/daybook', config(), { DAYBOOK_STORAGE_URL: 's3://nb-daybook/storage/' }).name).toBe('s3://nb-daybook/storage/_audit');
  });

  it('takes DAYBOOK_AUDIT_ARCHIVE_URL first, then the config, as s3://, file:// or a directory', () => {
    expect(auditArchiveFromEnv('/srv', config('s3://archive-bucket/audit'), { DAYBOOK_AUDIT_ARCHIVE_URL: 'file:///var/audit' }).name).toBe('file:/var/audit');
    expect(auditArchiveFromEnv('/srv', config('s3://archive-bucket/audit'), {}).name).toBe('s3://archive-bucket/audit');
    expect(auditArchiveFromEnv('/srv', config('/mnt/worm/audit'), {}).name).toBe('file:/mnt/worm/audit');
  });

  it('refuses another scheme or a bad bucket, naming the setting', () => {
    expect(() => auditArchiveFromEnv('/srv', config(), { DAYBOOK_AUDIT_ARCHIVE_URL: 'gs://bucket/audit' })).toThrow(
      'DAYBOOK_AUDIT_ARCHIVE_URL "gs://bucket/audit": audit archive: expected s3://bucket/prefix, file:///path or a directory',
    );
    expect(() => auditArchiveFromEnv('/srv', config('s3://No_Such/x'), {})).toThrow(/^audit\.archive "s3:\/\/No_Such\/x": audit archive: S3 audit archive: bucket "No_Such" is not a valid S3 bucket name/);
  });
});
