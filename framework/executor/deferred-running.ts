import type { StoreWrite } from '../store/writes.ts';

/**
 * How long a step runs before its "running" change is written on its own. With many steps in flight
 * a small step takes tens of milliseconds from start to success, and writing "running" for each would
 * double the store's work; a step running longer than this shows as running in the store.
 */
export const RUNNING_DELAY_MS = 250;

export interface DeferredRunningOptions {
  /** The store's clock: the audit log keeps one time line. */
  now: () => number;
  /** The step's "running" change, written on its own or before its next change (a success records its start instead). */
  running: (stepId: string, at: number) => StoreWrite[];
  /** Commits the "running" change of a step still running after the delay. */
  write: (writes: StoreWrite[]) => Promise<unknown>;
  delayMs?: number;
}

/**
 * Writes a step's "running" change only if the step still runs after a moment (`RUNNING_DELAY_MS`):
 * most steps finish sooner, and their next change then carries it, in the same transaction, halving
 * their commits. `materialize()` and the queue's workers both run steps this way.
 */
export function deferRunning({ now, running, write, delayMs = RUNNING_DELAY_MS }: DeferredRunningOptions) {
  const started = new Map<string, { at: number; timer: NodeJS.Timeout | undefined; written: Promise<unknown> | undefined }>();
  return {
    /** The step starts now. */
    start(stepId: string): void {
      const entry = { at: now(), timer: undefined as NodeJS.Timeout | undefined, written: undefined as Promise<unknown> | undefined };
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.written = write(running(stepId, entry.at));
        entry.written.catch(() => undefined);
      }, delayMs);
      started.set(stepId, entry);
    },
    /**
     * The writes of the step's next change. When its "running" change was not written yet, a success
     * records the start itself and any other change is preceded by it; when it was, they follow once
     * it has committed (or failed: the next change then reports it).
     */
    async settle(stepId: string, writes: StoreWrite[]): Promise<StoreWrite[]> {
      const entry = started.get(stepId);
      if (!entry) return writes;
      started.delete(stepId);
      if (entry.timer === undefined) {
        await entry.written?.catch(() => undefined);
        return writes;
      }
      clearTimeout(entry.timer);
      const success = writes.findIndex((change) => change.kind === 'succeed-step');
      if (success < 0) return [...running(stepId, entry.at), ...writes];
      return writes.map((change, index) => (index === success ? { ...change, startedAt: entry.at } : change));
    },
  };
}
