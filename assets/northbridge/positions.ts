import { notNull, relationships, rowCount, unique } from '../../checks/index.ts';
import { defineAsset, defineSource, dimensions, identity, previousSession } from '../../framework/index.ts';
import { sessionsByPortfolio, tradingSessions } from './partitions.ts';
import { columnsOf, guard, PARTITION_DATE } from './sql.ts';

/** Positions per session and portfolio: the previous session's positions plus the day's executions from every broker. */
export const positions = defineAsset({
  key: 'northbridge/positions',
  description: 'End-of-day positions per portfolio: previous session positions plus the session executions.',
  group: 'positions',
  owners: ['team:middle-office'],
  tags: { domain: 'trading', tier: 'gold' },
  partitions: sessionsByPortfolio,
  deps: [
    // Every broker's executions of the same session.
    { asset: 'northbridge/executions', mapping: dimensions({ date: identity() }) },
    { asset: 'northbridge/positions', mapping: dimensions({ date: previousSession(), portfolio: identity() }), as: 'previous_positions' },
    'northbridge/securities',
  ],
  codeVersion: '1',
  checks: [unique(['portfolio', 'symbol']), relationships({ column: 'symbol', asset: 'northbridge/securities' })],
  // Average cost is kept per session, not per fill: units added in the position's direction come in
  // at the session's average price on that side, units taken off leave the average unchanged, and a
  // position opened or flipped today costs today's average price on its side. docs/northbridge.md
  // has the rule; P&L does not depend on it, since it marks to market.
  compute: `
    with previous as (
      select symbol, currency, quantity, average_cost
      from ${columnsOf('previous_positions', { portfolio: 'varchar', symbol: 'varchar', currency: 'varchar', quantity: 'bigint', average_cost: 'decimal(18, 6)' })}
      where portfolio = getvariable('portfolio')
    ),
    today as (
      select
        symbol,
        coalesce(sum(quantity) filter (side = 'BUY'), 0) as bought,
        coalesce(sum(notional) filter (side = 'BUY'), 0) as bought_value,
        coalesce(sum(quantity) filter (side = 'SELL'), 0) as sold,
        coalesce(sum(notional) filter (side = 'SELL'), 0) as sold_value
      from executions
      where portfolio = getvariable('portfolio')
      group by symbol
    ),
    book as (
      select
        symbol,
        coalesce(p.quantity, 0) as q0,
        p.average_cost as c0,
        coalesce(t.bought, 0) as bought,
        coalesce(t.bought_value, 0) as bought_value,
        coalesce(t.sold, 0) as sold,
        coalesce(t.sold_value, 0) as sold_value,
        coalesce(p.quantity, 0) + coalesce(t.bought, 0) - coalesce(t.sold, 0) as q1,
        coalesce(s.currency, p.currency) as currency
      from previous p
      full join today t using (symbol)
      left join securities s using (symbol)
    ),
    problems as (
      select symbol || ': not in the security master' as problem from book where currency is null
    ),
    ${guard('northbridge/positions')}
    select
      ${PARTITION_DATE} as trade_date,
      getvariable('portfolio') as portfolio,
      symbol,
      currency,
      cast(q1 as bigint) as quantity,
      cast(round(case
        when q0 > 0 and q1 > 0 and q1 <= q0 then c0
        when q0 < 0 and q1 < 0 and q1 >= q0 then c0
        when q0 > 0 and q1 > 0 then (q0 * c0 + (q1 - q0) * (bought_value / bought)) / q1
        when q0 < 0 and q1 < 0 then (q0 * c0 + (q1 - q0) * (sold_value / sold)) / q1
        when q1 > 0 then bought_value / bought
        else sold_value / sold
      end, 6) as decimal(18, 6)) as average_cost
    from book
    where q1 <> 0 and (select failed from guard) is null
    order by symbol`,
});

/** The closing prices file from the market-data vendor. */
export const closingPricesFile = defineSource({
  key: 'northbridge/closing-prices-file',
  description: 'Closing prices per security from the market-data vendor, one CSV per session.',
  group: 'market-data',
  owners: ['team:market-data'],
  partitions: tradingSessions,
  location: { pattern: 'prices/{date}.csv' },
});

/** Closing prices per session. */
export const prices = defineAsset({
  key: 'northbridge/prices',
  description: 'Closing prices in the security currency, one row per security and session.',
  group: 'market-data',
  owners: ['team:market-data'],
  tags: { domain: 'market-data', tier: 'gold' },
  partitions: tradingSessions,
  deps: [{ asset: 'northbridge/closing-prices-file', as: 'price_file' }],
  codeVersion: '1',
  checks: [rowCount({ min: 1 }), unique(['symbol']), notNull(['symbol', 'close'])],
  // Identical duplicate rows collapse; two different closes for one symbol fail the step, since
  // picking one would publish a mark nobody chose.
  compute: `
    with closes as (
      select distinct
        upper(trim(cast(symbol as varchar))) as symbol,
        upper(trim(cast(currency as varchar))) as currency,
        try_cast(close as decimal(18, 4)) as close,
        try_cast(price_date as date) as price_date
      from price_file
    ),
    problems as (
      select coalesce(symbol, '(no symbol)') || ': ' || case
          when symbol is null or symbol = '' then 'no symbol'
          when not regexp_full_match(coalesce(currency, ''), '[A-Z]{3}') then 'malformed currency'
          when close is null or close <= 0 then 'close is not a positive number'
          when price_date is distinct from ${PARTITION_DATE} then 'price_date ' || coalesce(cast(price_date as varchar), 'null') || ' is not the session'
        end as problem
      from closes
      where problem is not null
      union all
      select symbol || ': ' || count(*) || ' different closes' from closes group by symbol having count(*) > 1
    ),
    ${guard('northbridge/prices')}
    select ${PARTITION_DATE} as trade_date, symbol, currency, close
    from closes
    where (select failed from guard) is null
    order by symbol`,
});
