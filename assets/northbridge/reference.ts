import { defineAsset, defineSource } from '../../framework/index.ts';
import { tradingSessions } from './partitions.ts';

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
});
