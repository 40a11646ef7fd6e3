import { notNull, rowCount, unique } from '../../checks/index.ts';
import { defineAsset, warehouse } from '../../framework/index.ts';
import { PORTFOLIOS, tradingSessions } from './partitions.ts';
import { guard, PARTITION_DATE } from './sql.ts';

/** Everything for risk and finance must be ready by 06:30 New York time on every NYSE session. */
const premarket = { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' } as const;

/**
 * The positions file the risk team loads before the open. It reads every portfolio's positions of the
 * session: the default mapping from sessions to sessions × portfolios is `dimensions({ date: identity() })`.
 */
export const riskPositionsFile = defineAsset({
  key: 'northbridge/risk-positions-file',
  description: 'All portfolios\' positions valued at the close, in USD, as the risk engine loads them.',
  group: 'publish',
  owners: ['team:risk'],
  tags: { domain: 'risk', consumer: 'risk' },
  partitions: tradingSessions,
  // The risk engine keys instruments by ISIN and buckets them by asset class, hence the securities.
  deps: ['northbridge/positions', 'northbridge/prices', 'northbridge/fx-rates', 'northbridge/securities'],
  codeVersion: '1',
  sla: premarket,
  publish: [warehouse()],
  compute: `
    with valued as (
      select
        p.portfolio,
        p.symbol,
        s.isin,
        s.asset_class,
        p.currency,
        p.quantity,
        p.average_cost,
        x.close,
        r.rate_to_usd
      from positions p
      left join securities s using (symbol)
      left join prices x using (symbol)
      left join fx_rates r on r.currency = p.currency
    ),
    problems as (
      select portfolio || ' ' || symbol || ': ' || case
          when isin is null then 'not in the security master'
          when close is null then 'no closing price'
          when rate_to_usd is null then 'no FX rate for ' || currency
        end as problem
      from valued
      where problem is not null
    ),
    ${guard('northbridge/risk-positions-file')}
    select
      ${PARTITION_DATE} as trade_date,
      portfolio,
      symbol,
      isin,
      asset_class,
      currency,
      quantity,
      average_cost,
      close,
      rate_to_usd,
      cast(cast(quantity as decimal(38, 0)) * close as decimal(38, 4)) as market_value_local,
      cast(round(cast(quantity as decimal(38, 0)) * close * rate_to_usd, 2) as decimal(38, 2)) as market_value_usd,
      cast(round(cast(quantity as decimal(38, 0)) * (close - average_cost) * rate_to_usd, 2) as decimal(38, 2)) as unrealized_pnl_usd
    from valued
    where (select failed from guard) is null
    order by portfolio, symbol`,
});

/** The P&L file finance books from: one line per portfolio and session, flat books included. */
export const financePnlFile = defineAsset({
  key: 'northbridge/finance-pnl-file',
  description: 'P&L per portfolio in USD, as the finance ledger loads it.',
  group: 'publish',
  owners: ['team:finance'],
  tags: { domain: 'finance', consumer: 'finance' },
  partitions: tradingSessions,
  deps: ['northbridge/pnl'],
  codeVersion: '1',
  checks: [rowCount({ equals: PORTFOLIOS.length }), unique(['portfolio']), notNull(['pnl_usd'])],
  sla: premarket,
  publish: [warehouse()],
  // The ledger expects every book every day, so a portfolio without lines gets a line of zeros.
  compute: `
    with books as (
      select unnest([${PORTFOLIOS.map((portfolio) => `'${portfolio}'`).join(', ')}]) as portfolio
    ),
    totals as (
      select
        portfolio,
        count(*) filter (quantity <> 0) as positions,
        sum(price_pnl_usd) as price_pnl_usd,
        sum(fx_pnl_usd) as fx_pnl_usd,
        sum(pnl_usd) as pnl_usd,
        sum(market_value_usd) as market_value_usd
      from pnl
      group by portfolio
    )
    select
      ${PARTITION_DATE} as trade_date,
      portfolio,
      coalesce(positions, 0) as positions,
      cast(coalesce(price_pnl_usd, 0) as decimal(38, 2)) as price_pnl_usd,
      cast(coalesce(fx_pnl_usd, 0) as decimal(38, 2)) as fx_pnl_usd,
      cast(coalesce(pnl_usd, 0) as decimal(38, 2)) as pnl_usd,
      cast(coalesce(market_value_usd, 0) as decimal(38, 2)) as market_value_usd
    from books
    left join totals using (portfolio)
    order by portfolio`,
});
