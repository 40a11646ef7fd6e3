import { hostname } from 'node:os';
import type { Engine } from '../executor/engine.ts';
import type { RunRequest } from '../executor/plan-run.ts';
import type { Calendar } from '../partitions/calendar.ts';
import type { AlertManager } from './alert-manager.ts';
import type { QueueThresholds } from './alert-rules.ts';
import { checkAlerts } from './check-alerts.ts';
import { evaluateConditions } from './conditions/evaluate.ts';
import { loadConditionCursor, saveConditionCursor } from './conditions/cursor.ts';
import type { DaemonTables } from './daemon-tables.ts';
import { inProgressPartitions, queueDepths } from './queue-state.ts';
import { createScheduleTicker, type CatchUpLimit } from './schedules/ticker.ts';
import type { ScheduleDefinition } from './schedules/schedule.ts';
import { markSensorRequested, runSensor } from './sensors/run-sensor.ts';
import type { SensorDefinition } from './sensors/sensor.ts';
import { enqueueRun } from './workers/enqueue.ts';

/** A run the daemon asks for: what to plan, who asked, and (for a schedule tick) the run id chosen when the tick was claimed. */
export interface LaunchRequest extends RunRequest {
  readonly runId?: string;
}

/** Starts a run and returns its id: by default it is queued for workers (`enqueueRun`). */
export type Launch = (request: LaunchRequest) => Promise<string>;

export interface DaemonOptions {
  engine: Engine;
  schedules?: readonly ScheduleDefinition[];
  sensors?: readonly SensorDefinition[];
  /** Alerts to raise and resolve on each tick; none when undefined. */
  alerts?: AlertManager;
  /** Calendars SLAs name. */
  calendars?: readonly Calendar[];
  queueThresholds?: QueueThresholds;
  catchUp?: CatchUpLimit;
  launch?: Launch;
  /** The longest pause between ticks; a wake-up (a finished step, a queued run) ticks sooner. Default 1000. */
  intervalMs?: number;
  /** Names this daemon in its heartbeat row and as the actor of its runs; default `daemon@<host>:<pid>`. */
  name?: string;
  /** Told about each tick once it is done, e.g. to print what it launched. */
  onTick?: (tick: DaemonTick) => void;
  /** Told about each tick's problems (a failing sensor, a run that could not be launched); never throws into the loop. */
  onError?: (message: string, error: unknown) => void;
}

/** What one tick did. */
export interface DaemonTick {
  readonly at: number;
  /** Run ids launched, by what asked for them. */
  readonly launched: readonly { readonly by: string; readonly runId: string }[];
  readonly alerts: { readonly firing: number; readonly resolved: number };
  readonly problems: readonly string[];
}

export interface Daemon {
  readonly name: string;
  /** One pass: schedules, sensors, conditions, then alerts. What the loop runs; tests call it with a moved clock. */
  tick(): Promise<DaemonTick>;
  /** Ticks at most `intervalMs` apart until `stop()`; `wake()` brings the next tick forward. */
  start(): void;
  /** Asks for a tick now, e.g. when a step finished and eager conditions may have become true. */
  wake(): void;
  /** Waits for the tick in progress, then stops and records the daemon as stopped. */
  stop(): Promise<void>;
  readonly ticks: number;
}

/**
 * The automation daemon (docs/automation.md): on each tick it claims due schedule ticks, runs the
 * sensors, evaluates the assets' declarative conditions, and launches a run for each, then raises
 * and resolves alerts (failures, blocking checks, SLA risk, queue depth). Every decision is stored
 * before it is acted on (tick claims, sensor cursors, condition cursors), so a restarted daemon
 * neither repeats nor forgets work. It does not execute steps: workers do (`daybook worker`, or
 * in-process workers on the embedded store).
 *
 * @example
 * const daemon = createDaemon({ engine, schedules: [preMarket], sensors: [landingSensor({ name: 'landing' })], alerts });
 * daemon.start();
 */
export function createDaemon({
  engine,
  schedules = [],
  sensors = [],
  alerts,
  calendars = [],
  queueThresholds,
  catchUp,
  launch = async (request) => (await enqueueRun(engine, request)).run.id,
  intervalMs = 1000,
  name = `daemon@${hostname()}:${process.pid}`,
  onTick = () => undefined,
  onError = () => undefined,
}: DaemonOptions): Daemon {
  const { store, definitions } = engine;
  const ticker = createScheduleTicker({ store, schedules, actor: name, ...(catchUp ? { catchUp } : {}) });
  const conditional = definitions.assets.some((asset) => asset.automation !== undefined);
  const startedAt = new Date(store.now());
  let ticks = 0;
  let running: Promise<DaemonTick> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let again = false;

  const heartbeat = (state: 'running' | 'stopped') =>
    store.db
      .withTables<DaemonTables>()
      .insertInto('daemons')
      .values({ name, host: hostname(), pid: process.pid, started_at: startedAt, heartbeat_at: new Date(store.now()), state })
      .onConflict((conflict) => conflict.column('name').doUpdateSet({ heartbeat_at: new Date(store.now()), state, pid: process.pid, started_at: startedAt }))
      .execute();

  const pass = async (): Promise<DaemonTick> => {
    const at = store.now();
    const launched: { by: string; runId: string }[] = [];
    const problems: string[] = [];
    const attempt = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
        problems.push(message);
        onError(message, error);
      }
    };
    await attempt('heartbeat', () => heartbeat('running').then(() => undefined));

    await attempt('schedules', async () => {
      for (const tick of await ticker.claimDue(at)) {
        await attempt(`schedule ${tick.schedule.name} tick ${tick.key}`, async () => {
          try {
            const runId = await launch({ runId: tick.runId, selection: tick.schedule.selection, partitions: tick.partitions, trigger: 'schedule', actor: `schedule:${tick.schedule.name}` });
            await ticker.recordLaunched(tick.key, runId);
            launched.push({ by: `schedule:${tick.schedule.name}`, runId });
          } catch (error) {
            await ticker.recordFailed(tick.key, error);
            throw error;
          }
        });
      }
    });

    for (const sensor of sensors) {
      await attempt(`sensor ${sensor.name}`, async () => {
        const result = await runSensor({ engine, sensor, now: at });
        for (const problem of result.problems) problems.push(`sensor ${sensor.name}: ${problem.path}: ${problem.message}`);
        for (const request of result.requests) {
          const runId = await launch({ selection: request.selection, partitions: request.partitions, trigger: 'sensor', actor: `sensor:${sensor.name}` });
          await markSensorRequested({ store, sensor: sensor.name, events: request.events, runId, now: at });
          launched.push({ by: `sensor:${sensor.name}`, runId });
        }
      });
    }

    if (conditional) {
      await attempt('conditions', async () => {
        const [state, previous, inProgress] = await Promise.all([store.plannerState(definitions), loadConditionCursor(store), inProgressPartitions(store)]);
        const evaluation = evaluateConditions({ definitions, state, now: at, previous, inProgress });
        const keys = Object.fromEntries(evaluation.requests.map((request) => [request.asset, request.partitions]));
        if (evaluation.requests.length > 0) {
          // One run for every request, so an eager chain runs in dependency order; exactly the chosen
          // partitions, fresh ones too (an `onCron` request is a rerun).
          const runId = await launch({ selection: Object.keys(keys).join(','), partitions: { keys }, force: true, trigger: 'condition', actor: name });
          launched.push({ by: 'conditions', runId });
        }
        await saveConditionCursor(store, evaluation.cursor);
      });
    }

    let firing = 0;
    let resolved = 0;
    if (alerts) {
      await attempt('alerts', async () => {
        // Its own heartbeat was just written: the heartbeat rule watches its peers.
        const check = await checkAlerts({ store, definitions, alerts, calendars, queues: await queueDepths(store), heartbeat: {}, ...(queueThresholds ? { queueThresholds } : {}) });
        firing = check.firing.length;
        resolved = check.resolved.length;
      });
    }
    ticks++;
    const result = { at, launched, alerts: { firing, resolved }, problems };
    onTick(result);
    return result;
  };

  const tick = (): Promise<DaemonTick> => {
    // One pass at a time; a tick asked for during a pass follows it.
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = undefined;
      if (!stopped) schedule(again ? 0 : untilNextTick());
      again = false;
    });
    return running;
  };

  /** The loop's pause: the interval, or less when a schedule's next tick comes sooner (so it starts on time). */
  const untilNextTick = () => {
    const next = ticker.nextTickAt(store.now());
    return next === undefined ? intervalMs : Math.min(intervalMs, Math.max(0, next - store.now() + 1));
  };

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
  };

  return {
    name,
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    wake() {
      if (stopped) return;
      if (running) again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      await heartbeat('stopped').catch(() => undefined);
    },
    get ticks() {
      return ticks;
    },
  };
}

