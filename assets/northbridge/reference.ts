import { defineAsset, defineSource } from '../../framework/index.ts';
import { tradingSessions } from './partitions.ts';
import { guard, PARTITION_DATE } from './sql.ts';

const owners = ['team:reference-data'];

/** The security master file, dropped each morning for the previous session. */
export const securityMasterFile = defineSource({
  key: 'northbridge/security-master-file',
  description: 'Security master extract from the reference-data vendor, one CSV per session.',
  group: 'reference',
  owners,
  partitions: tradingSessions,
  location: { pattern: 'reference/securities/{date}.csv' },
});

/** Validated securities: one row per security with its currency and type. */
export const securities = defineAsset({
  key: 'northbridge/securities',
  description: 'Securities valid on the session: symbol, ISIN, currency, asset class.',
  group: 'reference',
  owners,
  tags: { domain: 'reference', tier: 'gold' },
  partitions: tradingSessions,
  deps: [{ asset: 'northbridge/security-master-file', as: 'security_master' }],
  codeVersion: '1',
  // One row per symbol: the vendor resends changed records in full files, so the latest
  // last_updated wins. A malformed row fails the step rather than dropping a security.
  compute: `
    with master as (
      select
        upper(trim(cast(symbol as varchar))) as symbol,
        upper(trim(cast(isin as varchar))) as isin,
        trim(cast(name as varchar)) as name,
        upper(trim(cast(currency as varchar))) as currency,
        upper(trim(cast(asset_class as varchar))) as asset_class,
        upper(trim(cast(exchange as varchar))) as exchange,
        try_cast(last_updated as timestamp) as last_updated
      from security_master
    ),
    latest as (
      select * from master
      qualify row_number() over (partition by symbol order by last_updated desc, isin) = 1
    ),
    problems as (
      select coalesce(symbol, '(no symbol)') || ': ' || case
          when symbol is null or symbol = '' then 'no symbol'
          when not regexp_full_match(coalesce(isin, ''), '[A-Z]{2}[A-Z0-9]{9}[0-9]') then 'malformed ISIN ' || coalesce(isin, 'null')
          when not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}') then 'malformed currency ' || coalesce(currency, 'null')
          when coalesce(asset_class, '') not in ('EQUITY', 'ETF', 'ADR', 'PREFERRED') then 'unknown asset class ' || coalesce(asset_class, 'null')
          when last_updated is null then 'last_updated is not a timestamp'
        end as problem
      from master
      where problem is not null
      union all
      select isin || ': ISIN of ' || string_agg(symbol, ' and ' order by symbol)
      from latest group by isin having count(*) > 1
    ),
    ${guard('northbridge/securities')}
    select ${PARTITION_DATE} as trade_date, symbol, isin, name, currency, asset_class, exchange, last_updated
    from latest
    where (select failed from guard) is null
    order by symbol`,
});

/** The FX rates file: end-of-day rates to USD. */
export const fxRatesFile = defineSource({
  key: 'northbridge/fx-rates-file',
  description: 'End-of-day FX rates to USD from the market-data vendor, one CSV per session.',
  group: 'reference',
  owners,
  partitions: tradingSessions,
  location: { pattern: 'reference/fx/{date}.csv' },
});

/** FX rates to USD per session. */
export const fxRates = defineAsset({
  key: 'northbridge/fx-rates',
  description: 'FX rates to USD at the close of each session.',
  group: 'reference',
  owners,
  tags: { domain: 'reference', tier: 'gold' },
  partitions: tradingSessions,
  deps: [{ asset: 'northbridge/fx-rates-file', as: 'fx_file' }],
  codeVersion: '1',
  // The vendor may publish a preliminary rate before the final one: the latest published_at wins.
  // USD is always 1, whether the file lists it or not.
  compute: `
    with rates as (
      select
        upper(trim(cast(currency as varchar))) as currency,
        try_cast(rate_to_usd as decimal(18, 10)) as rate_to_usd,
        try_cast(as_of_date as date) as as_of_date,
        try_cast(published_at as timestamp) as published_at
      from fx_file
    ),
    latest as (
      select * from rates
      qualify row_number() over (partition by currency order by published_at desc nulls last) = 1
    ),
    problems as (
      select coalesce(currency, '(no currency)') || ': ' || case
          when not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}') then 'malformed currency'
          when rate_to_usd is null or rate_to_usd <= 0 then 'rate_to_usd is not a positive number'
          when currency = 'USD' and rate_to_usd <> 1 then 'USD rate is not 1'
          when as_of_date is distinct from ${PARTITION_DATE} then 'as_of_date ' || coalesce(cast(as_of_date as varchar), 'null') || ' is not the session'
          when published_at is null then 'published_at is not a timestamp'
        end as problem
      from rates
      where problem is not null
    ),
    ${guard('northbridge/fx-rates')},
    with_usd as (
      select currency, rate_to_usd, published_at from latest
      union all
      select 'USD', 1, null where not exists (select 1 from latest where currency = 'USD')
    )
    select ${PARTITION_DATE} as trade_date, currency, cast(rate_to_usd as decimal(18, 10)) as rate_to_usd, published_at
    from with_usd
    where (select failed from guard) is null
    order by currency`,
});
