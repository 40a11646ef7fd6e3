import type { Plan } from '../planner/plan.ts';
import type { StepReason } from '../planner/reason.ts';

/** One step to execute: an asset partition, the planned steps it waits for, and the ones waiting for it. */
export interface ExecutionStep {
  readonly id: number;
  readonly asset: string;
  readonly assetId: number;
  readonly partition: string;
  readonly partitionIndex: number;
  readonly reason: StepReason;
  /** Ids of planned steps producing partitions this step reads. */
  readonly upstream: readonly number[];
  /** Ids of planned steps reading this step's partition. */
  readonly downstream: number[];
}

/**
 * Links a plan's steps through the mappings: a step waits for every planned step whose partition it
 * reads. Partitions it reads that are not planned are taken as they are.
 */
export function buildStepGraph(plan: Plan): ExecutionStep[] {
  const { definitions } = plan;
  const steps: ExecutionStep[] = [];
  const byAsset = new Map<number, Map<number, number>>();
  for (const planned of plan.steps()) {
    const assetId = definitions.idOf(planned.asset);
    let index = byAsset.get(assetId);
    if (!index) byAsset.set(assetId, (index = new Map()));
    const upstream: number[] = [];
    for (const edge of definitions.depsOf(assetId)) {
      const producers = byAsset.get(edge.upstream);
      if (!producers) continue;
      edge.mapping.forEachUpstream(planned.partitionIndex, (u) => {
        const producer = producers.get(u);
        if (producer !== undefined) upstream.push(producer);
      });
    }
    const id = steps.length;
    for (const producer of upstream) steps[producer]!.downstream.push(id);
    steps.push({ ...planned, id, assetId, upstream, downstream: [] });
    index.set(planned.partitionIndex, id);
  }
  return steps;
}
