import { defineAsset } from '../../framework/index.ts';
import { tradingSessions } from './partitions.ts';

/** Everything for risk and finance must be ready by 06:30 New York time on every NYSE session. */
const premarket = { deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' } as const;

/** The positions file the risk team loads before the open. */
export const riskPositionsFile = defineAsset({
  key: 'northbridge/risk-positions-file',
  description: 'All portfolios\' positions valued at the close, in USD, as the risk engine loads them.',
  group: 'publish',
  owners: ['team:risk'],
  tags: { domain: 'risk', consumer: 'risk' },
  partitions: tradingSessions,
  deps: ['northbridge/positions', 'northbridge/prices', 'northbridge/fx-rates'],
  codeVersion: '1',
  sla: premarket,
});

/** The P&L file finance books from. */
export const financePnlFile = defineAsset({
  key: 'northbridge/finance-pnl-file',
  description: 'P&L per portfolio in USD, as the finance ledger loads it.',
  group: 'publish',
  owners: ['team:finance'],
  tags: { domain: 'finance', consumer: 'finance' },
  partitions: tradingSessions,
  deps: ['northbridge/pnl'],
  codeVersion: '1',
  sla: premarket,
});
