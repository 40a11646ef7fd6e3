import { defineAsset, dimensions, identity, previousSession } from '../../framework/index.ts';
import { sessionsByPortfolio } from './partitions.ts';
import { columnsOf, guard, PARTITION_DATE } from './sql.ts';

/**
 * Daily P&L per portfolio in USD: mark-to-market on the previous positions plus trading P&L, at the
 * session's FX rate, plus the FX move on the previous positions' value (which needs the previous
 * session's rates, hence `previous_fx_rates`).
 */
export const pnl = defineAsset({
  key: 'northbridge/pnl',
  description: 'Daily P&L per portfolio and security, in USD.',
  group: 'pnl',
  owners: ['team:product-control'],
  tags: { domain: 'finance', tier: 'gold' },
  partitions: sessionsByPortfolio,
  deps: [
    'northbridge/positions',
    { asset: 'northbridge/positions', mapping: dimensions({ date: previousSession(), portfolio: identity() }), as: 'previous_positions' },
    'northbridge/prices',
    { asset: 'northbridge/prices', mapping: dimensions({ date: previousSession() }), as: 'previous_prices' },
    'northbridge/executions',
    'northbridge/fx-rates',
    { asset: 'northbridge/fx-rates', mapping: dimensions({ date: previousSession() }), as: 'previous_fx_rates' },
  ],
  codeVersion: '1',
  // Per security, in its currency: position P&L = q0 × (close − previous close), trading P&L =
  // Σ signed quantity × (close − fill price). Both convert at today's rate; the FX P&L is
  // q0 × previous close × (rate − previous rate). Their sum is the change in USD market value less
  // the USD cost of the day's trades. Every amount is rounded to cents per line, so totals add up
  // exactly and reruns give identical files.
  compute: `
    with previous as (
      select symbol, quantity
      from ${columnsOf('previous_positions', { portfolio: 'varchar', symbol: 'varchar', quantity: 'bigint' })}
      where portfolio = getvariable('portfolio')
    ),
    previous_closes as (
      select symbol, close from ${columnsOf('previous_prices', { symbol: 'varchar', close: 'decimal(18, 4)' })}
    ),
    previous_rates as (
      select currency, rate_to_usd from ${columnsOf('previous_fx_rates', { currency: 'varchar', rate_to_usd: 'decimal(18, 10)' })}
    ),
    trades as (
      select symbol, sum(signed_quantity) as traded, sum(cast(signed_quantity as decimal(38, 0)) * price) as traded_cost
      from executions
      where portfolio = getvariable('portfolio')
      group by symbol
    ),
    current as (
      select symbol, quantity from positions where portfolio = getvariable('portfolio')
    ),
    lines as (
      select
        symbol,
        x.currency,
        coalesce(p.quantity, 0) as q0,
        coalesce(c.quantity, 0) as q1,
        coalesce(t.traded, 0) as traded,
        coalesce(t.traded_cost, 0) as traded_cost,
        pc.close as p0,
        x.close as p1,
        pr.rate_to_usd as fx0,
        r.rate_to_usd as fx1
      from previous p
      full join trades t using (symbol)
      full join current c using (symbol)
      left join previous_closes pc using (symbol)
      left join prices x using (symbol)
      left join fx_rates r on r.currency = x.currency
      left join previous_rates pr on pr.currency = x.currency
    ),
    problems as (
      select symbol || ': ' || case
          when p1 is null then 'no closing price'
          when fx1 is null then 'no FX rate for ' || currency
          when q0 <> 0 and p0 is null then 'held since the previous session, but no previous close'
          when q0 <> 0 and fx0 is null then 'held since the previous session, but no previous FX rate for ' || currency
          when q0 + traded <> q1 then 'positions say ' || q1 || ', previous positions and executions say ' || (q0 + traded)
        end as problem
      from lines
      where problem is not null
    ),
    ${guard('northbridge/pnl')},
    amounts as (
      select
        *,
        case when q0 = 0 then 0 else cast(q0 as decimal(38, 0)) * (p1 - p0) end as position_pnl_local,
        cast(traded as decimal(38, 0)) * p1 - traded_cost as trading_pnl_local
      from lines
    )
    select
      ${PARTITION_DATE} as trade_date,
      getvariable('portfolio') as portfolio,
      symbol,
      currency,
      cast(q0 as bigint) as previous_quantity,
      cast(traded as bigint) as traded_quantity,
      cast(q1 as bigint) as quantity,
      p0 as previous_close,
      p1 as close,
      fx0 as previous_rate_to_usd,
      fx1 as rate_to_usd,
      cast(round(position_pnl_local, 4) as decimal(38, 4)) as position_pnl_local,
      cast(round(trading_pnl_local, 4) as decimal(38, 4)) as trading_pnl_local,
      cast(round((position_pnl_local + trading_pnl_local) * fx1, 2) as decimal(38, 2)) as price_pnl_usd,
      cast(case when q0 = 0 then 0 else round(cast(q0 as decimal(38, 0)) * p0 * (fx1 - fx0), 2) end as decimal(38, 2)) as fx_pnl_usd,
      cast(round((position_pnl_local + trading_pnl_local) * fx1, 2) as decimal(38, 2))
        + cast(case when q0 = 0 then 0 else round(cast(q0 as decimal(38, 0)) * p0 * (fx1 - fx0), 2) end as decimal(38, 2)) as pnl_usd,
      cast(round(cast(q1 as decimal(38, 0)) * p1 * fx1, 2) as decimal(38, 2)) as market_value_usd
    from amounts
    where (select failed from guard) is null
    order by symbol`,
});
