import { BROKERS, PORTFOLIOS } from '../../assets/northbridge/partitions.ts';
import type { AssetDefinition, PublishTarget } from '../../framework/index.ts';

/** An asset partition, as `asset[partition]`: how tests compare sets of steps. */
export const partitionId = (asset: string, partition: string): string => `${asset}[${partition}]`;

/** Every NorthBridge asset partition of one session, 18 in all, upstream first. */
export function sessionPartitions(date: string): string[] {
  return [
    partitionId('northbridge/securities', date),
    partitionId('northbridge/fx-rates', date),
    partitionId('northbridge/prices', date),
    ...BROKERS.map((broker) => partitionId('northbridge/executions', `${date}|${broker}`)),
    ...PORTFOLIOS.map((portfolio) => partitionId('northbridge/positions', `${date}|${portfolio}`)),
    ...PORTFOLIOS.map((portfolio) => partitionId('northbridge/pnl', `${date}|${portfolio}`)),
    partitionId('northbridge/risk-positions-file', date),
    partitionId('northbridge/finance-pnl-file', date),
  ];
}

/** What one session's computed assets read: one partition per step. */
export const NORTHBRIDGE_ASSETS = [
  'northbridge/securities',
  'northbridge/fx-rates',
  'northbridge/prices',
  'northbridge/executions',
  'northbridge/positions',
  'northbridge/pnl',
  'northbridge/risk-positions-file',
  'northbridge/finance-pnl-file',
] as const;

/**
 * Asset definitions with extra publish targets on the named assets, after the ones they declare: how
 * a test (or a deployment) adds S3 or Redshift to NorthBridge's files without editing them.
 *
 * @example
 * defineDefinitions(withPublishTargets(northbridge, { 'northbridge/risk-positions-file': [s3Target({ bucket: 'nb-risk' })] }));
 */
export function withPublishTargets(assets: readonly AssetDefinition[], extra: Readonly<Record<string, readonly PublishTarget[]>>): AssetDefinition[] {
  const unknown = Object.keys(extra).filter((key) => !assets.some((asset) => asset.key === key));
  if (unknown.length > 0) throw new Error(`withPublishTargets: no asset ${unknown.join(', ')}`);
  return assets.map((asset) => {
    const targets = extra[asset.key];
    return targets === undefined ? asset : Object.freeze({ ...asset, publish: Object.freeze([...asset.publish, ...targets]) });
  });
}
