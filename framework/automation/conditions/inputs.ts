// What several leaves ask of an asset's inputs, computed once per asset and evaluation with the
// mappings' vector operation (`pullMax`), and the one-partition descriptions the tester shows.
import type { ConditionContext } from '../../definitions/automation-condition.ts';
import type { AssetState } from '../../definitions/asset-state.ts';
import { formatPartition } from '../../planner/explain.ts';
import { CODE_CHANGED, FAILED, FRESH, MISSING, UPSTREAM_CHANGED } from '../../planner/reason.ts';
import { sized } from './masks.ts';

const EMPTY = new Float64Array(0);
const NONE = new Uint8Array(0);

/** The sequence of the partition's latest materialization (0 = never). */
export function materializedSeq(context: ConditionContext, index: number): number {
  return materializedSeqs(context)[index]!;
}

/** The sequences of the asset's latest materializations, one per partition (0 = never). */
export function materializedSeqs(context: ConditionContext): Float64Array {
  return context.shared('materialized-seqs', () => sized(context.state.asset(context.asset.key)?.materializedSeq, context.asset.partitions.size()));
}

/**
 * Per partition, the newest data among the input partitions it reads: the largest `versionSeq`
 * (the sequence at which their current data version appeared). Above the partition's own
 * materialization sequence means an input has data it has not consumed.
 */
export function newestInputs(context: ConditionContext): Float64Array {
  return context.shared('newest-inputs', () => {
    const { definitions, id } = context;
    const out = new Float64Array(context.asset.partitions.size());
    for (const edge of definitions.depsOf(id)) {
      const upstream = definitions.assets[edge.upstream]!;
      edge.mapping.pullMax(sized(context.state.asset(upstream.key)?.versionSeq, upstream.partitions.size()), out);
    }
    return out;
  });
}

/**
 * 1 where every input partition on the other assets is ready: an asset partition fresh (or requested
 * earlier in this evaluation) and not being run; a source partition observed and not failed.
 * The asset's own earlier partitions are settled by `settleSelf`. A copy: callers narrow it in place.
 */
export function inputsReady(context: ConditionContext): Uint8Array {
  return context.shared('inputs-ready', () => {
    const blocked = new Float64Array(context.asset.partitions.size());
    for (const edge of context.definitions.depsOf(context.id)) {
      if (!edge.self) edge.mapping.pullMax(notReady(context, edge.upstream), blocked);
    }
    const ready = new Uint8Array(blocked.length);
    for (let i = 0; i < blocked.length; i++) ready[i] = blocked[i] === 0 ? 1 : 0;
    return ready;
  }).slice();
}

/**
 * Clears the partitions whose own earlier partitions (a self-dependency, e.g. the previous session)
 * are neither fresh nor set in `mask` themselves. One ascending scan, since such mappings point strictly
 * backwards: a whole missing history is requested at once, and the executor runs it in order.
 */
export function settleSelf(context: ConditionContext, mask: Uint8Array): Uint8Array {
  const mappings = context.definitions.depsOf(context.id).filter((edge) => edge.self).map((edge) => edge.mapping);
  if (mappings.length === 0) return mask;
  const codes = context.reasons[context.id]!;
  const running = context.inProgress(context.id);
  let ready: boolean;
  const visit = (upstream: number): void => {
    if (mask[upstream] !== 1 && (codes[upstream] !== FRESH || running?.[upstream] === 1)) ready = false;
  };
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 1) continue;
    ready = true;
    for (const mapping of mappings) mapping.forEachUpstream(i, visit);
    if (!ready) mask[i] = 0;
  }
  return mask;
}

/**
 * 1 where a partition may be requested: it exists, and either its last attempt did not fail or an
 * input got new data since the previous evaluation that did not come from a run the previous
 * evaluation requested it in (Dagster's `executed_with_root_target`: the failed attempt already read
 * that data). Retries are the executor's; without this a failing partition would be requested again
 * on every evaluation.
 */
export function attemptable(context: ConditionContext): Uint8Array {
  return context.shared('attemptable', () => {
    const failed = context.state.asset(context.asset.key)?.failed ?? NONE;
    const newest = newestInputs(context);
    const since = context.previous?.seq ?? Number.POSITIVE_INFINITY;
    const requested = context.previous?.requested ?? NONE;
    const { universe } = context;
    const result = new Uint8Array(universe.length);
    for (let i = 0; i < result.length; i++) {
      result[i] = universe[i] === 1 && (failed[i] !== 1 || (newest[i]! > since && requested[i] !== 1)) ? 1 : 0;
    }
    return result;
  });
}

/** 1 for every partition of an upstream asset that is not ready, as pullMax values. */
function notReady(context: ConditionContext, id: number): Float64Array {
  const upstream = context.definitions.assets[id]!;
  const size = upstream.partitions.size();
  const state = context.state.asset(upstream.key);
  const values = new Float64Array(size).fill(1);
  if (upstream.kind === 'source') {
    const versions = state?.versionSeq ?? EMPTY;
    for (let i = 0; i < Math.min(size, versions.length); i++) if (versions[i]! > 0 && state!.failed[i] !== 1) values[i] = 0;
  } else {
    const codes = context.reasons[id]!;
    const requested = context.requested(id);
    for (let i = 0; i < size; i++) if (codes[i] === FRESH || requested?.[i] === 1) values[i] = 0;
  }
  const running = context.inProgress(id);
  if (running) for (let i = 0; i < size; i++) if (running[i] === 1) values[i] = 1;
  return values;
}

/** The first input partition that is not ready, described, e.g. `northbridge/prices[2026-11-20] is missing`. */
export function blockingInput(context: ConditionContext, index: number, own: Uint8Array): string | undefined {
  const { definitions } = context;
  for (const edge of definitions.depsOf(context.id)) {
    const upstream = definitions.assets[edge.upstream]!;
    const state = context.state.asset(upstream.key);
    const running = context.inProgress(edge.upstream);
    const requested = edge.self ? own : context.requested(edge.upstream);
    let found: string | undefined;
    edge.mapping.forEachUpstream(index, (u) => {
      if (found !== undefined) return;
      const why = running?.[u] === 1 ? 'is being run' : upstream.kind === 'source' ? sourceProblem(state, u) : assetProblem(context.reasons[edge.upstream]![u]!, requested?.[u] === 1);
      if (why) found = `${formatPartition(upstream.key, upstream.partitions.keyAt(u))} ${why}`;
    });
    if (found) return found;
  }
  return undefined;
}

/** The first input partition with data newer than the partition consumed, with both versions when known. */
export function newerInput(context: ConditionContext, index: number): string | undefined {
  const { definitions, state, asset } = context;
  const mat = materializedSeq(context, index);
  for (const edge of definitions.depsOf(context.id)) {
    const upstream = definitions.assets[edge.upstream]!;
    const versions = state.asset(upstream.key)?.versionSeq ?? EMPTY;
    let culprit = -1;
    edge.mapping.forEachUpstream(index, (u) => {
      if (culprit < 0 && (versions[u] ?? 0) > mat) culprit = u;
    });
    if (culprit < 0) continue;
    const key = upstream.partitions.keyAt(culprit);
    const consumed = state.consumedVersion?.(asset.key, index, upstream.key, key);
    const current = state.dataVersion?.(upstream.key, culprit);
    const versionsText = consumed || current ? ` (consumed ${consumed ?? 'none'}, now ${current ?? 'a newer version'})` : '';
    return `${formatPartition(upstream.key, key)} has new data${versionsText}`;
  }
  return undefined;
}

/** Why the last attempt's failure holds a partition back, for the tester. */
export function failureHold(context: ConditionContext, index: number): string {
  const message = context.state.failure?.(context.asset.key, index);
  return `the last attempt failed${message ? ` (${message})` : ''}; waiting for new input data`;
}

function sourceProblem(state: AssetState | undefined, index: number): string | undefined {
  if (!state || (state.versionSeq[index] ?? 0) === 0) return 'has not arrived';
  return state.failed[index] === 1 ? 'failed a blocking check' : undefined;
}

function assetProblem(code: number, requested: boolean): string | undefined {
  if (code === FRESH || requested) return undefined;
  if (code === MISSING) return 'is missing';
  if (code === FAILED) return 'failed';
  if (code === CODE_CHANGED) return 'is stale (code-changed)';
  return code === UPSTREAM_CHANGED ? 'is stale (upstream-changed)' : 'is not fresh';
}
