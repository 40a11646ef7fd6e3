import type { Definitions } from '../definitions/definitions.ts';
import type { AssetState, PlannerState } from '../definitions/asset-state.ts';
import { CODE_CHANGED, FAILED, FRESH, MISSING, UPSTREAM_CHANGED } from './reason.ts';

/**
 * The "effective version" of a partition as its readers see it: the sequence of its current data
 * version when it is fresh, and +∞ when it will run again (it will get a new version). A reader is
 * stale when the largest effective version among its inputs is above its own materialization sequence.
 */
const WILL_CHANGE = Number.POSITIVE_INFINITY;

const EMPTY_STATE: AssetState = {
  materializedSeq: new Float64Array(0),
  versionSeq: new Float64Array(0),
  codeVersion: new Uint16Array(0),
  codeVersions: [''],
  failed: new Uint8Array(0),
};

/**
 * Computes the reason code of every partition of the given assets (ids ascending, closed under
 * upstream), transitively. Works asset by asset in topological order with one vector pass per
 * dependency edge; an asset reading its own earlier partitions is scanned in index order.
 */
export function computeReasons(definitions: Definitions, state: PlannerState, ids: readonly number[]): (Uint8Array | undefined)[] {
  const reasons: (Uint8Array | undefined)[] = new Array(definitions.assets.length);
  const effective: (Float64Array | undefined)[] = new Array(definitions.assets.length);
  const included = new Set(ids);
  const readersLeft = new Int32Array(definitions.assets.length);
  for (const id of ids) {
    for (const edge of definitions.depsOf(id)) if (!edge.self) readersLeft[edge.upstream]!++;
  }
  let scratch = new Float64Array(0);
  for (const id of ids) {
    const asset = definitions.assets[id]!;
    const n = asset.partitions.size();
    const assetState = state.asset(asset.key) ?? EMPTY_STATE;
    const codes = new Uint8Array(n);
    markOwnState(codes, assetState, asset.kind === 'asset' ? asset.codeVersion : undefined);
    const eff = new Float64Array(n);
    if (asset.kind === 'asset') {
      if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
      const upstreamMax = scratch.subarray(0, n).fill(0);
      for (const edge of definitions.depsOf(id)) {
        if (edge.self) continue;
        if (!included.has(edge.upstream)) throw new Error(`planner: upstream of ${asset.key} was not computed`);
        edge.mapping.pullMax(effective[edge.upstream]!, upstreamMax);
      }
      markUpstreamChanged(codes, upstreamMax, assetState.materializedSeq);
    }
    fillEffective(eff, codes, assetState.versionSeq, asset.kind === 'source');
    const selfEdges = definitions.depsOf(id).filter((edge) => edge.self);
    if (selfEdges.length > 0) propagateSelf(codes, eff, assetState, selfEdges.map((edge) => edge.mapping));
    reasons[id] = codes;
    effective[id] = eff;
    for (const edge of definitions.depsOf(id)) {
      if (!edge.self && --readersLeft[edge.upstream]! === 0) effective[edge.upstream] = undefined;
    }
    if (readersLeft[id] === 0) effective[id] = undefined;
  }
  return reasons;
}

/** Missing, code-changed and failed, from the asset's own records. */
function markOwnState(codes: Uint8Array, state: AssetState, codeVersion: string | undefined): void {
  const recorded = Math.min(codes.length, state.materializedSeq.length);
  const current = codeVersion === undefined ? -1 : state.codeVersions.indexOf(codeVersion);
  const checkCode = codeVersion !== undefined;
  const mat = state.materializedSeq;
  const code = state.codeVersion;
  const failed = state.failed;
  for (let i = 0; i < recorded; i++) {
    if (mat[i] === 0) codes[i] = MISSING;
    else if (checkCode && code[i] !== current) codes[i] = CODE_CHANGED;
    else if (failed[i] === 1) codes[i] = FAILED;
  }
  codes.fill(MISSING, recorded);
}

function markUpstreamChanged(codes: Uint8Array, upstreamMax: Float64Array, mat: Float64Array): void {
  const recorded = Math.min(codes.length, mat.length);
  for (let i = 0; i < recorded; i++) {
    if (codes[i] === FRESH && upstreamMax[i]! > mat[i]!) codes[i] = UPSTREAM_CHANGED;
  }
}

function fillEffective(eff: Float64Array, codes: Uint8Array, versionSeq: Float64Array, source: boolean): void {
  const recorded = Math.min(eff.length, versionSeq.length);
  // A missing source partition has no version yet; its readers wait for it rather than rerun.
  for (let i = 0; i < recorded; i++) eff[i] = codes[i] === FRESH || source ? versionSeq[i]! : WILL_CHANGE;
  eff.fill(source ? 0 : WILL_CHANGE, recorded);
}

/** Self-dependencies point strictly backwards, so one ascending scan settles them. */
function propagateSelf(
  codes: Uint8Array,
  eff: Float64Array,
  state: AssetState,
  mappings: readonly { forEachUpstream(index: number, visit: (upstream: number) => void): void }[],
): void {
  const mat = state.materializedSeq;
  let max = 0;
  const visit = (upstream: number): void => {
    if (eff[upstream]! > max) max = eff[upstream]!;
  };
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] !== FRESH) continue;
    max = 0;
    for (const mapping of mappings) mapping.forEachUpstream(i, visit);
    if (max > mat[i]!) {
      codes[i] = UPSTREAM_CHANGED;
      eff[i] = WILL_CHANGE;
    }
  }
}

/** The effective version of one partition, from its reason code and the state (for incremental re-plans). */
export function effectiveVersion(codes: Uint8Array, state: AssetState | undefined, index: number, source: boolean): number {
  const version = state && index < state.versionSeq.length ? state.versionSeq[index]! : 0;
  return codes[index] === FRESH || source ? version : WILL_CHANGE;
}

/** The reason code of one partition, given the effective versions of its inputs (for incremental re-plans). */
export function reasonOf(state: AssetState | undefined, index: number, codeVersion: string | undefined, upstreamMax: number): number {
  if (!state || index >= state.materializedSeq.length || state.materializedSeq[index] === 0) return MISSING;
  if (codeVersion !== undefined && state.codeVersion[index] !== state.codeVersions.indexOf(codeVersion)) return CODE_CHANGED;
  if (state.failed[index] === 1) return FAILED;
  return upstreamMax > state.materializedSeq[index]! ? UPSTREAM_CHANGED : FRESH;
}
