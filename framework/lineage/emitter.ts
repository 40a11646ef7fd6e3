import { createRequire } from 'node:module';
import type { StepLifecycleEvent, StepListener } from '../executor/step-listener.ts';
import { runEventBuilder, type RunEvent, type RunEventType } from './openlineage-event.ts';
import { deliveredBefore, type LineageTransport } from './transport.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
/** Identifies Daybook as the producer of events and facets. */
export const DAYBOOK_PRODUCER = `urn:daybook:${version}`;

export interface LineageEmitterOptions {
  transport: LineageTransport;
  /** Events waiting for delivery at most; beyond it new events are dropped (and counted), never waited for. */
  queueSize?: number;
  /**
   * How long events wait for a full batch (the transport's batch size) before a smaller one goes:
   * a step's events come one at a time, and a batch of one costs nearly as much as a full one.
   * Flushing and closing send at once. Default 100 ms.
   */
  lingerMs?: number;
  /** Attempts per delivery, the first included. */
  attempts?: number;
  /** The first retry's delay; later ones double, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  producer?: string;
  /** Told once per delivery given up or event dropped, e.g. to print a warning; never throws into a step. */
  onError?: (message: string) => void;
}

/** What the emitter did so far. */
export interface LineageStats {
  readonly emitted: number;
  readonly delivered: number;
  /** Given up after every attempt failed. */
  readonly failed: number;
  /** Not queued because the queue was full. */
  readonly dropped: number;
  readonly pending: number;
}

/** A step listener that turns step lifecycle events into OpenLineage RunEvents and delivers them in the background. */
export interface LineageEmitter extends StepListener {
  readonly transport: LineageTransport;
  stats(): LineageStats;
  /** Waits until every queued event is delivered or given up, or `timeoutMs` passes. */
  flush(timeoutMs?: number): Promise<LineageStats>;
  /** Flushes, then stops: later events are dropped. */
  close(timeoutMs?: number): Promise<LineageStats>;
}

interface Queued {
  /** The OpenLineage runId (the step id): a run's events are delivered in order, one batch at a time. */
  readonly runId: string;
  readonly event: StepLifecycleEvent;
  readonly type: RunEventType;
}

/** How many queued events a worker looks past for one whose run has nothing in flight. */
const LOOKAHEAD = 256;

/**
 * Emits a RunEvent per step transition, asynchronously: `onStepEvent` only queues the step's event
 * and returns, so a slow or unreachable endpoint never holds up or fails a step; the RunEvent is
 * built when it is delivered. Deliveries (up to the transport's concurrency, in batches of its size;
 * a smaller batch waits `lingerMs` for more) are retried with exponential backoff and jitter. A
 * run's events go out in order: its COMPLETE is not sent before its START arrived. START is sent
 * when a step starts computing; a step that fails before it starts still gets a START first, so each
 * run has exactly one START and one of COMPLETE, FAIL or ABORT (for a cancelled step that had
 * started; one that never started sends nothing).
 *
 * @example
 * const lineage = createLineageEmitter({ transport: httpTransport({ url: 'http://marquez:5000' }) });
 * await materialize({ ...engine, listeners: [lineage] });
 * await lineage.close();
 */
export function createLineageEmitter({
  transport,
  queueSize = 10_000,
  lingerMs = 100,
  attempts = 5,
  baseDelayMs = 200,
  maxDelayMs = 10_000,
  producer = DAYBOOK_PRODUCER,
  onError = () => undefined,
}: LineageEmitterOptions): LineageEmitter {
  const build = runEventBuilder({ producer });
  // A queue with a moving head: taken events leave holes that the head skips, so taking the front is O(1).
  let queue: (Queued | undefined)[] = [];
  let head = 0;
  let size = 0;
  const inFlight = new Set<string>();
  const started = new Set<string>();
  const idle: (() => void)[] = [];
  let workers = 0;
  let closed = false;
  /** While flushing, what is queued goes without waiting for full batches. */
  let draining = false;
  let lingering: NodeJS.Timeout | undefined;
  const counts = { emitted: 0, delivered: 0, failed: 0, dropped: 0 };
  const stats = (): LineageStats => ({ ...counts, pending: size + inFlight.size });

  const enqueue = (item: Queued) => {
    if (closed || size >= queueSize) {
      counts.dropped++;
      if (counts.dropped === 1 || counts.dropped % 1000 === 0) onError(`OpenLineage: ${counts.dropped} event(s) dropped (${closed ? 'emitter closed' : `queue of ${queueSize} full`}) for ${transport.name}`);
      return;
    }
    counts.emitted++;
    queue.push(item);
    size++;
    schedule();
  };

  /** Starts deliveries for full batches now; a partial one goes after `lingerMs`, unless more fill it first. */
  const schedule = () => {
    if (size === 0) return;
    if (size < transport.batchSize && !draining) {
      lingering ??= setTimeout(() => {
        lingering = undefined;
        start(Math.max(1, Math.floor(size / transport.batchSize)));
      }, lingerMs);
      return;
    }
    start(Math.ceil(size / transport.batchSize));
  };

  const start = (wanted: number) => {
    for (; workers < transport.concurrency && wanted > 0; wanted--) {
      workers++;
      void work();
    }
  };

  /**
   * The next events to deliver: up to a batch, at most one per run, none of a run with an event in
   * flight. So a run's next event goes only once the one before it was delivered, and a batch that
   * fails part-way never has delivered a run's later event before its earlier one.
   */
  const take = (): Queued[] => {
    const batch: Queued[] = [];
    const taken = new Set<string>();
    for (let i = head, seen = 0; i < queue.length && seen < LOOKAHEAD && batch.length < transport.batchSize; i++) {
      const item = queue[i];
      if (item === undefined) continue;
      seen++;
      if (inFlight.has(item.runId) || taken.has(item.runId)) continue;
      batch.push(item);
      taken.add(item.runId);
      queue[i] = undefined;
      size--;
    }
    while (head < queue.length && queue[head] === undefined) head++;
    if (head > 4_096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    for (const runId of taken) inFlight.add(runId);
    return batch;
  };

  const work = async () => {
    let delivered = false;
    try {
      // The first batch goes whatever its size (a full one, or the linger's); later ones only when full.
      for (let batch = take(); batch.length > 0; batch = size >= transport.batchSize || draining ? take() : []) {
        await deliver(batch);
        for (const item of batch) inFlight.delete(item.runId);
        delivered = true;
      }
    } finally {
      // A worker stops when nothing is deliverable: what is left is a partial batch, which lingers,
      // or waits for a run in flight, whose worker schedules it when done. One that delivered
      // nothing changed nothing to schedule.
      workers--;
      if (delivered) schedule();
      if (workers === 0 && size === 0) for (const resolve of idle.splice(0)) resolve();
    }
  };

  const deliver = async (batch: Queued[]) => {
    let events: RunEvent[];
    try {
      events = batch.map((item) => build(item.event, item.type));
    } catch (error) {
      // Lineage must never take the process down; a step event it cannot describe is reported and left out.
      counts.failed += batch.length;
      onError(`OpenLineage: could not build ${batch.length} event(s): ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.send(events);
        counts.delivered += events.length;
        return;
      } catch (error) {
        // Events a batch delivered before it failed are not sent again.
        const delivered = deliveredBefore(error);
        counts.delivered += delivered;
        events = events.slice(delivered);
        if (attempt >= attempts || closed) {
          counts.failed += events.length;
          onError(`OpenLineage: gave up on ${events.length} event(s) for ${transport.name} after ${attempt} attempt(s): ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
      }
    }
  };

  const flush = async (timeoutMs = 10_000): Promise<LineageStats> => {
    if (size > 0 || workers > 0) {
      draining = true;
      clearTimeout(lingering);
      lingering = undefined;
      schedule();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => idle.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      draining = false;
    }
    return stats();
  };

  return {
    transport,
    onStepEvent(event) {
      if (event.type === 'started') {
        if (started.has(event.stepId)) return;
        started.add(event.stepId);
        enqueue({ runId: event.stepId, event, type: 'START' });
        return;
      }
      const wasStarted = started.delete(event.stepId);
      if (event.type === 'cancelled') {
        if (wasStarted) enqueue({ runId: event.stepId, event, type: 'ABORT' });
        return;
      }
      if (!wasStarted) enqueue({ runId: event.stepId, event: { ...event, type: 'started', inputs: 'inputs' in event ? event.inputs : [], inputChecks: [] }, type: 'START' });
      enqueue({ runId: event.stepId, event, type: event.type === 'succeeded' ? 'COMPLETE' : 'FAIL' });
    },
    stats,
    flush,
    async close(timeoutMs) {
      const result = await flush(timeoutMs);
      closed = true;
      await transport.close?.();
      return result;
    },
  };
}
