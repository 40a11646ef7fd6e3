import { reconcile, schema, sql } from '../../checks/index.ts';
import { defineAsset, defineSource } from '../../framework/index.ts';
import { guard, sqlList } from '../northbridge/sql.ts';
import { CONTROL_FIELDS, FORMATS, uploadDays } from './partitions.ts';

/**
 * The upload service's daily control file, written after midnight UTC from its own database: per
 * format, how many distinct files were uploaded that day and their bytes, late lines included.
 */
export const dailyControl = defineSource({
  key: 'pixelforge/daily-control',
  description: 'Daily control totals from the upload service: files and bytes per format.',
  group: 'reconciliation',
  owners: ['team:media-platform'],
  partitions: uploadDays,
  location: { pattern: 'pixelforge/control/{date}.csv' },
  checks: [schema({ columns: CONTROL_FIELDS })],
});

/**
 * The nightly reconciliation: what the warehouse holds for the day's 96 windows against the control
 * file, per format. It reads `media-files` through `timeGranularity()` (the default between
 * 15-minute and daily windows), so it waits until every window of the day is loaded, and a late
 * line reruns it through that one window.
 */
export const dailyReconciliation = defineAsset({
  key: 'pixelforge/daily-reconciliation',
  description: 'Per day and format: files and bytes loaded into the warehouse against the upload service\'s control totals.',
  group: 'reconciliation',
  owners: ['team:data-platform'],
  tags: { domain: 'media', consumer: 'finance' },
  partitions: uploadDays,
  deps: ['pixelforge/media-files', { asset: 'pixelforge/daily-control', as: 'daily_control' }],
  codeVersion: '1',
  checks: [
    reconcile({
      name: 'control_totals',
      measures: { files: 'sum(files)', bytes: 'sum(bytes)' },
      control: 'select sum(try_cast(files as bigint)) as files, sum(try_cast(bytes as bigint)) as bytes from daily_control',
    }),
    sql({ name: 'formats_match_control', sql: 'select * from output where files_diff <> 0 or bytes_diff <> 0' }),
  ],
  compute: `
    with control as (
      select
        try_cast(cast(date as varchar) as date) as day,
        lower(trim(cast(format as varchar))) as format,
        try_cast(files as bigint) as files,
        try_cast(bytes as bigint) as bytes
      from daily_control
    ),
    loaded as (
      select format, count(*) as files, sum(bytes) as bytes, count(distinct window_start) as windows, count(distinct uploader) as uploaders
      from media_files
      group by format
    ),
    problems as (
      select 'control row ' || coalesce(format, 'null') || ': ' || case
          when day is distinct from cast(getvariable('partition_date') as date) then 'date ' || coalesce(cast(day as varchar), 'null') || ' is not the day'
          when coalesce(format, '') not in ${sqlList(FORMATS)} then 'unknown format'
          when files is null or files < 0 then 'files is not a whole number'
          when bytes is null or bytes < 0 then 'bytes is not a whole number'
        end as problem
      from control
      where problem is not null
      union all
      select 'format ' || format || ': ' || count(*) || ' control rows' from control group by format having count(*) > 1
    ),
    ${guard('pixelforge/daily-reconciliation')},
    formats as (select unnest([${FORMATS.map((format) => `'${format}'`).join(', ')}]) as format)
    select
      cast(getvariable('partition_date') as date) as upload_date,
      format,
      coalesce(l.files, 0) as files,
      coalesce(l.bytes, 0) as bytes,
      coalesce(l.windows, 0) as windows,
      coalesce(l.uploaders, 0) as uploaders,
      coalesce(c.files, 0) as control_files,
      coalesce(c.bytes, 0) as control_bytes,
      coalesce(l.files, 0) - coalesce(c.files, 0) as files_diff,
      coalesce(l.bytes, 0) - coalesce(c.bytes, 0) as bytes_diff
    from formats
    left join loaded l using (format)
    left join control c using (format)
    where (select failed from guard) is null
    order by format`,
});
