// Runs condition trees asset by asset in topological order, so an asset sees what its upstream assets
// requested in the same evaluation. Shared by evaluateConditions and the tester (explainCondition).
import type { AutomationCondition, ConditionContext, PreviousEvaluation } from '../../definitions/automation-condition.ts';
import type { PlannerState } from '../../definitions/asset-state.ts';
import type { Definitions } from '../../definitions/definitions.ts';
import { computeReasons } from '../../planner/staleness.ts';
import type { ConditionCursor } from './cursor.ts';
import { existingPartitions, maskOfKeyRanges } from './masks.ts';

export interface EvaluateConditionsOptions {
  definitions: Definitions;
  /** The store's planner state: `await store.plannerState(definitions)` (with details, for the tester). */
  state: PlannerState;
  /** The evaluation time, epoch ms (the daemon's clock). */
  now: number;
  /** The cursor of the previous evaluation (`loadConditionCursor(store)`); none on the first. */
  previous?: ConditionCursor | undefined;
  /** Asset partitions being run, as `asset|partition` (`asset|` when unpartitioned). */
  inProgress?: Iterable<string>;
}

/** One asset's evaluation: every node's result by path (`0`, `0.1`, …) and what the nodes remembered. */
export interface AssetRun {
  readonly id: number;
  readonly condition: AutomationCondition;
  /** Where the root condition holds. */
  readonly root: Uint8Array;
  /** The root less the partitions being run: what is requested. */
  readonly requested: Uint8Array;
  /** Each node's result, by path. */
  readonly results: ReadonlyMap<string, Uint8Array>;
  /** What the nodes remembered, by memory key (`<path> <label>`). */
  readonly memory: ReadonlyMap<string, Uint8Array>;
  readonly seq: number;
  /** The context a node was evaluated with, for explanations. */
  contextOf(node: AutomationCondition, path: string): ConditionContext;
}

/**
 * Evaluates the condition of every asset that has one, in topological order, up to and including
 * asset id `until`; `visit` gets each asset's run. The planner's reasons are computed once for all assets.
 */
export function runConditions(options: EvaluateConditionsOptions, visit: (run: AssetRun) => void, until = Number.POSITIVE_INFINITY): void {
  const { definitions, state, now, previous, inProgress = [] } = options;
  const all = definitions.assets.map((_, id) => id);
  const reasons = computeReasons(definitions, state, all);
  const seq = highestSeq(definitions, state);
  const running = runningMasks(definitions, inProgress);
  const requested: (Uint8Array | undefined)[] = new Array(definitions.assets.length);
  for (const id of all) {
    const asset = definitions.assets[id]!;
    if (id > until) break;
    if (asset.kind !== 'asset' || asset.automation === undefined) continue;
    const stored = previous?.assets[asset.key];
    const last: PreviousEvaluation | undefined = stored && {
      evaluatedAt: stored.evaluatedAt,
      seq: stored.seq,
      requested: maskOfKeyRanges(asset.partitions, stored.requested),
    };
    const remembered = new Map(Object.entries(stored?.memory ?? {}).map(([key, ranges]) => [key, maskOfKeyRanges(asset.partitions, ranges)]));
    const results = new Map<string, Uint8Array>();
    const memory = new Map<string, Uint8Array>();
    const sharedValues = new Map<string, unknown>();
    const universe = existingPartitions(asset.partitions, now);
    const contextOf = (node: AutomationCondition, path: string): ConditionContext => ({
      definitions,
      asset,
      id,
      state,
      reasons,
      now,
      seq,
      previous: last,
      universe,
      memory: remembered.get(memoryKey(node, path)),
      inProgress: (other) => running[other],
      requested: (other) => requested[other],
      operand: (position) => evaluateNode(node.operands[position]!, `${path}.${position}`),
      remember: (mask) => memory.set(memoryKey(node, path), mask),
      shared: <T>(name: string, compute: () => T): T => {
        if (!sharedValues.has(name)) sharedValues.set(name, compute());
        return sharedValues.get(name) as T;
      },
    });
    const evaluateNode = (node: AutomationCondition, path: string): Uint8Array => {
      let result = results.get(path);
      if (!result) {
        result = node.evaluate(contextOf(node, path));
        results.set(path, result);
      }
      return result;
    };
    const root = evaluateNode(asset.automation, '0');
    const runningHere = running[id];
    const wanted = root.slice();
    if (runningHere) for (let i = 0; i < wanted.length; i++) wanted[i]! &= runningHere[i]! ^ 1;
    requested[id] = wanted;
    visit({ id, condition: asset.automation, root, requested: wanted, results, memory, seq, contextOf });
  }
}

/** Where a node's memory is kept: its path and label, so an edited tree starts afresh where it changed. */
export function memoryKey(node: AutomationCondition, path: string): string {
  return `${path} ${node.label}`;
}

/** The store's highest sequence in the state: the next evaluation's "since". */
function highestSeq(definitions: Definitions, state: PlannerState): number {
  let max = 0;
  for (const asset of definitions.assets) {
    const arrays = state.asset(asset.key);
    if (!arrays) continue;
    // A data version first appears with a materialization, so versionSeq never exceeds materializedSeq.
    const values = arrays.materializedSeq;
    for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  }
  return max;
}

/** `asset|partition` strings as masks per asset id; unknown assets and keys (a run of an older definition) are ignored. */
function runningMasks(definitions: Definitions, inProgress: Iterable<string>): (Uint8Array | undefined)[] {
  const masks: (Uint8Array | undefined)[] = new Array(definitions.assets.length);
  for (const entry of inProgress) {
    const bar = entry.indexOf('|');
    const key = bar < 0 ? entry : entry.slice(0, bar);
    if (!definitions.has(key)) continue;
    const id = definitions.idOf(key);
    const partitions = definitions.assets[id]!.partitions;
    const index = partitions.tryIndexOf(bar < 0 ? '' : entry.slice(bar + 1));
    if (index < 0) continue;
    masks[id] ??= new Uint8Array(partitions.size());
    masks[id][index] = 1;
  }
  return masks;
}
