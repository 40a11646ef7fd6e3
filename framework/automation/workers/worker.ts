import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { hostname } from 'node:os';
import type { Engine } from '../../executor/engine.ts';
import type { RunnerStep } from '../../executor/step-runner.ts';
import { DefinitionError } from '../../util/errors.ts';
import { claimSteps, expireLeases, type ClaimedStep } from './claim.ts';
import { createClaimedSteps, type ClaimedOutcome } from './claimed-steps.ts';
import { setPoolLimits } from './pools.ts';
import type { QueueTables, WorkerState } from './queue-tables.ts';
import { listenForWork, queueEvents } from './wake.ts';

export interface WorkerOptions {
  engine: Engine;
  /** Unique among live workers; default `<host>-<pid>-<random>`. */
  id?: string;
  /** Steps run at once; default the engine's concurrency. */
  concurrency?: number;
  /** Most steps claimed in one transaction; default 32. */
  batchSize?: number;
  /** How long a claim holds without a heartbeat; a killed worker's steps are claimed again after it. Default 30 s. */
  leaseMs?: number;
  /** Lease expiries after which a step fails for good instead of running again (it stops every worker that runs it); default 5. */
  maxLeaseExpiries?: number;
  /** How often leases and the worker's row are renewed; default a third of `leaseMs`. */
  heartbeatMs?: number;
  /** Polling, in case a wake-up was missed (e.g. a dropped LISTEN connection); default 1 s. */
  pollMs?: number;
  /** Pool slot limits to store before starting (they hold for every worker), e.g. `{ redshift: 2 }`. */
  pools?: Readonly<Record<string, number>>;
  /** Where to LISTEN for work on PostgreSQL; default `DAYBOOK_DATABASE_URL`. Without it, the worker polls. */
  databaseUrl?: string | undefined;
  /** Told about each attempt's end. */
  onStep?: (event: WorkerStepEvent) => void;
  /** Told about a failed claim, heartbeat or listen; the worker goes on. */
  onError?: (error: unknown) => void;
  random?: () => number;
}

/** One attempt of a claimed step, ended. */
export interface WorkerStepEvent {
  readonly worker: string;
  readonly runId: string;
  readonly stepId: string;
  readonly asset: string;
  readonly partition: string;
  readonly attempt: number;
  readonly outcome: ClaimedOutcome;
  readonly message?: string;
}

/** Counts of a worker's attempts by outcome, and its claims. */
export type WorkerStats = { claims: number; claimed: number } & Partial<Record<ClaimedOutcome, number>>;

/** A process's loop over the work queue; see `createWorker`. */
export interface Worker {
  readonly id: string;
  /** Registers the worker, then claims and runs steps until stopped. */
  start(): Promise<void>;
  /** Claims nothing more, waits for the running steps to end (drains), then deregisters. */
  stop(): Promise<void>;
  stats(): WorkerStats;
}

/**
 * A worker: claims ready steps of queued runs in batches (see claim.ts), runs them with the step
 * runner `materialize()` uses, and commits each outcome only while it holds the step's lease. A
 * heartbeat renews its leases and its `workers` row; it wakes at once when this process enqueues or
 * readies work, on LISTEN/NOTIFY for other processes' work on PostgreSQL, and by polling otherwise.
 *
 * @example
 * const worker = createWorker({ engine, concurrency: 8, pools: { redshift: 2 } });
 * await worker.start();
 * process.once('SIGTERM', () => void worker.stop());
 */
export function createWorker({
  engine,
  id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  concurrency = engine.concurrency,
  batchSize = 32,
  leaseMs = 30_000,
  maxLeaseExpiries: maxExpiries = 5,
  heartbeatMs = Math.floor(leaseMs / 3),
  pollMs = 1_000,
  pools,
  databaseUrl = process.env.DAYBOOK_DATABASE_URL,
  onStep,
  onError = () => undefined,
  random,
}: WorkerOptions): Worker {
  if (!(heartbeatMs > 0 && heartbeatMs < leaseMs)) {
    throw new DefinitionError('invalid-config', `worker ${id}: heartbeatMs (${heartbeatMs}) must be positive and shorter than leaseMs (${leaseMs})`, { field: 'heartbeatMs' });
  }
  const { store } = engine;
  const steps = createClaimedSteps({ engine, worker: id, ...(random ? { random } : {}) });
  const stats: WorkerStats = { claims: 0, claimed: 0 };
  const events = queueEvents(store);
  let inFlight = 0;
  let stopping = false;
  let pumping = false;
  let again = false;
  let expiredAt = Number.NEGATIVE_INFINITY;
  let drained: (() => void) | undefined;
  let timers: NodeJS.Timeout[] = [];
  let unlisten: (() => Promise<void>) | undefined;

  const execute = async (claimed: ClaimedStep, step: RunnerStep) => {
    let outcome: ClaimedOutcome;
    try {
      outcome = await steps.run(claimed, step);
    } catch (error) {
      // The outcome could not be committed (the store is unreachable): the lease runs out and the step is claimed again.
      onError(error);
      outcome = 'lost';
    }
    stats[outcome] = (stats[outcome] ?? 0) + 1;
    const message = steps.message(claimed);
    onStep?.({ worker: id, runId: claimed.runId, stepId: claimed.stepId, asset: claimed.asset, partition: claimed.partition, attempt: claimed.attempt, outcome, ...(message ? { message } : {}) });
  };
  const started = (claimed: ClaimedStep, step: RunnerStep | undefined) => {
    inFlight++;
    void (step ? execute(claimed, step) : Promise.resolve()).finally(() => {
      inFlight--;
      if (stopping && inFlight === 0) drained?.();
      // Claims go in batches: wait for half a batch of free slots, unless nothing runs.
      else if (concurrency - inFlight >= Math.min(batchSize, concurrency) / 2 || inFlight === 0) wake();
    });
  };
  /** Claims while there are free slots and ready steps; a wake-up during a claim claims again after it. */
  const pump = async () => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopping && inFlight < concurrency) {
          const limit = Math.min(batchSize, concurrency - inFlight);
          // Leases run out seldom: look for them a few times per lease, not on every claim.
          if (store.now() - expiredAt >= leaseMs / 4) {
            expiredAt = store.now();
            await expireLeases(store, { maxExpiries, leaseMs });
          }
          const claimed = await claimSteps(store, { worker: id, limit, leaseMs });
          stats.claims++;
          stats.claimed += claimed.length;
          const resolved = await Promise.all(claimed.map((step) => steps.resolve(step)));
          await steps.prefetch(resolved.filter((step) => step !== undefined));
          claimed.forEach((step, index) => started(step, resolved[index]));
          if (claimed.length < limit) break;
        }
      } while (again && !stopping);
    } catch (error) {
      onError(error);
    } finally {
      pumping = false;
    }
  };
  const wake = () => {
    if (!stopping) void pump();
  };
  const queue = store.db.withTables<QueueTables>();
  const heartbeat = async () => {
    const now = store.now();
    // Rows a commit of this worker holds are skipped: it is ending those steps (and waiting for them could deadlock with it).
    await sql`update step_queue set lease_expires_at = ${new Date(now + leaseMs)}::timestamptz
      where step_id in (select step_id from step_queue where lease_owner = ${id} for update skip locked)`.execute(store.db);
    await queue.updateTable('workers').set({ heartbeat_at: new Date(now) }).where('id', '=', id).execute();
  };
  const setState = (state: WorkerState) =>
    queue.updateTable('workers').set({ state, stopped_at: state === 'stopped' ? new Date(store.now()) : null }).where('id', '=', id).execute();

  return {
    id,
    async start() {
      if (pools) await setPoolLimits(store, pools);
      await store.restoreDynamicKeys(engine.definitions);
      const now = new Date(store.now());
      await queue
        .insertInto('workers')
        .values({ id, host: hostname(), pid: process.pid, concurrency, state: 'running', started_at: now, heartbeat_at: now, stopped_at: null })
        .execute();
      events.on('work', wake);
      unlisten = await listenForWork({ store, url: databaseUrl, onWork: wake, onError }).catch((error: unknown) => {
        onError(error);
        return undefined;
      });
      timers = [
        setInterval(() => void heartbeat().catch(onError), heartbeatMs),
        setInterval(wake, pollMs),
      ];
      wake();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      events.off('work', wake);
      clearInterval(timers[1]);
      await setState('draining').catch(onError);
      while (pumping) await new Promise((resolve) => setTimeout(resolve, 5));
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      clearInterval(timers[0]);
      await unlisten?.();
      await steps.close();
      await setState('stopped').catch(onError);
    },
    stats: () => ({ ...stats }),
  };
}
