import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { DefinitionError, PlanError } from '../../util/errors.ts';
import { runConditions, type AssetRun, type EvaluateConditionsOptions } from './evaluation.ts';
import { existingPartitions } from './masks.ts';

export interface ExplainConditionOptions extends EvaluateConditionsOptions {
  asset: string;
  /** The partition key; default the latest partition that exists (`''` when unpartitioned). */
  partition?: string | undefined;
}

/** One node of the tester's tree: whether it holds for the partition, and why. */
export interface ConditionExplanation {
  /** `eager()`, `onCron('0 5 * * *', 'UTC')`, `and`, `not`, `since`, … */
  readonly label: string;
  readonly value: boolean;
  readonly detail: string;
  readonly children: readonly ConditionExplanation[];
}

/**
 * Why an asset's condition is true or false for one partition, node by node: the tester. It evaluates
 * exactly as `evaluateConditions` does (upstream assets first, with the same cursor), so its answer
 * is the daemon's.
 *
 * @example
 * const tree = explainCondition({ definitions, state, now, previous, asset: 'northbridge/pnl', partition: '2026-11-20|PF001' });
 * // { label: 'eager()', value: false, detail: 'never materialized, but northbridge/positions[2026-11-20|PF001] is missing', children: [] }
 */
export function explainCondition(options: ExplainConditionOptions): ConditionExplanation {
  const { definitions, asset: key } = options;
  const id = definitions.idOf(key);
  const asset = definitions.assets[id]!;
  if (asset.automation === undefined) {
    throw new DefinitionError('invalid-definition', `asset "${key}" has no automation condition (field "automation" of defineAsset)`, { asset: key, field: 'automation' });
  }
  const index = options.partition === undefined ? latestPartition(key, existingPartitions(asset.partitions, options.now)) : asset.partitions.indexOf(options.partition);
  let found: AssetRun | undefined;
  runConditions(options, (run) => {
    if (run.id === id) found = run;
  }, id);
  return explainNode(found!, asset.automation, '0', index);
}

/** The index of the latest partition that exists, for the tester's default. */
export function latestPartition(asset: string, universe: Uint8Array): number {
  const index = universe.lastIndexOf(1);
  if (index < 0) throw new PlanError('invalid-plan-request', `asset "${asset}" has no partition whose window has ended yet; give --partition`, { asset, field: 'partition' });
  return index;
}

function explainNode(run: AssetRun, node: AutomationCondition, path: string, index: number): ConditionExplanation {
  const result = run.results.get(path)!;
  return {
    label: node.label,
    value: result[index] === 1,
    detail: node.explain(run.contextOf(node, path), index, result),
    children: node.operands.map((operand, position) => explainNode(run, operand, `${path}.${position}`, index)),
  };
}
