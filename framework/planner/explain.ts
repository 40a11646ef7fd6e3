import type { Plan, PlannedStep } from './plan.ts';
import { FRESH, reasonName } from './reason.ts';
import { effectiveVersion } from './staleness.ts';

/** `asset[key]`, or just `asset` when unpartitioned. */
export function formatPartition(asset: string, key: string): string {
  return key === '' ? asset : `${asset}[${key}]`;
}

/** Builds the detail of one step on demand: which input changed and how, which code version, which failure. */
export function explainStep(plan: Plan, step: PlannedStep): string {
  const { definitions, state } = plan;
  const id = definitions.idOf(step.asset);
  const asset = definitions.assets[id]!;
  const assetState = state.asset(asset.key);
  const index = step.partitionIndex;
  switch (step.reason) {
    case 'missing':
      return 'never materialized';
    case 'forced':
      return 'forced';
    case 'failed':
      return `last attempt failed${withDetail(state.failure?.(asset.key, index))}`;
    case 'code-changed': {
      const previous = assetState?.codeVersions[assetState.codeVersion[index]!];
      return `code version changed: ${previous || 'unknown'} -> ${asset.codeVersion}`;
    }
    case 'upstream-changed': {
      const materializedSeq = assetState?.materializedSeq[index] ?? 0;
      for (const edge of definitions.depsOf(id)) {
        const upstream = definitions.assets[edge.upstream]!;
        const codes = plan.reasons[edge.upstream];
        if (!codes) continue;
        let culprit = -1;
        edge.mapping.forEachUpstream(index, (u) => {
          const upstreamState = state.asset(upstream.key);
          if (culprit < 0 && effectiveVersion(codes, upstreamState, u, upstream.kind === 'source') > materializedSeq) culprit = u;
        });
        if (culprit < 0) continue;
        const key = upstream.partitions.keyAt(culprit);
        const name = formatPartition(upstream.key, key);
        if (codes[culprit] !== FRESH && upstream.kind === 'asset') return `${name} will rerun (${reasonName(codes[culprit]!)})`;
        const consumed = state.consumedVersion?.(asset.key, index, upstream.key, key);
        const current = state.dataVersion?.(upstream.key, culprit);
        return `${name} changed: consumed ${consumed ?? 'an older version'}, now ${current ?? 'a newer version'}`;
      }
      return 'an input changed';
    }
  }
}

function withDetail(text: string | undefined): string {
  return text ? `: ${text}` : '';
}
