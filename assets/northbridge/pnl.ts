import { defineAsset, dimensions, identity, previousSession } from '../../framework/index.ts';
import { sessionsByPortfolio } from './partitions.ts';

/** Daily P&L per portfolio in USD: mark-to-market on the previous positions plus trading P&L. */
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
  ],
  codeVersion: '1',
});
