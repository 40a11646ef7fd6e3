import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { Engine } from '../executor/engine.ts';
import type { Calendar } from '../partitions/calendar.ts';
import { createAlertManager } from './alert-manager.ts';
import type { AutomationConfig } from './automation-config.ts';
import { createDaemon, type Daemon, type DaemonTick } from './daemon.ts';
import { setPoolLimits } from './workers/pools.ts';
import { listenForWork, queueEvents } from './workers/wake.ts';
import { createWorker, type Worker } from './workers/worker.ts';

export interface StartAutomationOptions {
  engine: Engine;
  automation: AutomationConfig;
  calendars?: readonly Calendar[];
  /** In-process workers; default the config's. */
  workers?: number;
  intervalMs?: number;
  /** Start the daemon's loop; false to tick by hand (`daybook daemon --once`). Default true. */
  loop?: boolean;
  /** Where to LISTEN for other processes' work on PostgreSQL; default `DAYBOOK_DATABASE_URL`. */
  databaseUrl?: string | undefined;
  onTick?: (tick: DaemonTick) => void;
  onError?: (message: string) => void;
}

/** A running daemon with its in-process workers. */
export interface RunningAutomation {
  readonly daemon: Daemon;
  readonly workers: readonly Worker[];
  /** Stops the daemon, then drains and stops the workers. */
  stop(): Promise<void>;
}

/**
 * Starts what `daybook daemon` and `daybook serve` run: the daemon, woken at once when a step ends in
 * this process (or, on PostgreSQL, in any), and in-process workers for the runs it queues.
 */
export async function startAutomation({
  engine,
  automation,
  calendars = [],
  workers = automation.workers,
  intervalMs,
  loop = true,
  databaseUrl = process.env.DAYBOOK_DATABASE_URL,
  onTick,
  onError = () => undefined,
}: StartAutomationOptions): Promise<RunningAutomation> {
  const { store } = engine;
  if (Object.keys(automation.pools).length > 0) await setPoolLimits(store, automation.pools);
  const daemon = createDaemon({
    engine,
    schedules: automation.schedules,
    sensors: automation.sensors,
    alerts: createAlertManager({ store, channels: automation.alerts.channels }),
    calendars,
    queueThresholds: automation.alerts.queue,
    ...(automation.catchUp ? { catchUp: automation.catchUp } : {}),
    ...(intervalMs === undefined ? {} : { intervalMs }),
    ...(onTick ? { onTick } : {}),
    onError: (message) => onError(message),
  });
  const wake = () => daemon.wake();
  const events = queueEvents(store);
  events.on('work', wake);
  events.on('run-ended', wake);
  const unlisten = await listenForWork({ store, url: databaseUrl, onWork: wake, changes: true, onError: (error) => onError(`listen: ${String(error)}`) });
  const unwatch = automation.sensors.some((sensor) => sensor.kind === 'landing') ? watchLanding(engine.observer.landing, wake, onError) : () => undefined;
  const pool = Array.from({ length: workers }, () => createWorker({ engine, onError: (error) => onError(`worker: ${String(error)}`) }));
  for (const worker of pool) await worker.start();
  if (loop) daemon.start();
  return {
    daemon,
    workers: pool,
    async stop() {
      await daemon.stop();
      events.off('work', wake);
      events.off('run-ended', wake);
      await unlisten?.();
      unwatch();
      for (const worker of pool) await worker.stop();
    },
  };
}

/** How long the landing directory must be quiet before a change wakes the daemon: a file being written settles first. */
const LANDING_SETTLE_MS = 100;

/**
 * Wakes the daemon when something changes under the landing directory, once it has been quiet for
 * `LANDING_SETTLE_MS`, so that a landed file's run starts within moments rather than at the next
 * tick; the tick still scans (the watch only says when). A directory that cannot be watched (too
 * many for the system's inotify limit) leaves the daemon ticking every `intervalMs`, as before.
 */
function watchLanding(landing: string, wake: () => void, onError: (message: string) => void): () => void {
  let watcher: FSWatcher;
  let settle: NodeJS.Timeout | undefined;
  try {
    mkdirSync(landing, { recursive: true });
    watcher = watch(landing, { recursive: true, persistent: false }, () => {
      clearTimeout(settle);
      settle = setTimeout(wake, LANDING_SETTLE_MS);
    });
  } catch (error) {
    onError(`landing watch: ${String(error)}; the daemon looks at ${landing} on each tick only`);
    return () => undefined;
  }
  watcher.on('error', (error) => onError(`landing watch: ${String(error)}`));
  return () => {
    clearTimeout(settle);
    watcher.close();
  };
}
