// Runs launched through the API: they run in this process, in the background, through the engine's
// `materialize`, with cancellation; their step changes feed the SSE stream, the metrics and the
// catalog's running state.
import { materialize, type Engine, type PartitionRequest, type RunSummary, type StepEvent as EngineStepEvent } from '../../framework/index.ts';
import type { EventHub } from '../event-hub.ts';
import type { Metrics } from '../metrics.ts';
import type { Catalog } from '../state/catalog.ts';

/** Step statuses after which a step does nothing more in its run. */
const FINAL = new Set(['succeeded', 'skipped', 'failed', 'upstream-failed', 'waiting', 'blocked-by-check', 'cancelled']);

export interface LaunchOptions {
  selection: string;
  partitions: PartitionRequest;
  force?: boolean;
  /** Who launched it: the token's name. */
  actor: string;
  trigger?: string;
  backfillId?: string;
  /** Called when the run has ended (not when it failed to start). */
  onFinished?: (summary: RunSummary) => Promise<void>;
}

/** A run in progress in this server. */
interface ActiveRun {
  readonly controller: AbortController;
  /** Steps not yet started, as `asset\0partition`. */
  readonly notStarted: Set<string>;
  /** Steps marked running in the catalog and not yet settled. */
  readonly open: Set<string>;
  readonly startedAt: Map<string, number>;
}

/**
 * Launches and tracks the server's runs.
 *
 * @example
 * const { runId, steps } = await runs.launch({ selection: 'northbridge/pnl', partitions: { partition: '2026-11-20|PF001' }, force: true, actor: 'ci-bot' });
 * runs.cancel(runId);
 */
export class RunManager {
  readonly #engine: Engine;
  readonly #catalog: Catalog;
  readonly #events: EventHub;
  readonly #metrics: Metrics;
  readonly #active = new Map<string, ActiveRun>();
  /** Every launch until it has ended, recorded or not. */
  readonly #executions = new Set<Promise<unknown>>();
  #closing = false;

  constructor({ engine, catalog, events, metrics }: { engine: Engine; catalog: Catalog; events: EventHub; metrics: Metrics }) {
    this.#engine = engine;
    this.#catalog = catalog;
    this.#events = events;
    this.#metrics = metrics;
  }

  /**
   * Plans and records a run, then runs it in the background. Resolves once the run and its steps are
   * stored, with its id; rejects when it cannot start (a bad selection or partition, a store error).
   */
  launch(options: LaunchOptions): Promise<{ runId: string; steps: number }> {
    const controller = new AbortController();
    let recorded: ((value: { runId: string; steps: number }) => void) | undefined;
    const started = new Promise<{ runId: string; steps: number }>((resolve) => (recorded = resolve));
    let run: ActiveRun | undefined;
    let runId: string | undefined;
    const key = (event: { asset: string; partition: string }) => `${event.asset}\u0000${event.partition}`;

    const onStep = (event: EngineStepEvent) => {
      if (!run || runId === undefined) return;
      const id = key(event);
      const at = Date.now();
      if (event.status === 'running') {
        run.notStarted.delete(id);
        if (!run.startedAt.has(id)) run.startedAt.set(id, at);
      }
      if (FINAL.has(event.status)) {
        run.notStarted.delete(id);
        const startedAt = run.startedAt.get(id);
        const seconds = startedAt === undefined ? undefined : (at - startedAt) / 1000;
        this.#metrics.stepFinished(event.asset, event.status, seconds);
        if (event.status === 'succeeded' && startedAt !== undefined) this.#catalog.durations.record(event.asset, at - startedAt);
        if (run.open.delete(id)) void this.#catalog.settle(event.asset, event.partition);
      }
      this.#events.publish({
        type: 'step',
        runId,
        asset: event.asset,
        partition: event.partition,
        status: event.status,
        attempt: event.attempt,
        message: event.message ?? null,
        at: new Date(at).toISOString(),
      });
    };

    const execution = materialize(this.#engine, {
      selection: options.selection,
      partitions: options.partitions,
      force: options.force ?? false,
      trigger: options.trigger ?? 'api',
      actor: options.actor,
      ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
      signal: controller.signal,
      onRun: (record, steps) => {
        runId = record.id;
        const ids = steps.map(key);
        run = { controller, notStarted: new Set(ids), open: new Set(ids), startedAt: new Map() };
        this.#active.set(record.id, run);
        if (this.#closing) controller.abort(new Error('the server is shutting down'));
        for (const step of steps) this.#catalog.running(step.asset, step.partition);
        this.#events.publish({
          type: 'run',
          runId: record.id,
          status: record.status,
          steps: steps.length,
          selection: record.selection,
          triggeredBy: record.triggeredBy,
          at: record.createdAt.toISOString(),
        });
        recorded!({ runId: record.id, steps: steps.length });
      },
      onStep,
    });

    const finished = execution.then(
      async (summary) => {
        await this.#finish(runId, run, summary.status, options.selection, options.actor, summary.steps);
        await options.onFinished?.(summary);
      },
      async (error: unknown) => {
        if (runId === undefined) throw error;
        // The run was recorded but the engine failed outside a step: record that it ended.
        const message = error instanceof Error ? error.message : String(error);
        console.error(`daybook server: run ${runId} failed:`, error);
        await this.#engine.store.updateRun({ runId, status: 'failed', message }).catch(() => undefined);
        await this.#finish(runId, run, 'failed', options.selection, options.actor, run?.open.size ?? 0);
      },
    );
    const settled = finished.catch(() => undefined);
    this.#executions.add(settled);
    void settled.then(() => this.#executions.delete(settled));
    // A launch that fails before its run is recorded rejects with the engine's error (a bad partition: 400).
    return Promise.race([started, finished.then(() => started)]);
  }

  async #finish(runId: string | undefined, run: ActiveRun | undefined, status: 'succeeded' | 'failed' | 'cancelled', selection: string, actor: string, steps: number): Promise<void> {
    if (runId === undefined || !run) return;
    // Steps that never reported a final status (a crash mid-run) stop showing as running.
    await Promise.all([...run.open].map((id) => this.#catalog.settle(...(id.split('\u0000') as [string, string]))));
    run.open.clear();
    await this.#catalog.refresh();
    this.#active.delete(runId);
    this.#events.publish({ type: 'run', runId, status, steps, selection, triggeredBy: actor, at: new Date().toISOString() });
  }

  /** Cancels a run in progress here: running steps are aborted, nothing new starts. False when it is not running here. */
  cancel(runId: string): boolean {
    const run = this.#active.get(runId);
    if (!run) return false;
    run.controller.abort(new Error('cancelled through the API'));
    return true;
  }

  isActive(runId: string): boolean {
    return this.#active.has(runId);
  }

  active(): string[] {
    return [...this.#active.keys()];
  }

  /** Steps of active runs that have not started. */
  queueDepth(): number {
    let depth = 0;
    for (const run of this.#active.values()) depth += run.notStarted.size;
    return depth;
  }

  /** Cancels every run in progress and waits for them to end. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const run of this.#active.values()) run.controller.abort(new Error('the server is shutting down'));
    await Promise.all([...this.#executions]);
  }
}
