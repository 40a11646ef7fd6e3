import { acceptedValues, notNull, reconcile, relationships, schema, unique } from '../../checks/index.ts';
import { defineAsset, defineSource } from '../../framework/index.ts';
import { brokerCodesSql, CONTROL_RECORD, DETAIL_RECORD, EXECUTION_FIELDS } from './broker-feeds.ts';
import { PORTFOLIOS, sessionsByBroker } from './partitions.ts';
import { guard, PARTITION_DATE, sqlList } from './sql.ts';

/** The execution records of a broker file, whatever the case and padding of its record_type. */
const EXECUTION_RECORD = `upper(trim(cast(record_type as varchar))) = '${DETAIL_RECORD}'`;

/**
 * Prior-day execution files from the brokers, each in its own format (CSV, JSON lines or Parquet,
 * matched by `.*`), each ending with a control record of row count and notional total.
 */
export const brokerExecutions = defineSource({
  key: 'northbridge/broker-executions',
  description: 'Execution files as the brokers send them: one file per session and broker; corrected files are re-sent.',
  group: 'executions',
  owners: ['team:middle-office'],
  partitions: sessionsByBroker,
  location: { pattern: 'executions/{broker}/{date}.*' },
  // Run on the file as landed, before the executions step reads it. Types differ by format (a CSV
  // is read as text, Parquet is typed), so the schema compares field names only.
  checks: [
    schema({ columns: EXECUTION_FIELDS }),
    notNull(['exec_id', 'version'], { where: EXECUTION_RECORD }),
    unique(['exec_id', 'version'], { where: EXECUTION_RECORD }),
  ],
});

/** Executions validated against the control record and deduplicated; a corrected re-send replaces earlier records. */
export const executions = defineAsset({
  key: 'northbridge/executions',
  description: 'Validated, deduplicated executions per session and broker, in one schema for all brokers.',
  group: 'executions',
  owners: ['team:middle-office'],
  tags: { domain: 'trading', tier: 'silver' },
  partitions: sessionsByBroker,
  deps: [{ asset: 'northbridge/broker-executions', as: 'raw_executions' }, 'northbridge/securities'],
  codeVersion: '1',
  checks: [
    // The broker's control record counts the executions it booked once its own corrections are
    // applied, and sums quantity × price over them: exactly what this asset keeps.
    reconcile({
      name: 'control_record',
      measures: { executions: 'count(*)', notional: 'coalesce(sum(notional), 0)' },
      control: `select try_cast(control_count as bigint) as executions, try_cast(control_notional as decimal(38, 4)) as notional
        from raw_executions where upper(trim(cast(record_type as varchar))) = '${CONTROL_RECORD}'`,
    }),
    unique(['exec_id']),
    notNull(['exec_id', 'symbol', 'quantity', 'price']),
    acceptedValues('side', ['BUY', 'SELL']),
    relationships({ column: 'symbol', asset: 'northbridge/securities' }),
  ],
  // Every column is cast from whatever type DuckDB detected in the broker's file, and the broker's
  // own codes are looked up for this broker only. The latest version of an exec id wins and a
  // cancellation removes it; the control_record check then holds the result against the file's
  // control record, so a truncated or mis-corrected file is blocked before positions read it. The
  // file's columns are qualified, so a file without one fails naming it rather than the alias of
  // the same name.
  compute: `
    with raw as (
      select
        upper(trim(cast(raw_executions.record_type as varchar))) as record_type,
        trim(cast(raw_executions.exec_id as varchar)) as exec_id,
        trim(cast(raw_executions.order_id as varchar)) as order_id,
        try_cast(raw_executions.version as integer) as version,
        upper(trim(cast(raw_executions.status as varchar))) as status_code,
        upper(trim(cast(raw_executions.portfolio as varchar))) as portfolio,
        upper(trim(cast(raw_executions.symbol as varchar))) as symbol,
        upper(trim(cast(raw_executions.side as varchar))) as side_code,
        try_cast(raw_executions.quantity as decimal(18, 4)) as quantity,
        try_cast(raw_executions.price as decimal(18, 4)) as price,
        upper(trim(cast(raw_executions.currency as varchar))) as currency,
        try_cast(raw_executions.trade_time as timestamp) as trade_time
      from raw_executions
    ),
    codes as (select * from ${brokerCodesSql()} where broker = getvariable('broker')),
    detail as (
      select
        r.*,
        s.meaning as side,
        x.meaning as status,
        cast(timezone('America/New_York', timezone('UTC', r.trade_time)) as date) as trade_day
      from raw r
      left join codes s on s.field = 'side' and s.code = r.side_code
      left join codes x on x.field = 'status' and x.code = r.status_code
      where r.record_type = '${DETAIL_RECORD}'
    ),
    live as (
      select * from detail
      qualify row_number() over (partition by exec_id order by version desc) = 1
    ),
    booked as (
      select d.*, cast(cast(d.quantity as bigint) as decimal(38, 0)) * d.price as notional, m.currency as security_currency
      from live d
      left join securities m using (symbol)
      where d.status <> 'CANCEL'
    ),
    problems as (
      select coalesce(exec_id, '(no exec_id)') || ': ' || case
          when exec_id is null or exec_id = '' then 'no exec_id'
          when order_id is null or order_id = '' then 'no order_id'
          when version is null or version < 1 then 'version is not a positive integer'
          when status is null then 'unknown status code ' || coalesce(status_code, 'null')
          when side is null then 'unknown side code ' || coalesce(side_code, 'null')
          when quantity is null or quantity <= 0 or quantity <> round(quantity) then 'quantity is not a positive whole number'
          when price is null or price <= 0 then 'price is not a positive number'
          when trade_time is null then 'trade_time is not a timestamp'
          when trade_day <> ${PARTITION_DATE} then 'traded on ' || trade_day || ' (New York), not on the session'
          when coalesce(portfolio, '') not in ${sqlList(PORTFOLIOS)} then 'unknown portfolio ' || coalesce(portfolio, 'null')
        end as problem
      from detail
      where problem is not null
      union all
      select exec_id || ': not in the security master (' || symbol || ')' from booked where security_currency is null
      union all
      select exec_id || ': currency ' || currency || ' but ' || symbol || ' trades in ' || security_currency
      from booked where security_currency <> currency
      union all
      select exec_id || ': version ' || version || ' appears twice with different contents'
      from detail group by exec_id, version
      having count(distinct row(status, portfolio, symbol, side, quantity, price, currency, trade_time)) > 1
      union all
      select 'record_type ' || coalesce(record_type, 'null') || ': neither ${DETAIL_RECORD} nor ${CONTROL_RECORD}'
      from raw where coalesce(record_type, '') not in ('${DETAIL_RECORD}', '${CONTROL_RECORD}') group by record_type
    ),
    ${guard('northbridge/executions')}
    select
      ${PARTITION_DATE} as trade_date,
      getvariable('broker') as broker,
      exec_id,
      order_id,
      version,
      status,
      portfolio,
      symbol,
      side,
      cast(quantity as bigint) as quantity,
      price,
      currency,
      trade_time,
      notional,
      case when side = 'BUY' then 1 else -1 end * cast(quantity as bigint) as signed_quantity
    from booked
    where (select failed from guard) is null
    order by exec_id`,
});
