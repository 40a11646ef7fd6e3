import { selectAssets } from '../definitions/selection.ts';
import type { SourceObservation } from '../io/source-observer.ts';
import type { PartitionRequest } from '../planner/partition-request.ts';
import { createPlan } from '../planner/plan.ts';
import type { StorePlannerState } from '../store/planner-state.ts';
import type { NewRun } from '../store/writes.ts';
import type { Engine } from './engine.ts';
import { observeSources } from './observe-sources.ts';
import { buildStepGraph, type ExecutionStep } from './step-graph.ts';

/** What to run: the part of a run's request that planning reads, and who asked. */
export interface RunRequest {
  /** Assets to run (selection syntax); default every asset. */
  selection?: string;
  partitions?: PartitionRequest;
  /** Run requested partitions even when they are fresh. */
  force?: boolean;
  /** What started the run (`manual`, `backfill`, `schedule`…) and who. */
  trigger?: string;
  actor?: string;
  backfillId?: string;
}

/** A planned run, before it is stored. */
export interface PlannedRun {
  readonly selection: string;
  readonly request: PartitionRequest;
  /** Source partitions observed while planning. */
  readonly observations: Map<string, SourceObservation>;
  readonly state: StorePlannerState;
  readonly steps: ExecutionStep[];
}

/** Observes the sources a selection reads, plans it and links its steps: what `materialize()` and `enqueueRun()` both run. */
export async function planRun(engine: Engine, options: RunRequest): Promise<PlannedRun> {
  const { definitions, store } = engine;
  const selection = options.selection ?? '*';
  const request = options.partitions ?? {};
  const assets = selectAssets(definitions, selection);
  const observations = await observeSources(engine, assets, request);
  const state = await store.plannerState(definitions);
  const plan = createPlan({ definitions, state, assets, partitions: request, force: options.force ?? false });
  return { selection, request, observations, state, steps: buildStepGraph(plan) };
}

/** The run to store for a plan. */
export function newRunOf(planned: PlannedRun, options: RunRequest, status: 'queued' | 'running'): NewRun {
  return {
    selection: planned.selection,
    partitionRequest: JSON.parse(JSON.stringify(planned.request)),
    trigger: options.trigger ?? 'manual',
    ...(options.actor === undefined ? {} : { triggeredBy: options.actor, actor: options.actor }),
    ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
    status,
    steps: planned.steps.map((step) => ({ asset: step.asset, partition: step.partition, reason: step.reason })),
  };
}
