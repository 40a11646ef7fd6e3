// Rules: conditions that hold now, as alerts. Each returns the alerts of its kinds; `applyAlerts` fires
// them and resolves the open alerts of those kinds that are no longer among them.
import { formatPartition } from '../planner/explain.ts';
import type { AlertInput, AlertKind, AlertRecord } from './alert.ts';
import type { AlertManager } from './alert-manager.ts';
import type { PartitionFailure } from './partition-failures.ts';
import { duration, type SlaPrediction } from './sla-risk.ts';

/** The kinds each rule reports: `applyAlerts` resolves open alerts of these kinds that a rule no longer reports. */
export const RULE_KINDS = {
  failures: ['step-failed', 'check-failed'],
  slas: ['sla-at-risk', 'sla-missed'],
  queues: ['queue-depth'],
  heartbeat: ['daemon-heartbeat'],
} as const satisfies Record<string, readonly AlertKind[]>;

/** Step failed after its last retry (`step-failed`), or stopped by a blocking check (`check-failed`); one alert per partition. */
export function failureAlerts(failures: readonly PartitionFailure[]): AlertInput[] {
  return failures.map((failure) => {
    const name = formatPartition(failure.asset, failure.partition);
    const blocked = failure.status === 'blocked-by-check';
    const checks = failure.checks.map((check) => check.name).join(', ');
    return {
      key: `${blocked ? 'check-failed' : 'step-failed'}:${name}`,
      kind: blocked ? 'check-failed' : 'step-failed',
      severity: 'critical',
      asset: failure.asset,
      partition: failure.partition,
      summary: blocked
        ? `${name}: blocking check${failure.checks.length === 1 ? '' : 's'} ${checks || '(unknown)'} failed; not published`
        : `${name} failed after ${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}: ${firstLine(failure.message)}`,
      details: {
        runId: failure.runId,
        stepId: failure.stepId,
        attempts: failure.attempts,
        failedAt: failure.failedAt === null ? null : new Date(failure.failedAt).toISOString(),
        message: failure.message,
        checks: failure.checks.map((check) => ({ name: check.name, message: check.message })),
      },
    };
  });
}

/**
 * `sla-at-risk` (warning) and `sla-missed` (critical), one alert per asset partition under its key
 * `sla:asset[partition]`: a miss after a warning escalates the same alert rather than opening another.
 */
export function slaAlerts(predictions: readonly SlaPrediction[]): AlertInput[] {
  return predictions
    .filter((p) => p.state === 'at-risk' || p.state === 'missed')
    .map((p) => {
      const name = formatPartition(p.asset, p.partition);
      const deadline = new Date(p.deadline).toISOString();
      const missed = p.state === 'missed';
      return {
        key: `sla:${name}`,
        kind: missed ? 'sla-missed' : 'sla-at-risk',
        severity: missed ? 'critical' : 'warning',
        asset: p.asset,
        partition: p.partition,
        summary: `${name} ${missed ? 'missed' : 'is at risk of missing'} its SLA (${deadline}): ${p.reason}`,
        details: {
          deadline,
          state: p.state,
          marginMs: p.marginMs,
          expectedAt: p.expectedAt === null ? null : new Date(p.expectedAt).toISOString(),
          deliveredAt: p.deliveredAt === null ? null : new Date(p.deliveredAt).toISOString(),
          remainingMs: p.remainingMs,
          criticalPath: p.criticalPath.map((step) => ({
            asset: step.asset,
            partition: step.partition,
            expectedMs: step.expectedMs,
            remainingMs: step.remainingMs,
            basis: step.basis,
            running: step.startedAt !== null,
          })),
          waitingFor: [...p.waitingFor],
          failed: [...p.failed],
          failedChecks: [...p.failedChecks],
        },
      };
    });
}

/** The waiting steps of one pool, as the work queue counts them. */
export interface QueueDepth {
  readonly pool: string;
  readonly waiting: number;
  /** How long the oldest waiting step has waited; 0 when none waits. */
  readonly oldestWaitingMs: number;
}

export interface QueueThresholds {
  /** More waiting steps than this in a pool alerts. */
  maxWaiting?: number;
  /** A step waiting longer than this alerts. */
  maxOldestWaitingMs?: number;
  /** Per pool, overriding the two above. */
  pools?: Readonly<Record<string, { maxWaiting?: number; maxOldestWaitingMs?: number }>>;
}

/** `queue-depth` per pool whose waiting steps exceed the threshold or whose oldest has waited too long. */
export function queueDepthAlerts(queues: readonly QueueDepth[], { maxWaiting = 100, maxOldestWaitingMs = 15 * 60_000, pools = {} }: QueueThresholds = {}): AlertInput[] {
  const alerts: AlertInput[] = [];
  for (const queue of queues) {
    const limits = { maxWaiting: pools[queue.pool]?.maxWaiting ?? maxWaiting, maxOldestWaitingMs: pools[queue.pool]?.maxOldestWaitingMs ?? maxOldestWaitingMs };
    const reasons = [
      ...(queue.waiting > limits.maxWaiting ? [`${queue.waiting} steps waiting (limit ${limits.maxWaiting})`] : []),
      ...(queue.oldestWaitingMs > limits.maxOldestWaitingMs ? [`the oldest has waited ${duration(queue.oldestWaitingMs)} (limit ${duration(limits.maxOldestWaitingMs)})`] : []),
    ];
    if (reasons.length === 0) continue;
    alerts.push({
      key: `queue-depth:${queue.pool}`,
      kind: 'queue-depth',
      severity: 'warning',
      summary: `pool ${queue.pool}: ${reasons.join('; ')}`,
      details: { pool: queue.pool, waiting: queue.waiting, oldestWaitingMs: queue.oldestWaitingMs, ...limits },
    });
  }
  return alerts;
}

export interface HeartbeatCheck {
  /** The daemon's last heartbeat (epoch ms); undefined when it never beat. */
  lastHeartbeat: number | undefined;
  now: number;
  /** Silence longer than this alerts. */
  maxSilenceMs?: number;
  /** Which daemon, for the key and message. */
  daemon?: string;
}

/** `daemon-heartbeat` when the daemon has been silent too long (or never beat). */
export function heartbeatAlerts({ lastHeartbeat, now, maxSilenceMs = 2 * 60_000, daemon = 'daemon' }: HeartbeatCheck): AlertInput[] {
  if (lastHeartbeat !== undefined && now - lastHeartbeat <= maxSilenceMs) return [];
  return [
    {
      key: `daemon-heartbeat:${daemon}`,
      kind: 'daemon-heartbeat',
      severity: 'critical',
      summary:
        lastHeartbeat === undefined
          ? `${daemon}: no heartbeat recorded`
          : `${daemon}: no heartbeat for ${duration(now - lastHeartbeat)} (limit ${duration(maxSilenceMs)}), last at ${new Date(lastHeartbeat).toISOString()}`,
      details: { daemon, lastHeartbeat: lastHeartbeat === undefined ? null : new Date(lastHeartbeat).toISOString(), maxSilenceMs },
    },
  ];
}

/** Fires the alerts a rule reports and resolves the open alerts of its kinds that it no longer reports. */
export async function applyAlerts(manager: AlertManager, kinds: readonly AlertKind[], alerts: readonly AlertInput[]): Promise<{ firing: AlertRecord[]; resolved: AlertRecord[] }> {
  const firing: AlertRecord[] = [];
  for (const alert of alerts) firing.push(await manager.fire(alert));
  const resolved = await manager.reconcile(kinds, alerts.map((alert) => alert.key));
  return { firing, resolved };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
