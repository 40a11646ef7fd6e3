import { defineAsset, defineSource, dimensions, identity, previousSession } from '../../framework/index.ts';
import { sessionsByPortfolio, tradingSessions } from './partitions.ts';

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
});
