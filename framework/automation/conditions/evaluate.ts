import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import type { AssetConditionCursor, ConditionCursor } from './cursor.ts';
import { runConditions, type EvaluateConditionsOptions } from './evaluation.ts';
import type { PartitionsDefinition } from '../../partitions/definition.ts';
import { PartitionSubset } from '../../partitions/subset.ts';
import { countMask, keyRangesOfMask, keysOfMask, maskRuns, type KeyRange } from './masks.ts';

/** Partitions of one asset that its condition asks to materialize. */
export interface ConditionRequest {
  readonly asset: string;
  /**
   * Keys, ascending (`''` for an unpartitioned asset). Built when first read and then kept: a million
   * sub-daily keys take seconds to format, so a daemon that works by index reads `subset` instead.
   */
  readonly partitions: string[];
  /** The same partitions as indexes. */
  readonly subset: PartitionSubset;
}

/** How one node of an asset's condition tree evaluated. */
export interface ConditionNodeResult {
  /** `0` for the root, `0.1` for its second operand, … */
  readonly path: string;
  readonly label: string;
  /** Partitions where the node is true. */
  readonly trueCount: number;
}

/** How one asset's condition evaluated. */
export interface AssetConditionResult {
  readonly asset: string;
  /** Partitions where the root condition is true. */
  readonly trueCount: number;
  /** Of those, the partitions requested (those not already being run). */
  readonly requestedCount: number;
  readonly nodes: readonly ConditionNodeResult[];
}

/** What one evaluation decided, and the cursor to save for the next. */
export interface ConditionEvaluation {
  readonly requests: readonly ConditionRequest[];
  readonly results: readonly AssetConditionResult[];
  readonly cursor: ConditionCursor;
}

/**
 * Evaluates the `automation` condition of every asset over all its partitions at once, on the
 * planner's typed arrays: no store reads, no clock. Assets go in topological order, so a downstream
 * asset may count an upstream partition requested in the same evaluation as ready. Partitions being
 * run are never requested. Save `cursor` (saveConditionCursor) once the requested runs are recorded.
 *
 * @example
 * const evaluation = evaluateConditions({ definitions, state: await store.plannerState(definitions), now: store.now(), previous: await loadConditionCursor(store), inProgress });
 * for (const { asset, partitions } of evaluation.requests) enqueue(asset, partitions);
 * await saveConditionCursor(store, evaluation.cursor);
 */
export function evaluateConditions(options: EvaluateConditionsOptions): ConditionEvaluation {
  const { definitions, now } = options;
  const requests: ConditionRequest[] = [];
  const results: AssetConditionResult[] = [];
  const assets: Record<string, AssetConditionCursor> = {};
  runConditions(options, (run) => {
    const asset = definitions.assets[run.id]!;
    const requestedCount = countMask(run.requested);
    if (requestedCount > 0) requests.push(request(asset.key, asset.partitions, run.requested));
    const nodes: ConditionNodeResult[] = [];
    collectNodes(run.condition, '0', run.results, nodes);
    results.push({ asset: asset.key, trueCount: countMask(run.root), requestedCount, nodes });
    const memory: Record<string, KeyRange[]> = {};
    for (const [key, mask] of run.memory) memory[key] = keyRangesOfMask(asset.partitions, mask);
    assets[asset.key] = { evaluatedAt: now, seq: run.seq, requested: keyRangesOfMask(asset.partitions, run.requested), memory };
  });
  return { requests, results, cursor: { assets } };
}

function request(asset: string, definition: PartitionsDefinition, mask: Uint8Array): ConditionRequest {
  let keys: string[] | undefined;
  const subset = PartitionSubset.ranges(definition.size(), maskRuns(mask));
  return Object.freeze({
    asset,
    subset,
    get partitions() {
      keys ??= keysOfMask(definition, mask);
      return keys;
    },
  });
}

/** The nodes in tree order (each before its operands), with their counts. */
function collectNodes(node: AutomationCondition, path: string, results: ReadonlyMap<string, Uint8Array>, out: ConditionNodeResult[]): void {
  out.push({ path, label: node.label, trueCount: countMask(results.get(path)!) });
  node.operands.forEach((operand, position) => collectNodes(operand, `${path}.${position}`, results, out));
}
