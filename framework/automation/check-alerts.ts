import type { Definitions } from '../definitions/definitions.ts';
import type { Calendar } from '../partitions/calendar.ts';
import type { MetadataStore } from '../store/store.ts';
import type { AlertRecord } from './alert.ts';
import type { AlertManager } from './alert-manager.ts';
import { applyAlerts, failureAlerts, queueDepthAlerts, RULE_KINDS, slaAlerts, type QueueDepth, type QueueThresholds } from './alert-rules.ts';
import { checkHeartbeats } from './heartbeat-watch.ts';
import { readPartitionFailures } from './partition-failures.ts';
import { evaluateSlas, type EvaluateSlasOptions } from './sla-monitor.ts';
import type { SlaPrediction } from './sla-risk.ts';

export interface CheckAlertsOptions {
  store: MetadataStore;
  definitions: Definitions;
  alerts: AlertManager;
  calendars?: readonly Calendar[];
  /** SLA prediction settings (targets, lookback, horizon, samples). */
  sla?: Pick<EvaluateSlasOptions, 'targets' | 'lookbackMs' | 'horizonMs' | 'minSamples' | 'samples'>;
  /** Waiting steps per pool, from the work queue; without them the queue rule does not run (and resolves nothing). */
  queues?: readonly QueueDepth[];
  queueThresholds?: QueueThresholds;
  /** Run the heartbeat rule over every daemon's row (see heartbeat-watch.ts); without it the rule does not run. */
  heartbeat?: { maxSilenceMs?: number };
}

/** One evaluation of every rule. */
export interface AlertCheck {
  readonly predictions: readonly SlaPrediction[];
  /** Alerts firing after this check (new or still open). */
  readonly firing: readonly AlertRecord[];
  /** Alerts this check resolved. */
  readonly resolved: readonly AlertRecord[];
}

/**
 * Runs every alert rule once against the store, at the store's now: failed steps and blocking
 * checks, SLA risk and misses, and, when asked, queue depth and silent daemons' heartbeats. What the daemon calls on each tick.
 *
 * @example
 * const alerts = createAlertManager({ store, channels });
 * const { predictions, firing } = await checkAlerts({ store, definitions, alerts, calendars: [xnys()], queues: await queue.depths() });
 */
export async function checkAlerts({ store, definitions, alerts, calendars = [], sla = {}, queues, queueThresholds, heartbeat }: CheckAlertsOptions): Promise<AlertCheck> {
  const firing: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  const apply = async (outcome: Promise<{ firing: AlertRecord[]; resolved: AlertRecord[] }>) => {
    const { firing: fired, resolved: cleared } = await outcome;
    firing.push(...fired);
    resolved.push(...cleared);
  };
  await apply(applyAlerts(alerts, RULE_KINDS.failures, failureAlerts(await readPartitionFailures(store))));
  const predictions = await evaluateSlas({ store, definitions, calendars, ...sla });
  await apply(applyAlerts(alerts, RULE_KINDS.slas, slaAlerts(predictions)));
  if (queues !== undefined) await apply(applyAlerts(alerts, RULE_KINDS.queues, queueDepthAlerts(queues, queueThresholds)));
  if (heartbeat !== undefined) await apply(checkHeartbeats(store, alerts, heartbeat.maxSilenceMs));
  return { predictions, firing, resolved };
}
