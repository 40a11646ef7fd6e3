import type { Definitions } from '../definitions/definitions.ts';
import { PartitionSubset } from '../partitions/subset.ts';
import { PlanError } from '../util/errors.ts';
import { explainStep } from './explain.ts';
import { hasDimensions, listedSubset, requestedSubset, type PartitionRequest } from './partition-request.ts';
import { FORCED, FRESH, reasonName, type StepReason } from './reason.ts';
import type { PlannerState } from '../definitions/asset-state.ts';
import { computeReasons } from './staleness.ts';

/** One step of a plan: an asset partition to materialize, and why. */
export interface PlannedStep {
  readonly asset: string;
  /** The partition key; `''` for an unpartitioned asset. */
  readonly partition: string;
  readonly partitionIndex: number;
  readonly reason: StepReason;
}

export interface PlanOptions {
  definitions: Definitions;
  state: PlannerState;
  /** Asset ids to plan (see `selectAssets`), ascending. */
  assets: readonly number[];
  partitions?: PartitionRequest;
  /** Plan every requested partition, fresh or not. */
  force?: boolean;
}

/**
 * A plan: per asset, a reason code for every partition (computed for the selection and everything
 * upstream of it) and the requested partitions. Steps are the requested partitions whose code is not
 * fresh. Nothing per step is built until asked for, so a plan of millions of steps stays a few typed arrays.
 *
 * @example
 * const plan = createPlan({ definitions, state, assets: selectAssets(definitions, '*') });
 * for (const step of plan.steps()) console.log(step.asset, step.partition, step.reason, plan.explain(step));
 */
export class Plan {
  readonly definitions: Definitions;
  readonly state: PlannerState;
  /** Reason codes per asset id, over all its partitions; undefined for assets outside the plan's reach. */
  readonly reasons: (Uint8Array | undefined)[];
  /** Requested partitions per selected asset id. */
  readonly targets: (PartitionSubset | undefined)[];

  constructor(definitions: Definitions, state: PlannerState, reasons: (Uint8Array | undefined)[], targets: (PartitionSubset | undefined)[]) {
    this.definitions = definitions;
    this.state = state;
    this.reasons = reasons;
    this.targets = targets;
  }

  /** Number of steps, counted over the typed arrays. */
  stepCount(): number {
    let count = 0;
    this.#forEachTarget((codes, start, end) => {
      for (let i = start; i < end; i++) if (codes[i] !== FRESH) count++;
    });
    return count;
  }

  /** Steps by reason. */
  countsByReason(): Record<StepReason, number> {
    const counts = new Float64Array(8);
    this.#forEachTarget((codes, start, end) => {
      for (let i = start; i < end; i++) counts[codes[i]!]!++;
    });
    const result = {} as Record<StepReason, number>;
    counts.forEach((count, code) => {
      const name = reasonName(code);
      if (name) result[name] = count;
    });
    return result;
  }

  /** Steps in execution order: assets upstream first, partitions ascending. */
  *steps(): Generator<PlannedStep> {
    for (let id = 0; id < this.targets.length; id++) {
      const target = this.targets[id];
      const codes = this.reasons[id];
      if (!target || !codes) continue;
      const asset = this.definitions.assets[id]!;
      if (asset.kind === 'source') continue;
      for (const [start, end] of target.ranges()) {
        for (let index = start; index < end; index++) {
          const reason = reasonName(codes[index]!);
          if (reason) yield { asset: asset.key, partition: asset.partitions.keyAt(index), partitionIndex: index, reason };
        }
      }
    }
  }

  /** A one-line explanation of a step, e.g. which input changed and from which version to which. */
  explain(step: PlannedStep): string {
    return explainStep(this, step);
  }

  #forEachTarget(visit: (codes: Uint8Array, start: number, end: number) => void): void {
    this.targets.forEach((target, id) => {
      const codes = this.reasons[id];
      if (!target || !codes || this.definitions.assets[id]!.kind === 'source') return;
      for (const [start, end] of target.ranges()) visit(codes, start, end);
    });
  }
}

/**
 * Plans a selection over a partition request. Pure: the store state comes in, no clock is read.
 * With `where` filters, assets that have those dimensions are filtered directly, and selected assets
 * without them get the partitions that depend on the filtered ones (mapped through the graph).
 */
export function createPlan({ definitions, state, assets, partitions = {}, force = false }: PlanOptions): Plan {
  const reach = upstreamClosure(definitions, assets);
  const reasons = computeReasons(definitions, state, reach);
  const targets = requestedTargets(definitions, assets, partitions);
  if (force) {
    targets.forEach((target, id) => {
      const codes = reasons[id]!;
      if (target) for (const index of target.indexes()) if (codes[index] === FRESH) codes[index] = FORCED;
    });
  }
  return new Plan(definitions, state, reasons, targets);
}

function upstreamClosure(definitions: Definitions, ids: readonly number[]): number[] {
  const reach = new Set(ids);
  const stack = [...ids];
  while (stack.length > 0) {
    for (const edge of definitions.depsOf(stack.pop()!)) {
      if (!reach.has(edge.upstream)) {
        reach.add(edge.upstream);
        stack.push(edge.upstream);
      }
    }
  }
  return [...reach].sort((a, b) => a - b);
}

function requestedTargets(definitions: Definitions, ids: readonly number[], request: PartitionRequest): (PartitionSubset | undefined)[] {
  const targets: (PartitionSubset | undefined)[] = new Array(definitions.assets.length);
  if (request.keys !== undefined) {
    for (const id of ids) {
      const { key, partitions } = definitions.assets[id]!;
      const keys = request.keys[key];
      if (keys !== undefined && keys.length > 0) targets[id] = listedSubset(key, partitions, keys);
    }
    return targets;
  }
  const where = request.where ?? {};
  const filtering = Object.keys(where).length > 0;
  if (filtering && !ids.some((id) => hasDimensions(definitions.assets[id]!.partitions, where))) {
    throw new PlanError('invalid-plan-request', `no selected asset has the dimension(s) ${Object.keys(where).join(', ')} named in --where`, {
      field: 'where',
    });
  }
  const selected = new Set(ids);
  for (const id of ids) {
    const definition = definitions.assets[id]!.partitions;
    if (!filtering || hasDimensions(definition, where)) {
      targets[id] = requestedSubset(definition, request);
      continue;
    }
    // Without the filtered dimension, take what the selected upstream targets reach, within the dates asked.
    let reached = PartitionSubset.empty(definition.size());
    for (const edge of definitions.depsOf(id)) {
      const upstream = targets[edge.upstream];
      if (edge.self || !selected.has(edge.upstream) || !upstream) continue;
      reached = reached.union(edge.mapping.downstreamOf(upstream));
    }
    if (!reached.isEmpty()) targets[id] = reached.intersect(requestedSubset(definition, { ...request, where: {} }));
  }
  return targets;
}
