// Latency measurements shared by the automation and worker benchmarks: upstream-to-downstream (an
// upstream step's end to the start of the downstream step its `eager()` condition requests) and
// schedule-to-start (a schedule tick's instant to its step's start). Times are the store's step timestamps.
import { cronSchedule, defineAsset, eager, staticKeys, type Engine } from '../../framework/index.ts';

/** Partitions of `bench/up` and `bench/down`: enough for warm-up, measured rounds and the polling baseline. */
export const LATENCY_KEYS = Array.from({ length: 400 }, (_, i) => `p${String(i).padStart(4, '0')}`);

/** `bench/up`, its eager `bench/down`, and `bench/ticked` with a partition per second of the minute. */
export const latencyAssets = () => [
  defineAsset({ key: 'bench/up', partitions: staticKeys(LATENCY_KEYS), compute: 'select 1 as x' }),
  defineAsset({ key: 'bench/down', partitions: staticKeys(LATENCY_KEYS), deps: ['bench/up'], compute: 'select x + 1 as y from up', automation: eager() }),
  defineAsset({ key: 'bench/ticked', partitions: staticKeys(Array.from({ length: 60 }, (_, s) => `s${s}`)), compute: 'select 1 as x' }),
];

/** A schedule firing every second, each tick for its own `bench/ticked` partition. */
export const everySecond = () =>
  cronSchedule({ name: 'every-second', cron: '* * * * * *', selection: 'bench/ticked', partitions: (at) => ({ partition: `s${new Date(at).getUTCSeconds()}` }) });

export const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const summary = (values: readonly number[]) => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) });

/** Runs `bench/up` partitions one at a time (queued: workers run them) and returns each eager downstream step's latency, ms. */
export async function upstreamToDownstream(engine: Engine, enqueue: (partition: string) => Promise<string>, partitions: readonly string[]): Promise<number[]> {
  const measured: number[] = [];
  for (const partition of partitions) {
    const runId = await enqueue(partition);
    const deadline = Date.now() + 30_000;
    let down;
    while (!down && Date.now() < deadline) {
      down = (await engine.store.currentMaterializations('bench/down', { partitions: [partition] }))[0];
      if (!down) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (!down) throw new Error(`bench/down[${partition}] was not materialized within 30 s`);
    const [up] = await engine.store.listSteps(runId);
    const step = await engine.store.getStep(down.stepId!);
    measured.push(step!.startedAt!.getTime() - up!.finishedAt!.getTime());
  }
  return measured;
}

/** From each scheduled run's tick instant (as the daemon claimed it) to its step's start, ms. */
export async function scheduleToStart(engine: Engine, runIds: readonly string[]): Promise<number[]> {
  const ticks = engine.store.db.withTables<{ schedule_ticks: { run_id: string | null; tick_at: Date } }>();
  const measured: number[] = [];
  for (const runId of runIds) {
    const [step] = await engine.store.listSteps(runId);
    const tick = await ticks.selectFrom('schedule_ticks').select('tick_at').where('run_id', '=', runId).executeTakeFirst();
    if (step?.startedAt && tick) measured.push(step.startedAt.getTime() - new Date(tick.tick_at).getTime());
  }
  if (measured.length === 0) throw new Error('no scheduled step started');
  return measured;
}
