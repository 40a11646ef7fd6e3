import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertChannel, AlertNotification } from '../../../framework/automation/alert.ts';
import { createAlertManager } from '../../../framework/automation/alert-manager.ts';
import { applyAlerts, heartbeatAlerts, queueDepthAlerts } from '../../../framework/automation/alert-rules.ts';
import { webhookChannel } from '../../../framework/automation/channels/webhook.ts';
import { fixedClock } from '../../../framework/index.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import { pgliteHarness, postgresHarness, testDatabaseUrl, type StoreHarness } from '../../support/store-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const t = (text: string): number => Date.parse(text);
const url = testDatabaseUrl();
const harnesses: StoreHarness[] = [pgliteHarness(), ...(url === undefined ? [] : [postgresHarness(url)])];

/** A channel that always fails, as an unreachable mail server would. */
const broken: AlertChannel = {
  name: 'smtp:oncall@example.com',
  send: () => Promise.reject(new Error('smtp 127.0.0.1:1: cannot connect: connect ECONNREFUSED 127.0.0.1:1')),
};

const event = (request: { body: Record<string, unknown> }) => (request.body.daybook as { event: string }).event;

for (const harness of harnesses) {
  describe(`alert manager on ${harness.name}`, () => {
    afterAll(() => harness.cleanup());
    const clock = fixedClock(t('2026-12-01T16:00:00Z'));
    let store: MetadataStore;
    let receiver: WebhookReceiver;
    beforeEach(async () => {
      clock.set(t('2026-12-01T16:00:00Z'));
      store = await harness.open({ clock });
      receiver = await startWebhookReceiver();
    });
    afterEach(async () => {
      await receiver.close();
      await store.close();
    });

    it('notifies once when the same condition fires twice, and keeps one open alert updated', async () => {
      const alerts = createAlertManager({ store, channels: [webhookChannel({ url: receiver.url })] });
      const first = await alerts.fire({ key: 'queue-depth:redshift', kind: 'queue-depth', summary: 'pool redshift: 240 steps waiting' });
      clock.set(t('2026-12-01T16:01:00Z'));
      const second = await alerts.fire({ key: 'queue-depth:redshift', kind: 'queue-depth', summary: 'pool redshift: 260 steps waiting' });
      expect(receiver.requests.map(event)).toEqual(['fired']);
      expect(second).toMatchObject({ id: first.id, state: 'firing', severity: 'warning', summary: 'pool redshift: 260 steps waiting', notifyCount: 1 });
      expect(second.firstSeen.toISOString()).toBe('2026-12-01T16:00:00.000Z');
      expect(second.lastSeen.toISOString()).toBe('2026-12-01T16:01:00.000Z');
      expect((await alerts.history(first.id)).map((entry) => [entry.event, entry.channel])).toEqual([
        ['fired', null],
        ['notified', 'webhook'],
        ['repeated', null],
      ]);
      expect(await alerts.list({ state: 'firing' })).toHaveLength(1);
    });

    it('notifies the resolution, and a condition that comes back opens a new alert', async () => {
      const alerts = createAlertManager({ store, channels: [webhookChannel({ url: receiver.url })] });
      const opened = await alerts.fire({ key: 'daemon-heartbeat:daemon', kind: 'daemon-heartbeat', severity: 'critical', summary: 'daemon: no heartbeat for 3m' });
      clock.set(t('2026-12-01T16:05:00Z'));
      const resolved = await alerts.resolve('daemon-heartbeat:daemon');
      expect(resolved).toMatchObject({ id: opened.id, state: 'resolved', notifyCount: 2 });
      expect(resolved!.resolvedAt!.toISOString()).toBe('2026-12-01T16:05:00.000Z');
      expect(await alerts.resolve('daemon-heartbeat:daemon')).toBeUndefined();
      expect(receiver.requests.map(event)).toEqual(['fired', 'resolved']);
      expect((receiver.requests[1]!.body.daybook as { resolvedAt: string }).resolvedAt).toBe('2026-12-01T16:05:00.000Z');
      expect(receiver.requests[1]!.body.text).toBe('[RESOLVED critical] daemon: no heartbeat for 3m');

      const again = await alerts.fire({ key: 'daemon-heartbeat:daemon', kind: 'daemon-heartbeat', severity: 'critical', summary: 'daemon: no heartbeat for 2m' });
      expect(again.id).not.toBe(opened.id);
      expect(receiver.requests.map(event)).toEqual(['fired', 'resolved', 'fired']);
      expect((await alerts.list()).map((alert) => alert.state)).toEqual(['firing', 'resolved']);
    });

    it('notifies again when an alert escalates: at risk, then missed', async () => {
      const alerts = createAlertManager({ store, channels: [webhookChannel({ url: receiver.url })] });
      const key = 'sla:weekly/quality[2026-11-22]';
      await alerts.fire({ key, kind: 'sla-at-risk', severity: 'warning', asset: 'weekly/quality', partition: '2026-11-22', summary: 'at risk' });
      await alerts.fire({ key, kind: 'sla-at-risk', severity: 'warning', summary: 'at risk' });
      const missed = await alerts.fire({ key, kind: 'sla-missed', severity: 'critical', summary: 'missed' });
      expect(missed).toMatchObject({ kind: 'sla-missed', severity: 'critical', asset: 'weekly/quality', partition: '2026-11-22', notifyCount: 2 });
      expect(receiver.requests.map(event)).toEqual(['fired', 'escalated']);
      expect((await alerts.history(missed.id)).map((entry) => entry.event)).toEqual(['fired', 'notified', 'escalated', 'notified']);
    });

    it('records a failed delivery per channel and never throws it, while other channels deliver', async () => {
      const alerts = createAlertManager({ store, channels: [broken, webhookChannel({ url: receiver.url })] });
      const alert = await alerts.fire({ key: 'step-failed:weekly/raw[2026-11-22]', kind: 'step-failed', severity: 'critical', summary: 'weekly/raw[2026-11-22] failed after 3 attempts' });
      expect(alert.notifyCount).toBe(1);
      const history = await alerts.history(alert.id);
      expect(history.map((entry) => [entry.event, entry.channel, entry.error])).toEqual([
        ['fired', null, null],
        ['notify-failed', 'smtp:oncall@example.com', 'smtp 127.0.0.1:1: cannot connect: connect ECONNREFUSED 127.0.0.1:1'],
        ['notified', 'webhook', null],
      ]);
    });

    it('reconciles a kind: resolves its open alerts whose condition cleared, and leaves other kinds alone', async () => {
      const alerts = createAlertManager({ store });
      const thresholds = { maxWaiting: 100, maxOldestWaitingMs: 10 * 60_000 };
      await applyAlerts(alerts, ['queue-depth'], queueDepthAlerts([
        { pool: 'redshift', waiting: 240, oldestWaitingMs: 60_000 },
        { pool: 'duckdb', waiting: 3, oldestWaitingMs: 20 * 60_000 },
        { pool: 'default', waiting: 0, oldestWaitingMs: 0 },
      ], thresholds));
      await applyAlerts(alerts, ['daemon-heartbeat'], heartbeatAlerts({ lastHeartbeat: t('2026-12-01T15:55:00Z'), now: store.now() }));
      expect((await alerts.list({ state: 'firing' })).map((alert) => alert.summary).sort()).toEqual([
        'daemon: no heartbeat for 5m (limit 2m), last at 2026-12-01T15:55:00.000Z',
        'pool duckdb: the oldest has waited 20m (limit 10m)',
        'pool redshift: 240 steps waiting (limit 100)',
      ]);

      clock.set(t('2026-12-01T16:10:00Z'));
      const { resolved } = await applyAlerts(alerts, ['queue-depth'], queueDepthAlerts([{ pool: 'redshift', waiting: 150, oldestWaitingMs: 0 }], thresholds));
      expect(resolved.map((alert) => alert.key)).toEqual(['queue-depth:duckdb']);
      expect((await alerts.list({ state: 'firing' })).map((alert) => alert.key).sort()).toEqual(['daemon-heartbeat:daemon', 'queue-depth:redshift']);
      expect(heartbeatAlerts({ lastHeartbeat: t('2026-12-01T16:09:30Z'), now: store.now() })).toEqual([]);
    });

    it('keeps one open alert per key when two callers fire it at once', async () => {
      const delivered: AlertNotification[] = [];
      const alerts = createAlertManager({ store, channels: [{ name: 'memory', send: async (n) => void delivered.push(n) }] });
      const fired = await Promise.all(Array.from({ length: 5 }, () => alerts.fire({ key: 'queue-depth:pool', kind: 'queue-depth', summary: 'deep' })));
      expect(new Set(fired.map((alert) => alert.id)).size).toBe(1);
      expect(delivered.map((n) => n.event)).toEqual(['fired']);
    });
  });
}
