import type { JsonObject } from '../store/schema.ts';

export const ALERT_KINDS = ['step-failed', 'check-failed', 'sla-at-risk', 'sla-missed', 'queue-depth', 'daemon-heartbeat'] as const;
/** What an alert is about. */
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
/** How urgent an alert is; an alert whose severity rises is notified again. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Whether an alert's condition still holds. */
export type AlertState = 'firing' | 'resolved';

/** What happened to an alert, as kept in its history (`alert_events`). */
export type AlertEventName = 'fired' | 'repeated' | 'escalated' | 'resolved' | 'notified' | 'notify-failed';

/** A condition that holds now, as a rule reports it: `fire()` opens an alert for it or updates the open one. */
export interface AlertInput {
  /** Identifies the condition, e.g. `sla:weekly/quality[2026-11-22]`; one open alert per key. */
  readonly key: string;
  readonly kind: AlertKind;
  readonly severity?: AlertSeverity;
  readonly asset?: string | undefined;
  readonly partition?: string | undefined;
  /** One line for humans, e.g. `weekly/quality[2026-11-22] is at risk: expected 23:40, deadline 23:59`. */
  readonly summary: string;
  readonly details?: JsonObject;
}

/** A stored alert. */
export interface AlertRecord {
  readonly id: string;
  readonly key: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly asset: string | null;
  readonly partition: string | null;
  readonly summary: string;
  readonly details: JsonObject;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly resolvedAt: Date | null;
  /** Notifications sent for it: when it fired, escalated and resolved. */
  readonly notifyCount: number;
}

/** One entry of an alert's history. */
export interface AlertEventRecord {
  readonly id: number;
  readonly alertId: string;
  readonly at: Date;
  readonly event: AlertEventName;
  /** The channel, for `notified` and `notify-failed`. */
  readonly channel: string | null;
  readonly error: string | null;
  readonly details: JsonObject;
}

/** What channels deliver: an alert that fired, got worse, or resolved. */
export interface AlertNotification {
  readonly event: 'fired' | 'escalated' | 'resolved';
  readonly alert: AlertRecord;
  /** One line, e.g. `[FIRING critical] SLA missed: weekly/quality[2026-11-22] …`. */
  readonly title: string;
}

/**
 * Where notifications go: a plug-in of one method, one file per implementation
 * (`webhookChannel`, `smtpChannel`). `send` rejects when delivery failed; the alert manager records
 * that in the alert's history and never lets it reach the caller.
 */
export interface AlertChannel {
  /** Names the channel in the alert history, e.g. `webhook` or `smtp:ops@example.com`. */
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
}

/** The title of a notification: state, severity and summary on one line. */
export function notificationTitle(event: AlertNotification['event'], alert: Pick<AlertRecord, 'severity' | 'summary'>): string {
  const label = event === 'resolved' ? 'RESOLVED' : 'FIRING';
  return `[${label} ${alert.severity}] ${alert.summary}`;
}

/** An alert as JSON (dates as ISO text): what a webhook's payload and the server's API carry. */
export function alertJson(alert: AlertRecord) {
  return {
    id: alert.id,
    key: alert.key,
    kind: alert.kind,
    severity: alert.severity,
    state: alert.state,
    asset: alert.asset,
    partition: alert.partition,
    summary: alert.summary,
    details: alert.details,
    firstSeen: alert.firstSeen.toISOString(),
    lastSeen: alert.lastSeen.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}
