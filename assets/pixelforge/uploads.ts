import { acceptedValues, notNull, rowCount, schema, sql, unique } from '../../checks/index.ts';
import { defineAsset, defineSource } from '../../framework/index.ts';
import { guard } from '../northbridge/sql.ts';
import { FORMATS, MANIFEST_FIELDS, uploadWindows, type ImageFormat } from './partitions.ts';

/** The start of the window being computed, as a TIMESTAMP (UTC). */
const WINDOW_START = `cast(getvariable('partition_date') as timestamp)`;

/** Content types as the upload service reports them, with the format each one is. */
const CONTENT_TYPES: Readonly<Record<string, ImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};

function contentTypesSql(): string {
  const rows = Object.entries(CONTENT_TYPES).map(([type, format]) => `('${type}', '${format}')`);
  return `(values ${rows.join(', ')}) as content_types(content_type, format)`;
}

/**
 * The upload service's manifest of one quarter hour: a JSON line per file uploaded in it. A file is
 * listed in the window it was uploaded in, whenever its line reaches the landing directory, so a
 * late line changes that window's manifest and nothing else: the window's data version changes,
 * and exactly its downstream partitions become stale. Windows whose manifests did not change since
 * their last successful run are never read again.
 */
export const uploads = defineSource({
  key: 'pixelforge/uploads',
  description: 'Upload manifests from the upload service: one JSON-lines file per 15-minute window, one line per uploaded file.',
  group: 'ingest',
  owners: ['team:media-platform'],
  partitions: uploadWindows,
  location: { pattern: 'pixelforge/uploads/{partition}.jsonl' },
  checks: [schema({ columns: MANIFEST_FIELDS }), notNull(['file_id', 'sha256', 'uploaded_at'])],
});

/**
 * Metadata of every file uploaded in the window: format, pixel size, bytes, checksum and uploader,
 * normalized, one row per file.
 */
export const mediaMetadata = defineAsset({
  key: 'pixelforge/media-metadata',
  description: 'Validated metadata of the files uploaded in each 15-minute window: one row per file.',
  group: 'ingest',
  owners: ['team:media-platform'],
  tags: { domain: 'media', tier: 'silver' },
  partitions: uploadWindows,
  deps: [{ asset: 'pixelforge/uploads', as: 'manifest' }],
  codeVersion: '1',
  checks: [
    rowCount({ min: 1 }),
    unique(['file_id']),
    notNull(['file_id', 'path', 'format', 'width', 'height', 'bytes', 'checksum', 'uploader', 'uploaded_at']),
    acceptedValues('format', FORMATS),
    sql({ name: 'positive_sizes', sql: 'select file_id, width, height, bytes from output where width <= 0 or height <= 0 or bytes <= 0' }),
    sql({ name: 'checksum_is_sha256', sql: `select file_id, checksum from output where not regexp_full_match(checksum, '[0-9a-f]{64}')` }),
  ],
  // Clients retry uploads, so a file may be listed twice: identical lines count once, and two
  // different lines for one file id fail the step. Content types and checksums come in any case,
  // uploaders with stray spaces; every column is cast from whatever type DuckDB detected.
  compute: `
    with raw as (
      select
        trim(cast(manifest.file_id as varchar)) as file_id,
        trim(cast(manifest.path as varchar)) as path,
        lower(trim(cast(manifest.content_type as varchar))) as content_type,
        try_cast(manifest.size_bytes as bigint) as bytes,
        lower(trim(cast(manifest.sha256 as varchar))) as checksum,
        regexp_extract(lower(trim(cast(manifest.dimensions as varchar))), '^([0-9]+)x([0-9]+)$', ['width', 'height']) as size,
        cast(manifest.dimensions as varchar) as dimensions,
        lower(trim(cast(manifest.uploader as varchar))) as uploader,
        timezone('UTC', try_cast(cast(manifest.uploaded_at as varchar) as timestamptz)) as uploaded_at
      from manifest
    ),
    parsed as (
      select raw.* exclude (size), content_types.format, try_cast(size.width as integer) as width, try_cast(size.height as integer) as height
      from raw
      left join ${contentTypesSql()} using (content_type)
    ),
    files as (
      select * from parsed
      qualify row_number() over (partition by file_id order by uploaded_at) = 1
    ),
    problems as (
      select coalesce(file_id, '(no file_id)') || ': ' || case
          when file_id is null or file_id = '' then 'no file_id'
          when path is null or path = '' then 'no path'
          when format is null then 'unknown content type ' || coalesce(content_type, 'null')
          when width is null or height is null or width <= 0 or height <= 0 then 'dimensions ' || coalesce(dimensions, 'null') || ' are not WIDTHxHEIGHT'
          when bytes is null or bytes <= 0 then 'size_bytes is not a positive whole number'
          when not regexp_full_match(coalesce(checksum, ''), '[0-9a-f]{64}') then 'sha256 is not 64 hex digits'
          when uploader is null or uploader = '' then 'no uploader'
          when uploaded_at is null then 'uploaded_at is not a timestamp'
          when uploaded_at < ${WINDOW_START} or uploaded_at >= ${WINDOW_START} + interval 15 minute
            then 'uploaded at ' || strftime(uploaded_at, '%Y-%m-%dT%H:%M:%S') || ', outside the window'
        end as problem
      from parsed
      where problem is not null
      union all
      select file_id || ': listed ' || count(*) || ' times with different contents'
      from parsed group by file_id
      having count(distinct row(path, format, width, height, bytes, checksum, uploader, uploaded_at)) > 1
    ),
    ${guard('pixelforge/media-metadata')}
    select
      ${WINDOW_START} as window_start,
      file_id,
      path,
      format,
      width,
      height,
      bytes,
      checksum,
      uploader,
      uploaded_at
    from files
    where (select failed from guard) is null
    order by uploaded_at, file_id`,
});
