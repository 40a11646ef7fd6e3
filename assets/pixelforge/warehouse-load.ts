import { reconcile } from '../../checks/index.ts';
import { defineAsset, warehouse } from '../../framework/index.ts';
import { uploadWindows } from './partitions.ts';

/** The warehouse table `pixelforge__media_files`: what analysts and the billing job query. */
export const MEDIA_FILES_TABLE = 'pixelforge__media_files';

/**
 * The warehouse load of each window's metadata. Publishing replaces the window's rows in one
 * transaction (keyed by `_daybook_partition`), and publishing a data version the warehouse already
 * holds writes nothing: a retry, a rerun or a backfill never duplicates a file's row.
 */
export const mediaFiles = defineAsset({
  key: 'pixelforge/media-files',
  description: 'Media file metadata as loaded into the warehouse, one row per file, replaced per 15-minute window.',
  group: 'warehouse',
  owners: ['team:data-platform'],
  tags: { domain: 'media', tier: 'gold', consumer: 'analytics' },
  partitions: uploadWindows,
  deps: ['pixelforge/media-metadata'],
  codeVersion: '1',
  checks: [
    reconcile({ name: 'matches_metadata', measures: { files: 'count(*)', bytes: 'sum(bytes)' }, control: { asset: 'pixelforge/media-metadata' } }),
  ],
  publish: [warehouse()],
  compute: `
    select
      cast(window_start as date) as upload_date,
      window_start,
      file_id,
      path,
      format,
      width,
      height,
      cast(width as bigint) * height as pixels,
      bytes,
      checksum,
      uploader,
      uploaded_at
    from media_metadata
    order by uploaded_at, file_id`,
});
