// The daemon end to end on a real store and DuckDB: a schedule tick launches a queued run once, even
// across a restart, and catches up a missed tick; a landed file launches its run once; an eager
// downstream asset starts within a second of its upstream's success; a failure raises an alert that
// a webhook receives.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAlertManager,
  checkHeartbeats,
  createDaemon,
  cronSchedule,
  daemonHeartbeats,
  defineAsset,
  defineAutomation,
  defineDefinitions,
  defineSource,
  eager,
  fixedClock,
  landingSensor,
  startAutomation,
  timeWindows,
  webhookChannel,
} from '../../../framework/index.ts';
import { enqueueRun } from '../../../framework/automation/workers/enqueue.ts';
import { runQueued } from '../../../framework/automation/workers/run-queued.ts';
import { startWebhookReceiver } from '../../support/webhook-receiver.ts';
import { openTestEngine, type TestEngine } from '../../support/test-engine.ts';
import { storeKinds } from '../../support/test-stores.ts';

const days = timeWindows({ cadence: 'daily', timeZone: 'UTC', start: '2026-11-01', end: '2026-12-01' });
const definitions = defineDefinitions([
  defineSource({ key: 't/orders', partitions: days, location: { pattern: 'orders/{date}.csv' } }),
  defineAsset({ key: 't/clean', partitions: days, deps: [{ asset: 't/orders', as: 'raw' }], compute: 'select cast(id as bigint) as id, cast(qty as bigint) as qty from raw' }),
  defineAsset({ key: 't/summary', partitions: days, deps: ['t/clean'], compute: 'select count(*) as orders, sum(qty) as qty from clean', automation: eager() }),
]);
const t = (text: string) => Date.parse(text);

async function land(engine: TestEngine, date: string, rows: string): Promise<void> {
  const path = join(engine.landing, 'orders', `${date}.csv`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `id,qty\n${rows}\n`);
}

describe.each(storeKinds('test/framework/automation/daemon'))('the daemon, store on %s', (kind) => {
  let engine: TestEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('launches a schedule tick once across a restart, catches up a missed one, and records its heartbeat', async () => {
    const clock = fixedClock(t('2026-11-20T07:55:00Z'));
    engine = await openTestEngine({ definitions, store: kind, clock });
    for (const date of ['2026-11-19', '2026-11-20', '2026-11-21']) await land(engine, date, '1,10\n2,20');
    // 08:00 UTC daily, for the day before; `t/summary` is left to its condition.
    const nightly = cronSchedule({ name: 'nightly', cron: '0 8 * * *', selection: 't/clean', partitions: (at) => ({ partition: new Date(at - 86_400_000).toISOString().slice(0, 10) }) });
    const first = createDaemon({ engine, schedules: [nightly], name: 'daemon-a' });
    expect((await first.tick()).launched).toEqual([]);
    clock.set(t('2026-11-20T08:00:30Z'));
    const tick = await first.tick();
    expect(tick.launched.map((launch) => launch.by)).toEqual(['schedule:nightly']);
    const runId = tick.launched[0]!.runId;
    expect(await engine.store.getRun(runId)).toMatchObject({ trigger: 'schedule', triggeredBy: 'schedule:nightly', status: 'queued' });
    expect(await runQueued(engine, runId, { workers: 1 })).toMatchObject({ status: 'succeeded', byStatus: { succeeded: 1 } });
    expect((await engine.store.currentMaterializations('t/clean')).map((m) => m.partition)).toEqual(['2026-11-19']);

    // A restarted daemon: the same tick is not launched again.
    clock.set(t('2026-11-20T08:01:00Z'));
    const second = createDaemon({ engine, schedules: [nightly], name: 'daemon-b' });
    expect((await second.tick()).launched.filter((launch) => launch.by.startsWith('schedule'))).toEqual([]);
    // Down over the next 08:00: caught up on the next tick.
    clock.set(t('2026-11-21T09:30:00Z'));
    const caughtUp = await second.tick();
    expect(caughtUp.launched.map((launch) => launch.by)).toEqual(['schedule:nightly']);
    await runQueued(engine, caughtUp.launched[0]!.runId, { workers: 1 });
    expect((await engine.store.currentMaterializations('t/clean')).map((m) => m.partition).sort()).toEqual(['2026-11-19', '2026-11-20']);
    const beats = await daemonHeartbeats(engine.store);
    expect(beats.map((beat) => [beat.name, beat.heartbeatAt])).toEqual([
      ['daemon-b', t('2026-11-21T09:30:00Z')],
      ['daemon-a', t('2026-11-20T08:00:30Z')],
    ]);
  });

  it('alerts when a running daemon goes silent, from its peer and from a watcher, and resolves once it beats again', async () => {
    const clock = fixedClock(t('2026-11-20T08:00:00Z'));
    engine = await openTestEngine({ definitions, store: kind, clock });
    const alerts = createAlertManager({ store: engine.store });
    const a = createDaemon({ engine, name: 'daemon-a', alerts });
    const b = createDaemon({ engine, name: 'daemon-b', alerts });
    await a.tick();
    await b.tick();
    expect(await alerts.list({ state: 'firing' })).toEqual([]);

    // daemon-a crashed (its row still says running); three minutes on, daemon-b's tick notices.
    clock.set(t('2026-11-20T08:03:00Z'));
    await b.tick();
    const [silent] = await alerts.list({ state: 'firing' });
    expect(silent).toMatchObject({ key: 'daemon-heartbeat:daemon-a', kind: 'daemon-heartbeat', severity: 'critical' });
    expect(silent!.summary).toContain('daemon-a: no heartbeat for 3m');

    // With every daemon down, a worker's watcher keeps the alert open, and daemon-b's too.
    clock.set(t('2026-11-20T08:06:00Z'));
    const watched = await checkHeartbeats(engine.store, alerts);
    expect(watched.firing.map((alert) => alert.key).sort()).toEqual(['daemon-heartbeat:daemon-a', 'daemon-heartbeat:daemon-b']);

    // daemon-a is back: its tick beats, and it resolves daemon-b's alert only once daemon-b stops cleanly.
    await a.tick();
    expect((await alerts.list({ state: 'firing' })).map((alert) => alert.key)).toEqual(['daemon-heartbeat:daemon-b']);
    await b.stop();
    expect((await checkHeartbeats(engine.store, alerts)).firing).toEqual([]);
    expect(await alerts.list({ state: 'firing' })).toEqual([]);
  });

  it('launches the run of a landed file once, and the eager downstream condition after it', async () => {
    engine = await openTestEngine({ definitions, store: kind });
    const daemon = createDaemon({ engine, sensors: [landingSensor({ name: 'orders', sources: 't/orders' })] });
    expect((await daemon.tick()).launched).toEqual([]);
    await land(engine, '2026-11-18', '1,5\n2,7');
    const tick = await daemon.tick();
    expect(tick.launched.map((launch) => launch.by)).toEqual(['sensor:orders']);
    const sensed = await runQueued(engine, tick.launched[0]!.runId, { workers: 1 });
    // The sensor asks for the source's downstream: t/clean, and t/summary with it.
    expect(sensed).toMatchObject({ status: 'succeeded', byStatus: { succeeded: 2 } });
    // Nothing new: nothing launched, by the sensor or by the eager condition (t/summary is fresh).
    expect((await daemon.tick()).launched).toEqual([]);

    // t/clean of another day materialized on its own: with conditions only (no sensor to launch the
    // file's run first), t/summary follows on the next tick.
    await land(engine, '2026-11-19', '1,1');
    const upstream = await enqueueRun(engine, { selection: 't/clean', partitions: { partition: '2026-11-19' } });
    await runQueued(engine, upstream.run.id, { workers: 1 });
    const eagerTick = await createDaemon({ engine }).tick();
    const byConditions = eagerTick.launched.filter((launch) => launch.by === 'conditions');
    expect(byConditions).toHaveLength(1);
    const steps = await engine.store.listSteps(byConditions[0]!.runId);
    expect(steps.map((step) => `${step.asset}[${step.partition}]`)).toEqual(['t/summary[2026-11-19]']);
  });

  it('starts an eager downstream step within a second of its upstream step ending, with in-process workers', async () => {
    engine = await openTestEngine({ definitions, store: kind });
    for (const date of ['2026-11-10', '2026-11-11']) await land(engine, date, '1,3');
    const running = await startAutomation({ engine, automation: defineAutomation({ workers: 1 }), intervalMs: 60_000 });
    try {
      // Let the first tick settle (it requests nothing: t/clean has never run).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const latencies: number[] = [];
      for (const partition of ['2026-11-10', '2026-11-11']) {
        const upstream = await enqueueRun(engine, { selection: 't/clean', partitions: { partition } });
        const deadline = Date.now() + 20_000;
        let downstream;
        while (Date.now() < deadline) {
          downstream = (await engine.store.currentMaterializations('t/summary')).find((m) => m.partition === partition);
          if (downstream) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(downstream, `t/summary[${partition}] was materialized`).toBeDefined();
        const [up] = await engine.store.listSteps(upstream.run.id);
        const down = await engine.store.getStep(downstream!.stepId!);
        latencies.push(new Date(down!.startedAt!).getTime() - new Date(up!.finishedAt!).getTime());
      }
      for (const latency of latencies) expect(latency).toBeLessThan(1_000);
    } finally {
      await running.stop();
    }
  });

  it('starts the run of a landed file within a second of its landing, woken by the landing directory', async () => {
    engine = await openTestEngine({ definitions, store: kind });
    const sensor = landingSensor({ name: 'orders', sources: 't/orders' });
    const running = await startAutomation({ engine, automation: defineAutomation({ sensors: [sensor], workers: 1 }), intervalMs: 60_000 });
    try {
      // Let the first tick settle: it finds nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const landedAt = Date.now();
      await land(engine, '2026-11-12', '1,4');
      const deadline = Date.now() + 20_000;
      let clean;
      while (!clean && Date.now() < deadline) {
        clean = (await engine.store.currentMaterializations('t/clean', { partitions: ['2026-11-12'] }))[0];
        if (!clean) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(clean, 't/clean[2026-11-12] was materialized').toBeDefined();
      const step = await engine.store.getStep(clean!.stepId!);
      expect(new Date(step!.startedAt!).getTime() - landedAt).toBeLessThan(1_000);
    } finally {
      await running.stop();
    }
  });

  it('raises an alert for a step that failed after its last retry, delivered to a webhook, once', async () => {
    const receiver = await startWebhookReceiver();
    try {
      engine = await openTestEngine({ definitions, store: kind, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
      await land(engine, '2026-11-12', 'not,a,valid\nrow');
      const alerts = createAlertManager({ store: engine.store, channels: [webhookChannel({ url: receiver.url })] });
      const daemon = createDaemon({ engine, alerts });
      const run = await enqueueRun(engine, { selection: 't/clean', partitions: { partition: '2026-11-12' } });
      expect((await runQueued(engine, run.run.id, { workers: 1 })).status).toBe('failed');
      expect((await daemon.tick()).alerts.firing).toBe(1);
      await receiver.waitFor(1);
      expect(JSON.stringify(receiver.requests[0]!.body)).toContain('t/clean');
      await daemon.tick();
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
