// A small NorthBridge-shaped graph for planner tests: files per session × broker, executions,
// positions per session × portfolio reading the previous session's positions, prices, and P&L.
import {
  defineAsset,
  defineDefinitions,
  defineSource,
  dimensions,
  identity,
  multi,
  previousSession,
  sessions,
  staticKeys,
  type Definitions,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';

export const days = sessions(xnys(), { start: '2026-11-16', end: '2026-11-30' });

export function northbridgeShape(options: { positionsCode?: string } = {}): Definitions {
  const byBroker = multi({ date: days, broker: staticKeys(['GSCO', 'JPMS', 'MSCO']) });
  const byPortfolio = multi({ date: days, portfolio: staticKeys(['PF001', 'PF002']) });
  return defineDefinitions([
    defineSource({ key: 'nb/files', partitions: byBroker, location: { pattern: 'executions/{broker}/{date}.*' } }),
    defineSource({ key: 'nb/price-file', partitions: days, location: { pattern: 'prices/{date}.csv' } }),
    defineAsset({ key: 'nb/executions', partitions: byBroker, deps: ['nb/files'], codeVersion: '1' }),
    defineAsset({
      key: 'nb/positions',
      partitions: byPortfolio,
      codeVersion: options.positionsCode ?? '1',
      deps: [
        { asset: 'nb/executions', mapping: dimensions({ date: identity() }) },
        { asset: 'nb/positions', mapping: dimensions({ date: previousSession(), portfolio: identity() }), as: 'previous_positions' },
      ],
    }),
    defineAsset({ key: 'nb/prices', partitions: days, deps: ['nb/price-file'], codeVersion: '1' }),
    defineAsset({ key: 'nb/pnl', partitions: byPortfolio, deps: ['nb/positions', 'nb/prices'], codeVersion: '1' }),
    defineAsset({ key: 'nb/report', group: 'publish', tags: { consumer: 'finance' }, partitions: days, deps: ['nb/pnl'], codeVersion: '1' }),
  ]);
}
