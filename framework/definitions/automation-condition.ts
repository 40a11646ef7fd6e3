// The contract between an asset's `automation` field and the conditions in framework/automation/conditions/:
// definitions may not import automation, so the interface and the context it reads live here.
import type { AssetDefinition } from './asset.ts';
import type { PlannerState } from './asset-state.ts';
import type { Definitions } from './definitions.ts';

/** JSON-safe description of a condition tree, e.g. `{ kind: 'and', operands: [{ kind: 'eager' }, { kind: 'on-missing' }] }`. */
export interface AutomationConditionSpec {
  readonly kind: string;
  readonly operands?: readonly AutomationConditionSpec[];
  readonly [param: string]: unknown;
}

/**
 * A declarative automation condition: a frozen tree node (its spec and operands) with the function
 * that evaluates it over every partition of an asset at once. `and`, `or`, `not` and `since` combine
 * leaves such as `eager()` and `onCron()`; see docs/automation.md.
 *
 * @example
 * defineAsset({ key: 'northbridge/pnl', automation: and(eager(), not(onMissing())), … });
 */
export interface AutomationCondition {
  readonly spec: AutomationConditionSpec;
  /** How the tester names the node, e.g. `eager()`, `onCron('0 5 * * *', 'America/New_York')`, `and`. */
  readonly label: string;
  readonly operands: readonly AutomationCondition[];
  /** 1 for each partition of `context.asset` where the condition holds, within `context.universe`. */
  evaluate(context: ConditionContext): Uint8Array;
  /** Why the condition is true or false (`result[index]`) for one partition, in one line; `result` is what `evaluate` returned. */
  explain(context: ConditionContext, index: number, result: Uint8Array): string;
}

/** This asset's previous evaluation, as its cursor kept it. */
export interface PreviousEvaluation {
  /** When it ran, epoch ms. */
  readonly evaluatedAt: number;
  /** The store's highest sequence then: a partition whose sequence is above it changed since. */
  readonly seq: number;
  /** 1 for each partition it requested. */
  readonly requested: Uint8Array;
}

/**
 * What a condition node reads while one asset is evaluated. Arrays are indexed by partition index;
 * masks hold 1 where something is true. framework/automation builds it; nodes never read a clock or the store.
 */
export interface ConditionContext {
  readonly definitions: Definitions;
  readonly asset: AssetDefinition;
  /** The asset's id in `definitions`. */
  readonly id: number;
  readonly state: PlannerState;
  /** The planner's reason code of every partition, per asset id (0 = fresh). */
  readonly reasons: readonly (Uint8Array | undefined)[];
  /** The evaluation time, epoch ms. */
  readonly now: number;
  /** The store's highest sequence in `state`. */
  readonly seq: number;
  readonly previous: PreviousEvaluation | undefined;
  /** The partitions that exist by `now` (their time window has ended); every result lies within it. */
  readonly universe: Uint8Array;
  /** What this node remembered at the previous evaluation (for `since` and `onCron`). */
  readonly memory: Uint8Array | undefined;
  /** Partitions of an asset that are being run, or undefined when none are. */
  inProgress(id: number): Uint8Array | undefined;
  /** Partitions of an upstream asset requested earlier in this evaluation, or undefined when none are. */
  requested(id: number): Uint8Array | undefined;
  /** The result of this node's operand at `position`, evaluated once per evaluation. */
  operand(position: number): Uint8Array;
  /** Keeps a mask for this node's next evaluation. */
  remember(mask: Uint8Array): void;
  /** A value computed once per asset and evaluation and shared by the nodes that need it (e.g. input readiness). */
  shared<T>(name: string, compute: () => T): T;
}
