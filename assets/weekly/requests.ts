import { acceptedValues, notNull, schema, unique } from '../../checks/index.ts';
import { defineAsset, defineSource } from '../../framework/index.ts';
import { guard, sqlList } from '../northbridge/sql.ts';
import { DATASETS, PRIORITIES, REQUEST_FIELDS, RULES, requestWindows } from './partitions.ts';

/** How soon a request must be answered, in hours, by priority. */
const ANSWER_WITHIN_HOURS: Readonly<Record<(typeof PRIORITIES)[number], number>> = { high: 1, normal: 4, low: 24 };

/**
 * The request queue: ad-hoc rescan requests from analysts, appended by the intake service to the
 * file of the quarter hour they arrive in (a file with its header only when none came).
 */
export const requests = defineSource({
  key: 'weekly/requests',
  description: 'Rescan requests as they arrive: one CSV per 15-minute window of New York time.',
  group: 'queue',
  owners: ['team:data-quality'],
  partitions: requestWindows,
  location: { pattern: 'weekly/requests/{partition}.csv' },
  checks: [schema({ columns: REQUEST_FIELDS })],
});

/**
 * The queue-driven job: each window's requests, deduplicated, accepted or rejected with a reason,
 * with the time they must be answered by. Waiting partitions of this asset are the queue's depth.
 */
export const requestResults = defineAsset({
  key: 'weekly/request-results',
  description: 'Rescan requests of each 15-minute window, accepted or rejected, with their answer-by time.',
  group: 'queue',
  owners: ['team:data-quality'],
  tags: { domain: 'quality', cadence: '15-minute' },
  partitions: requestWindows,
  deps: [{ asset: 'weekly/requests', as: 'queue' }],
  codeVersion: '1',
  checks: [
    unique(['request_id']),
    notNull(['request_id', 'dataset', 'requested_by', 'priority', 'requested_at', 'status', 'due_by']),
    acceptedValues('priority', PRIORITIES),
    acceptedValues('status', ['accepted', 'rejected']),
  ],
  // A request for an unknown dataset or rule is the analyst's mistake: it is rejected with a reason,
  // not failed. A request the intake could not have written (no id, no time) fails the step.
  compute: `
    with raw as (
      select
        trim(cast(queue.request_id as varchar)) as request_id,
        lower(trim(cast(queue.dataset as varchar))) as dataset,
        lower(trim(cast(queue.rule as varchar))) as rule,
        lower(trim(cast(queue.requested_by as varchar))) as requested_by,
        lower(trim(cast(queue.priority as varchar))) as priority,
        try_cast(cast(queue.requested_at as varchar) as timestamp) as requested_at
      from queue
    ),
    problems as (
      select coalesce(request_id, '(no request_id)') || ': ' || case
          when request_id is null or request_id = '' then 'no request_id'
          when requested_by is null or requested_by = '' then 'no requested_by'
          when coalesce(priority, '') not in ${sqlList(PRIORITIES)} then 'unknown priority ' || coalesce(priority, 'null')
          when requested_at is null then 'requested_at is not a timestamp'
        end as problem
      from raw
      where problem is not null
      union all
      select request_id || ': submitted ' || count(*) || ' times with different contents'
      from raw group by request_id having count(distinct row(dataset, rule, requested_by, priority, requested_at)) > 1
    ),
    ${guard('weekly/request-results')},
    distinct_requests as (select distinct * from raw)
    select
      getvariable('partition_key') as queue_window,
      request_id,
      coalesce(dataset, '') as dataset,
      rule,
      requested_by,
      priority,
      requested_at,
      case when dataset in ${sqlList(DATASETS)} and (rule is null or rule = '' or rule in ${sqlList(RULES)}) then 'accepted' else 'rejected' end as status,
      case
        when coalesce(dataset, '') not in ${sqlList(DATASETS)} then 'unknown dataset ' || coalesce(dataset, 'null')
        when rule is not null and rule <> '' and rule not in ${sqlList(RULES)} then 'unknown rule ' || rule
      end as reason,
      requested_at + to_hours(case priority ${Object.entries(ANSWER_WITHIN_HOURS).map(([priority, hours]) => `when '${priority}' then ${hours}`).join(' ')} end) as due_by
    from distinct_requests
    where (select failed from guard) is null
    order by requested_at, request_id`,
});
