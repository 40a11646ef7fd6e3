import type { PlannerState } from '../definitions/asset-state.ts';
import type { Definitions } from '../definitions/definitions.ts';
import { slaEstimateMs } from '../definitions/sla.ts';
import { formatPartition } from '../planner/explain.ts';
import { createPlan } from '../planner/plan.ts';
import { requestedSubset } from '../planner/partition-request.ts';
import { FRESH } from '../planner/reason.ts';
import { criticalPath, type CriticalStep, type StepEstimate } from './critical-path.ts';
import type { StepDurationStats } from './step-durations.ts';

/**
 * Where a partition under an SLA stands:
 * - `met`: delivered (fresh, checks passed) by the deadline;
 * - `missed`: the deadline passed without that;
 * - `at-risk`: before the deadline, but now plus the remaining critical path passes it, or something
 *   it needs failed;
 * - `pending`: before the deadline, on time so far, but waiting for source data to arrive;
 * - `on-track`: before the deadline, and the remaining work ends in time.
 */
export type SlaRiskState = 'met' | 'missed' | 'at-risk' | 'pending' | 'on-track';

/** A partition (a key, or a date covering several keys) due by a deadline. */
export interface SlaTarget {
  readonly asset: string;
  /** A partition key, or a `YYYY-MM-DD` date standing for every partition of that date (e.g. all portfolios). */
  readonly partition: string;
  /** Epoch ms. */
  readonly deadline: number;
}

/** What the store says about recent work, keyed `asset[partition]` (see `formatPartition`). */
export interface SlaFacts {
  /** Step durations per asset (see `readStepDurations`). */
  readonly durations: ReadonlyMap<string, StepDurationStats>;
  /** Start (epoch ms) of each running step. */
  readonly running: ReadonlyMap<string, number>;
  /** When each partition's current materialization was recorded (epoch ms). */
  readonly materializedAt: ReadonlyMap<string, number>;
  /** Partitions whose latest result of some error-severity check failed. */
  readonly failedChecks: ReadonlySet<string>;
  /** Partitions whose failed attempt waits to be retried: not failed for good. */
  readonly retrying?: ReadonlySet<string>;
}

export interface SlaRiskOptions {
  definitions: Definitions;
  state: PlannerState;
  targets: readonly SlaTarget[];
  facts: SlaFacts;
  now: number;
  /** Successful runs needed before their p90 replaces a declared `estimate`. */
  minSamples?: number;
}

/** The prediction for one target. */
export interface SlaPrediction {
  readonly asset: string;
  readonly partition: string;
  readonly deadline: number;
  readonly state: SlaRiskState;
  /**
   * Time to spare: for `met`, deadline minus delivery; for `on-track`, `pending` and `at-risk`,
   * deadline minus the expected end (negative when at risk); for `missed`, minus how late it is
   * (delivery, or now, after the deadline).
   */
  readonly marginMs: number;
  /** When the last partition of the target was delivered; null until it is. */
  readonly deliveredAt: number | null;
  /** Now plus the remaining critical path; null once delivered. */
  readonly expectedAt: number | null;
  readonly remainingMs: number;
  readonly criticalPath: readonly CriticalStep[];
  /** Source partitions not arrived yet. */
  readonly waitingFor: readonly string[];
  /** Partitions needed whose last attempt failed and which are not running again. */
  readonly failed: readonly string[];
  /** Target partitions whose latest error-severity check failed. */
  readonly failedChecks: readonly string[];
  /** Why, in one line. */
  readonly reason: string;
}

/**
 * Predicts every target: one staleness pass over their assets and upstream, then each target's
 * remaining critical path (see `criticalPath`). A step's expected duration is the p90 of its asset's
 * recent successful steps once there are `minSamples` of them, else the SLA's declared `estimate`,
 * else the p90 of what there is, else nothing. Pure: the store's state and facts come in. Targets
 * with no partition in their asset's definition are left out.
 *
 * @example
 * const [prediction] = predictSlas({ definitions, state, targets: [{ asset: 'weekly/quality', partition: '2026-11-22', deadline }], facts, now });
 * prediction.state; // 'at-risk'
 */
export function predictSlas({ definitions, state, targets, facts, now, minSamples = 3 }: SlaRiskOptions): SlaPrediction[] {
  const ids = targets.map((target) => definitions.idOf(target.asset));
  // A plan of the targets' assets holds reason codes for them and everything upstream.
  const { reasons } = createPlan({ definitions, state, assets: [...new Set(ids)].sort((a, b) => a - b) });
  const estimate = (asset: string): StepEstimate => {
    const stats = facts.durations.get(asset);
    if (stats && stats.samples >= minSamples) return { ms: stats.p90Ms, basis: 'p90' };
    const declared = slaEstimateMs(definitions.get(asset).sla);
    if (declared !== undefined) return { ms: declared, basis: 'estimate' };
    return stats ? { ms: stats.p90Ms, basis: 'p90' } : { ms: 0, basis: 'none' };
  };
  const predictions: SlaPrediction[] = [];
  targets.forEach((target, i) => {
    const id = ids[i]!;
    const definition = definitions.assets[id]!;
    const subset = requestedSubset(definition.partitions, { partition: target.partition });
    if (subset.isEmpty()) return;
    const indexes = [...subset.indexes()];
    const keys = indexes.map((index) => formatPartition(definition.key, definition.partitions.keyAt(index)));
    const fresh = indexes.every((index) => reasons[id]![index] === FRESH);
    const failedChecks = keys.filter((key) => facts.failedChecks.has(key));
    const deliveredAt = fresh && failedChecks.length === 0 ? Math.max(...keys.map((key) => facts.materializedAt.get(key) ?? 0)) : null;
    const path = criticalPath({ definitions, state, reasons, asset: id, partitions: indexes, estimate, running: facts.running, retrying: facts.retrying ?? new Set(), now });
    predictions.push(judge({ target, now, deliveredAt, path, failedChecks }));
  });
  return predictions;
}

function judge({
  target,
  now,
  deliveredAt,
  path,
  failedChecks,
}: {
  target: SlaTarget;
  now: number;
  deliveredAt: number | null;
  path: ReturnType<typeof criticalPath>;
  failedChecks: readonly string[];
}): SlaPrediction {
  const { deadline } = target;
  const base = {
    asset: target.asset,
    partition: target.partition,
    deadline,
    deliveredAt,
    remainingMs: deliveredAt === null ? path.remainingMs : 0,
    expectedAt: deliveredAt === null ? now + path.remainingMs : null,
    criticalPath: deliveredAt === null ? path.steps : [],
    waitingFor: path.waitingFor,
    failed: path.failed,
    failedChecks,
  };
  if (deliveredAt !== null) {
    return deliveredAt <= deadline
      ? { ...base, state: 'met', marginMs: deadline - deliveredAt, reason: `delivered ${duration(deadline - deliveredAt)} before the deadline` }
      : { ...base, state: 'missed', marginMs: deadline - deliveredAt, reason: `delivered ${duration(deliveredAt - deadline)} after the deadline` };
  }
  const expectedAt = now + path.remainingMs;
  const blocker = blockedBy(path.failed, failedChecks);
  if (now > deadline) {
    return { ...base, state: 'missed', marginMs: deadline - now, reason: `not delivered ${duration(now - deadline)} after the deadline${blocker ? `; ${blocker}` : ''}` };
  }
  const marginMs = deadline - expectedAt;
  if (blocker) return { ...base, state: 'at-risk', marginMs, reason: blocker };
  if (expectedAt > deadline) {
    return { ...base, state: 'at-risk', marginMs, reason: `expected ${duration(expectedAt - deadline)} after the deadline: ${describePath(path.steps)}` };
  }
  if (path.waitingFor.length > 0) {
    return { ...base, state: 'pending', marginMs, reason: `waiting for ${list(path.waitingFor)}; the rest takes ${duration(path.remainingMs)}` };
  }
  return { ...base, state: 'on-track', marginMs, reason: `expected ${duration(marginMs)} before the deadline` };
}

function blockedBy(failed: readonly string[], failedChecks: readonly string[]): string | undefined {
  if (failedChecks.length > 0) return `checks failed on ${list(failedChecks)}`;
  if (failed.length > 0) return `failed: ${list(failed)}`;
  return undefined;
}

function describePath(steps: readonly CriticalStep[]): string {
  if (steps.length === 0) return 'no remaining step';
  return steps.map((step) => `${formatPartition(step.asset, step.partition)} ${duration(step.remainingMs)}${step.startedAt === null ? '' : ' (running)'}`).join(' -> ');
}

function list(items: readonly string[], most = 3): string {
  return items.length <= most ? items.join(', ') : `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}

/** `2h05m`, `45m`, `30s`: to the minute past an hour, to the second below. */
export function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
