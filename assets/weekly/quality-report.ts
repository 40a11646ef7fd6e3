import { setTimeout as sleep } from 'node:timers/promises';
import { acceptedValues, notNull, rowCount, schema, sql, unique } from '../../checks/index.ts';
import { defineAsset, defineSource, type AssetDefinition } from '../../framework/index.ts';
import { guard, sqlList } from '../northbridge/sql.ts';
import { RULES, SCAN_FIELDS, scanDays, TIME_ZONE, weeks } from './partitions.ts';

/** The deadline of last week's report: Tuesday 23:59 New York time. */
export const WEEKLY_SLA = { deadline: '23:59', tz: TIME_ZONE, partition: 'previousWeek', weekday: 2 } as const;

/** The grades of a dataset's week, by its share of failed rows. */
export const GRADES = ['A', 'B', 'C', 'D'] as const;

/** Each day's data-quality scan results, written by the scanners after midnight New York time. */
export const scanResults = defineSource({
  key: 'weekly/scan-results',
  description: 'Data-quality scan results of one New York day: one row per scan of a dataset by a rule.',
  group: 'quality',
  owners: ['team:data-quality'],
  partitions: scanDays,
  location: { pattern: 'weekly/scans/{date}.csv' },
  checks: [schema({ columns: SCAN_FIELDS })],
});

/**
 * The weekly quality report over Sunday to Saturday: per dataset, the days scanned, rows scanned and
 * failed, the worst rule and a grade. Its compute stands for a long batch (about 8 hours in
 * production): it waits `runMs` before its SQL runs, so its step durations feed the SLA's at-risk
 * prediction.
 */
export function qualityReport({ runMs }: { runMs: number }): AssetDefinition {
  return defineAsset({
    key: 'weekly/quality-report',
    description: 'Weekly data-quality report, Sunday to Saturday in New York: grade, failure rate and worst rule per dataset.',
    group: 'quality',
    owners: ['team:data-quality'],
    tags: { domain: 'quality', cadence: 'weekly' },
    partitions: weeks,
    // The week's seven days: timeGranularity() is the default from days to weeks.
    deps: [{ asset: 'weekly/scan-results', as: 'scans' }],
    codeVersion: '1',
    sla: WEEKLY_SLA,
    checks: [
      rowCount({ min: 1 }),
      unique(['dataset']),
      notNull(['dataset', 'grade', 'failure_rate']),
      acceptedValues('grade', GRADES),
      sql({ name: 'days_within_week', sql: 'select dataset, days_scanned from output where days_scanned not between 1 and 7' }),
    ],
    compute: async () => {
      await sleep(runMs);
      return REPORT_SQL;
    },
  });
}

const WEEK_START = `cast(getvariable('partition_date') as date)`;

const REPORT_SQL = `
  with scans as (
    select
      trim(cast(scans.scan_id as varchar)) as scan_id,
      lower(trim(cast(scans.dataset as varchar))) as dataset,
      lower(trim(cast(scans.rule as varchar))) as rule,
      try_cast(scans.rows_scanned as bigint) as rows_scanned,
      try_cast(scans.rows_failed as bigint) as rows_failed,
      cast(timezone('${TIME_ZONE}', timezone('UTC', try_cast(cast(scans.scanned_at as varchar) as timestamp))) as date) as day
    from scans
  ),
  problems as (
    select coalesce(scan_id, '(no scan_id)') || ': ' || case
        when scan_id is null or scan_id = '' then 'no scan_id'
        when dataset is null or dataset = '' then 'no dataset'
        when coalesce(rule, '') not in ${sqlList(RULES)} then 'unknown rule ' || coalesce(rule, 'null')
        when rows_scanned is null or rows_scanned < 0 then 'rows_scanned is not a whole number'
        when rows_failed is null or rows_failed < 0 or rows_failed > rows_scanned then 'rows_failed is not between 0 and rows_scanned'
        when day is null then 'scanned_at is not a timestamp'
        when day not between ${WEEK_START} and ${WEEK_START} + 6 then 'scanned on ' || day || ' (New York), outside the week'
      end as problem
    from scans
    where problem is not null
    union all
    select scan_id || ': listed ' || count(*) || ' times' from scans group by scan_id having count(*) > 1
  ),
  ${guard('weekly/quality-report')},
  by_rule as (
    select dataset, rule, sum(rows_failed) as rows_failed from scans group by dataset, rule
  ),
  by_dataset as (
    select
      dataset,
      count(distinct day) as days_scanned,
      count(*) as scans,
      cast(sum(rows_scanned) as bigint) as rows_scanned,
      cast(sum(rows_failed) as bigint) as rows_failed
    from scans
    group by dataset
  ),
  graded as (
    select
      d.*,
      cast(case when d.rows_scanned = 0 then 0 else d.rows_failed / d.rows_scanned end as decimal(9, 6)) as failure_rate,
      (select first(r.rule order by r.rows_failed desc, r.rule) from by_rule r where r.dataset = d.dataset and r.rows_failed > 0) as worst_rule
    from by_dataset d
  )
  select
    ${WEEK_START} as week_start,
    dataset,
    days_scanned,
    scans,
    rows_scanned,
    rows_failed,
    failure_rate,
    worst_rule,
    case when failure_rate < 0.001 then 'A' when failure_rate < 0.01 then 'B' when failure_rate < 0.05 then 'C' else 'D' end as grade
  from graded
  where (select failed from guard) is null
  order by dataset`;
