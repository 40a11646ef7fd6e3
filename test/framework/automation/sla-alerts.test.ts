import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertManager, type AlertManager } from '../../../framework/automation/alert-manager.ts';
import { webhookChannel } from '../../../framework/automation/channels/webhook.ts';
import { checkAlerts } from '../../../framework/automation/check-alerts.ts';
import { readPartitionFailures } from '../../../framework/automation/partition-failures.ts';
import { readStepDurations } from '../../../framework/automation/step-durations.ts';
import { defineAsset, defineDefinitions, fixedClock, timeWindows } from '../../../framework/index.ts';
import type { MetadataStore } from '../../../framework/store/store.ts';
import { pgliteHarness, postgresHarness, testDatabaseUrl, type StoreHarness } from '../../support/store-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const MINUTE = 60_000;
const t = (text: string): number => Date.parse(text);
const url = testDatabaseUrl();
const harnesses: StoreHarness[] = [pgliteHarness(), ...(url === undefined ? [] : [postgresHarness(url)])];

// The weekly quality job: Sunday-to-Saturday weeks, due the Tuesday after at 23:59 UTC.
const weeks = timeWindows({ cadence: 'weekly', start: '2026-10-04', end: '2027-01-03' });
const definitions = defineDefinitions([
  defineAsset({ key: 'weekly/raw', partitions: weeks, compute: 'select 1' }),
  defineAsset({
    key: 'weekly/quality',
    partitions: weeks,
    deps: ['weekly/raw'],
    compute: 'select 1',
    checks: [],
    sla: { deadline: '23:59', tz: 'UTC', partition: 'previousWeek', weekday: 2 },
  }),
]);
const WEEK = '2026-11-22';
const DEADLINE = t('2026-12-01T23:59:00Z');

for (const harness of harnesses) {
  describe(`SLA and failure alerts on ${harness.name}`, () => {
    afterAll(() => harness.cleanup());
    const clock = fixedClock(t('2026-10-01T00:00:00Z'));
    let store: MetadataStore;
    let receiver: WebhookReceiver;
    let alerts: AlertManager;
    beforeEach(async () => {
      clock.set(t('2026-10-01T00:00:00Z'));
      store = await harness.open({ clock });
      receiver = await startWebhookReceiver();
      alerts = createAlertManager({ store, channels: [webhookChannel({ url: receiver.url })] });
    });
    afterEach(async () => {
      await receiver.close();
      await store.close();
    });

    /** Starts a step of its own run at `at`; returns its id. */
    const start = async (asset: string, partition: string, at: number): Promise<string> => {
      clock.set(at);
      const { steps } = await store.createRun({ selection: asset, steps: [{ asset, partition }] });
      await store.updateStep({ stepId: steps[0]!.id, status: 'running', worker: 'test' });
      return steps[0]!.id;
    };
    const succeed = async (stepId: string, at: number): Promise<void> => {
      clock.set(at);
      await store.recordSuccess({ stepId, dataVersion: `v-${stepId}` });
    };
    /** A step that ran `minutes` and succeeded, on the Monday after its week. */
    const history = async (asset: string, partition: string, minutes: number): Promise<void> => {
      const begin = t(`${partition}T00:00:00Z`) + 8 * 24 * 60 * MINUTE;
      await succeed(await start(asset, partition, begin), begin + minutes * MINUTE);
    };
    const check = () => checkAlerts({ store, definitions, alerts });

    it('takes the p50 and p90 of recent successful step durations', async () => {
      for (const [partition, minutes] of [['2026-10-18', 100], ['2026-10-25', 110], ['2026-11-01', 200], ['2026-11-08', 130], ['2026-11-15', 120]] as const) {
        await history('weekly/raw', partition, minutes);
      }
      const durations = await readStepDurations(store);
      // 100, 110, 120, 130, 200: p50 is 120; p90 sits 0.6 of the way from 130 to 200.
      expect(durations.get('weekly/raw')).toEqual({ asset: 'weekly/raw', p50Ms: 120 * MINUTE, p90Ms: 172 * MINUTE, samples: 5 });
      const recent = await readStepDurations(store, { samples: 2 });
      // The two most recent: 130 and 120.
      expect(recent.get('weekly/raw')).toMatchObject({ p50Ms: 125 * MINUTE, p90Ms: 129 * MINUTE, samples: 2 });
    });

    it('fires an at-risk alert before the deadline when a step runs slow, once, and resolves it when the work catches up', async () => {
      for (const [partition, minutes] of [['2026-10-18', 100], ['2026-10-25', 110], ['2026-11-01', 200], ['2026-11-08', 130], ['2026-11-15', 120]] as const) {
        await history('weekly/raw', partition, minutes);
      }
      for (const partition of ['2026-11-01', '2026-11-08', '2026-11-15']) await history('weekly/quality', partition, 360);

      // Tuesday 10:00: raw starts; raw's p90 (172m) then quality's (360m) end at 18:52, before 23:59.
      const raw = await start('weekly/raw', WEEK, t('2026-12-01T10:00:00Z'));
      const onTime = await check();
      expect(onTime.predictions).toHaveLength(1);
      expect(onTime.predictions[0]).toMatchObject({ asset: 'weekly/quality', partition: WEEK, deadline: DEADLINE, state: 'on-track', remainingMs: 532 * MINUTE });
      expect(onTime.firing).toEqual([]);

      // 13:00: raw is 8 minutes past its p90; 8m more, then quality: 19:08, still on track.
      clock.set(t('2026-12-01T13:00:00Z'));
      expect((await check()).predictions[0]).toMatchObject({ state: 'on-track', remainingMs: (8 + 360) * MINUTE });
      expect(receiver.requests).toHaveLength(0);

      // 16:00: raw has overrun by 188m; expected end 01:08 Wednesday. The alert fires now, 8 hours before the deadline.
      clock.set(t('2026-12-01T16:00:00Z'));
      const risky = await check();
      expect(risky.predictions[0]).toMatchObject({ state: 'at-risk', remainingMs: (188 + 360) * MINUTE, marginMs: -69 * MINUTE });
      expect(risky.firing.map((alert) => [alert.key, alert.kind, alert.severity])).toEqual([['sla:weekly/quality[2026-11-22]', 'sla-at-risk', 'warning']]);
      await receiver.waitFor(1);
      expect(store.now()).toBeLessThan(DEADLINE);
      const payload = receiver.requests[0]!.body;
      expect(payload.text).toBe(
        '[FIRING warning] weekly/quality[2026-11-22] is at risk of missing its SLA (2026-12-01T23:59:00.000Z): expected 1h09m after the deadline: weekly/raw[2026-11-22] 3h08m (running) -> weekly/quality[2026-11-22] 6h00m',
      );
      expect(payload.daybook).toMatchObject({
        event: 'fired',
        kind: 'sla-at-risk',
        asset: 'weekly/quality',
        partition: WEEK,
        details: {
          deadline: '2026-12-01T23:59:00.000Z',
          expectedAt: '2026-12-02T01:08:00.000Z',
          marginMs: -69 * MINUTE,
          criticalPath: [
            { asset: 'weekly/raw', partition: WEEK, expectedMs: 172 * MINUTE, remainingMs: 188 * MINUTE, basis: 'p90', running: true },
            { asset: 'weekly/quality', partition: WEEK, expectedMs: 360 * MINUTE, remainingMs: 360 * MINUTE, basis: 'p90', running: false },
          ],
        },
      });

      // 16:05: still at risk; the open alert is updated, nobody is told twice.
      clock.set(t('2026-12-01T16:05:00Z'));
      expect((await check()).firing).toHaveLength(1);
      expect(receiver.requests).toHaveLength(1);

      // 16:30 raw ends and quality starts: 360m of work ends at 22:30, in time. Resolved, and told so.
      await succeed(raw, t('2026-12-01T16:30:00Z'));
      const quality = await start('weekly/quality', WEEK, t('2026-12-01T16:30:00Z'));
      clock.set(t('2026-12-01T16:31:00Z'));
      const caughtUp = await check();
      expect(caughtUp.predictions[0]).toMatchObject({ state: 'on-track', marginMs: 89 * MINUTE });
      expect(caughtUp.resolved.map((alert) => alert.key)).toEqual(['sla:weekly/quality[2026-11-22]']);
      expect(receiver.requests.map((request) => (request.body.daybook as { event: string }).event)).toEqual(['fired', 'resolved']);

      await succeed(quality, t('2026-12-01T22:30:00Z'));
      const met = await check();
      expect(met.predictions[0]).toMatchObject({ state: 'met', marginMs: 89 * MINUTE, deliveredAt: t('2026-12-01T22:30:00Z') });
      expect(await alerts.list({ state: 'firing' })).toEqual([]);
    });

    it('escalates to missed when the deadline passes undelivered', async () => {
      await history('weekly/quality', '2026-11-15', 360);
      clock.set(t('2026-12-01T20:00:00Z'));
      // No history for raw and no estimate: raw counts nothing, quality its 360m; 02:00 Wednesday is late.
      expect((await check()).firing.map((alert) => alert.kind)).toEqual(['sla-at-risk']);
      clock.set(t('2026-12-02T00:30:00Z'));
      const late = await check();
      expect(late.predictions[0]).toMatchObject({ state: 'missed', marginMs: -31 * MINUTE });
      expect(late.firing.map((alert) => [alert.kind, alert.severity])).toEqual([['sla-missed', 'critical']]);
      expect(receiver.requests.map((request) => (request.body.daybook as { event: string }).event)).toEqual(['fired', 'escalated']);
    });

    it('alerts on a step that failed after its last retry and on a blocking check, and resolves both once materialized', async () => {
      const raw = await start('weekly/raw', '2026-11-15', t('2026-11-23T01:00:00Z'));
      await store.recordFailure({ stepId: raw, status: 'pending', error: { message: 'connection reset' } });
      // Waiting for its retry: not an alert yet.
      expect(await readPartitionFailures(store)).toEqual([]);
      await store.updateStep({ stepId: raw, status: 'running' });
      await store.recordFailure({ stepId: raw, error: { message: 'connection reset\n  at socket.ts:12' } });

      const quality = await start('weekly/quality', '2026-11-08', t('2026-11-23T02:00:00Z'));
      await store.recordCheckResults([
        { stepId: quality, asset: 'weekly/quality', partition: '2026-11-08', check: 'row_count', severity: 'error', blocking: true, passed: false, message: '0 rows, expected at least 1' },
        { stepId: quality, asset: 'weekly/quality', partition: '2026-11-08', check: 'not_null', severity: 'warn', blocking: false, passed: false, message: '2 nulls' },
      ]);
      await store.recordFailure({ stepId: quality, status: 'blocked-by-check', error: { message: 'blocking check row_count failed' } });

      const { firing } = await check();
      expect(firing.map((alert) => [alert.key, alert.kind, alert.summary])).toEqual([
        ['check-failed:weekly/quality[2026-11-08]', 'check-failed', 'weekly/quality[2026-11-08]: blocking check row_count failed; not published'],
        ['step-failed:weekly/raw[2026-11-15]', 'step-failed', 'weekly/raw[2026-11-15] failed after 2 attempts: connection reset'],
        // The week of 11-15 is due Tuesday 11-24, and what it needs failed for good.
        ['sla:weekly/quality[2026-11-15]', 'sla-at-risk', 'weekly/quality[2026-11-15] is at risk of missing its SLA (2026-11-24T23:59:00.000Z): failed: weekly/raw[2026-11-15]'],
      ]);
      expect(firing[0]!.details).toMatchObject({ stepId: quality, checks: [{ name: 'row_count', message: '0 rows, expected at least 1' }] });
      expect(receiver.requests).toHaveLength(3);

      await succeed(await start('weekly/raw', '2026-11-15', t('2026-11-23T03:00:00Z')), t('2026-11-23T03:10:00Z'));
      const { resolved } = await check();
      expect(resolved.map((alert) => alert.key)).toEqual(['step-failed:weekly/raw[2026-11-15]', 'sla:weekly/quality[2026-11-15]']);
      expect((await alerts.list({ state: 'firing' })).map((alert) => alert.key)).toEqual(['check-failed:weekly/quality[2026-11-08]']);
    });
  });
}
