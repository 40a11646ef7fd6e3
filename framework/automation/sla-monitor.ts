import type { Definitions } from '../definitions/definitions.ts';
import type { Calendar } from '../partitions/calendar.ts';
import { formatPartition } from '../planner/explain.ts';
import { requestedSubset } from '../planner/partition-request.ts';
import type { MetadataStore } from '../store/store.ts';
import { predictSlas, type SlaPrediction, type SlaTarget } from './sla-risk.ts';
import { dueSlaTargets } from './sla-targets.ts';
import { readRetryingPartitions, readRunningSteps, readStepDurations } from './step-durations.ts';

export interface EvaluateSlasOptions {
  store: MetadataStore;
  definitions: Definitions;
  /** Calendars SLAs name beyond those of the assets' own partitions. */
  calendars?: readonly Calendar[];
  /** The targets to predict; by default those due around now (see `dueSlaTargets`). */
  targets?: readonly SlaTarget[];
  lookbackMs?: number;
  horizonMs?: number;
  /** Successful runs needed before their p90 replaces a declared estimate. */
  minSamples?: number;
  /** Recent successful steps per asset that the p90 is taken over. */
  samples?: number;
}

/**
 * Reads what SLA prediction needs from the store (planner state, step durations, running steps, the
 * targets' materialization times and check results) and predicts each target, at the store's now.
 * This is what the daemon calls on each tick, and what the server's freshness API can call.
 *
 * @example
 * for (const p of await evaluateSlas({ store, definitions, calendars: [xnys()] })) console.log(p.asset, p.partition, p.state, p.reason);
 */
export async function evaluateSlas({ store, definitions, calendars = [], targets, lookbackMs, horizonMs, minSamples, samples }: EvaluateSlasOptions): Promise<SlaPrediction[]> {
  const now = store.now();
  const due = targets ?? dueSlaTargets({ definitions, now, calendars, ...(lookbackMs === undefined ? {} : { lookbackMs }), ...(horizonMs === undefined ? {} : { horizonMs }) });
  if (due.length === 0) return [];
  const [state, durations, running, retrying] = await Promise.all([
    store.plannerState(definitions, { details: false }),
    readStepDurations(store, samples === undefined ? {} : { samples }),
    readRunningSteps(store),
    readRetryingPartitions(store),
  ]);
  const materializedAt = new Map<string, number>();
  const failedChecks = new Set<string>();
  for (const [asset, keys] of targetKeys(definitions, due)) {
    for (const partition of await store.partitionStates(asset, keys)) {
      if (partition.materializedAt) materializedAt.set(formatPartition(asset, partition.partition), partition.materializedAt.getTime());
    }
    // Latest result per check and partition: results come newest first.
    const seen = new Set<string>();
    for (const result of await store.listCheckResults({ asset, partitions: keys, limit: 10_000 })) {
      const check = `${result.partition}\u0000${result.check}`;
      if (seen.has(check)) continue;
      seen.add(check);
      if (!result.passed && result.severity === 'error') failedChecks.add(formatPartition(asset, result.partition));
    }
  }
  return predictSlas({
    definitions,
    state,
    targets: due,
    facts: { durations, running: new Map(running.map((step) => [formatPartition(step.asset, step.partition), step.startedAt])), materializedAt, failedChecks, retrying },
    now,
    ...(minSamples === undefined ? {} : { minSamples }),
  });
}

/** The partition keys of the targets, per asset. */
function targetKeys(definitions: Definitions, targets: readonly SlaTarget[]): Map<string, string[]> {
  const keys = new Map<string, Set<string>>();
  for (const target of targets) {
    const partitions = definitions.get(target.asset).partitions;
    const set = keys.get(target.asset) ?? new Set<string>();
    for (const index of requestedSubset(partitions, { partition: target.partition }).indexes()) set.add(partitions.keyAt(index));
    keys.set(target.asset, set);
  }
  return new Map([...keys].map(([asset, set]) => [asset, [...set]]));
}
