import type { ExecutionStep } from './step-graph.ts';

/** Where a step ended. */
export type StepStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'skipped'
  | 'failed'
  | 'upstream-failed'
  | 'waiting'
  | 'blocked-by-check'
  | 'cancelled';

/** What one attempt of a step produced, when it did not throw. */
export type AttemptOutcome = 'succeeded' | 'skipped' | 'waiting' | 'blocked-by-check';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SchedulerEvent {
  readonly step: ExecutionStep;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly error?: unknown;
}

export interface ScheduleOptions {
  steps: readonly ExecutionStep[];
  /** Runs one attempt; it must stop promptly when `signal` aborts (timeout or cancellation). */
  execute: (step: ExecutionStep, attempt: { number: number; signal: AbortSignal }) => Promise<AttemptOutcome>;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Per attempt; 0 for none. */
  timeoutMs?: number;
  /** Cancels the run: running attempts are aborted, nothing new starts. */
  signal?: AbortSignal;
  /** Whether a failed attempt is worth another; bad input fails the same way every time. Default: always. */
  retryable?: (error: unknown) => boolean;
  /** Called on every status change, in order, before the scheduler moves on. */
  onEvent?: (event: SchedulerEvent) => void | Promise<void>;
  random?: () => number;
}

/** Thrown into an attempt's signal when it runs past its timeout. */
export class StepTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`step timed out after ${timeoutMs} ms`);
    this.name = 'StepTimeoutError';
  }
}

const NO_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

/**
 * Runs steps in dependency order with bounded concurrency. Each failed attempt is retried with
 * exponential backoff and jitter; a step that fails for good marks everything downstream
 * `upstream-failed`, while independent branches go on. A step blocked by a check marks its
 * downstream steps `blocked-by-check`; the downstream steps of a `waiting` step wait too.
 */
export async function runSchedule({
  steps,
  execute,
  concurrency = 4,
  retry = NO_RETRY,
  timeoutMs = 0,
  signal,
  onEvent,
  random = Math.random,
  retryable = () => true,
}: ScheduleOptions): Promise<StepStatus[]> {
  const status: StepStatus[] = steps.map(() => 'pending');
  const waitingOn = steps.map((step) => step.upstream.length);
  const ready: number[] = steps.filter((step) => step.upstream.length === 0).map((step) => step.id);
  let running = 0;

  const emit = async (step: ExecutionStep, next: StepStatus, attempt: number, error?: unknown) => {
    status[step.id] = next;
    if (onEvent) await onEvent({ step, status: next, attempt, ...(error === undefined ? {} : { error }) });
  };

  /** Downstream of a waiting step waits too, of a blocked step is blocked too; downstream of a failure has failed. */
  const holdBack = async (step: ExecutionStep, outcome: 'upstream-failed' | 'waiting' | 'blocked-by-check') => {
    const stack = [...step.downstream];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (status[id] !== 'pending') continue;
      await emit(steps[id]!, outcome, 0);
      stack.push(...steps[id]!.downstream);
    }
  };

  const runOne = async (step: ExecutionStep): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      await emit(step, 'running', attempt);
      const controller = new AbortController();
      const abort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', abort, { once: true });
      const timer = timeoutMs > 0 ? setTimeout(() => controller.abort(new StepTimeoutError(timeoutMs)), timeoutMs) : undefined;
      try {
        const outcome = await raceAbort(execute(step, { number: attempt, signal: controller.signal }), controller.signal);
        await emit(step, outcome, attempt);
        if (outcome === 'succeeded' || outcome === 'skipped') {
          for (const id of step.downstream) if (--waitingOn[id]! === 0 && status[id] === 'pending') ready.push(id);
        } else {
          await holdBack(step, outcome);
        }
        return;
      } catch (error) {
        if (signal?.aborted) {
          await emit(step, 'cancelled', attempt, error);
          return;
        }
        if (attempt >= retry.attempts || !retryable(error)) {
          await emit(step, 'failed', attempt, error);
          await holdBack(step, 'upstream-failed');
          return;
        }
        await emit(step, 'pending', attempt, error);
        await sleep(backoff(retry, attempt, random), signal);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      }
    }
  };

  await new Promise<void>((resolve) => {
    const pump = () => {
      if (signal?.aborted) {
        if (running === 0) resolve();
        return;
      }
      while (running < concurrency && ready.length > 0) {
        const step = steps[ready.shift()!]!;
        running++;
        void runOne(step).finally(() => {
          running--;
          pump();
        });
      }
      if (running === 0 && ready.length === 0) resolve();
    };
    signal?.addEventListener('abort', () => pump(), { once: true });
    pump();
  });

  for (const step of steps) if (status[step.id] === 'pending') await emit(step, 'cancelled', 0);
  return status;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoff(retry: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Rejects as soon as the signal aborts, even if the work ignores it. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
