import { describe, expect, it } from 'vitest';
import { backoff, runSchedule, StepTimeoutError, type AttemptOutcome, type SchedulerEvent } from '../../../framework/executor/scheduler.ts';
import type { ExecutionStep } from '../../../framework/executor/step-graph.ts';

/** Steps named by key, with edges `from -> to`. */
function graph(keys: string[], edges: [string, string][]): ExecutionStep[] {
  const steps = keys.map((key, id) => ({
    id,
    asset: key,
    assetId: id,
    partition: '',
    partitionIndex: 0,
    reason: 'missing' as const,
    upstream: [] as number[],
    downstream: [] as number[],
  }));
  for (const [from, to] of edges) {
    steps[keys.indexOf(to)]!.upstream.push(keys.indexOf(from));
    steps[keys.indexOf(from)]!.downstream.push(keys.indexOf(to));
  }
  return steps;
}

const byKey = (steps: ExecutionStep[], statuses: string[]) => Object.fromEntries(steps.map((s) => [s.asset, statuses[s.id]]));

describe('runSchedule', () => {
  it('runs steps in dependency order within the concurrency bound', async () => {
    const steps = graph(['a', 'b', 'c', 'd'], [['a', 'c'], ['b', 'c'], ['c', 'd']]);
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const statuses = await runSchedule({
      steps,
      concurrency: 2,
      execute: async (step) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(step.asset);
        running--;
        return 'succeeded';
      },
    });
    expect(statuses).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(order.indexOf('c')).toBeGreaterThan(Math.max(order.indexOf('a'), order.indexOf('b')));
    expect(order.at(-1)).toBe('d');
    expect(peak).toBe(2);
  });

  it('retries a failing attempt with backoff and succeeds', async () => {
    const steps = graph(['a'], []);
    const events: SchedulerEvent[] = [];
    let calls = 0;
    const statuses = await runSchedule({
      steps,
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      execute: async () => {
        calls++;
        if (calls < 3) throw new Error(`flaky ${calls}`);
        return 'succeeded';
      },
      onEvent: (event) => void events.push(event),
    });
    expect(statuses).toEqual(['succeeded']);
    expect(events.map((e) => `${e.status}#${e.attempt}`)).toEqual(['running#1', 'pending#1', 'running#2', 'pending#2', 'running#3', 'succeeded#3']);
  });

  it('marks downstream steps upstream-failed after the last retry, and independent branches go on', async () => {
    const steps = graph(['bad', 'child', 'grandchild', 'other'], [['bad', 'child'], ['child', 'grandchild']]);
    const ran: string[] = [];
    const statuses = await runSchedule({
      steps,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      execute: async (step) => {
        ran.push(step.asset);
        if (step.asset === 'bad') throw new Error('boom');
        return 'succeeded';
      },
    });
    expect(byKey(steps, statuses)).toEqual({ bad: 'failed', child: 'upstream-failed', grandchild: 'upstream-failed', other: 'succeeded' });
    expect(ran.filter((k) => k === 'bad')).toHaveLength(2);
    expect(ran).not.toContain('child');
  });

  it('holds back the readers of a step that is waiting for its file', async () => {
    const steps = graph(['files', 'reader'], [['files', 'reader']]);
    const statuses = await runSchedule({ steps, execute: async (step): Promise<AttemptOutcome> => (step.asset === 'files' ? 'waiting' : 'succeeded') });
    expect(statuses).toEqual(['waiting', 'waiting']);
  });

  it('times out an attempt that runs too long', async () => {
    const steps = graph(['slow'], []);
    const events: SchedulerEvent[] = [];
    const statuses = await runSchedule({
      steps,
      timeoutMs: 20,
      // An attempt that never settles on its own: the timeout must end it.
      execute: () => new Promise<AttemptOutcome>(() => {}),
      onEvent: (event) => void events.push(event),
    });
    expect(statuses).toEqual(['failed']);
    expect(events.at(-1)!.error).toBeInstanceOf(StepTimeoutError);
  });

  it('cancels running and pending steps when the run is cancelled', async () => {
    const steps = graph(['a', 'b', 'c'], [['a', 'b']]);
    const controller = new AbortController();
    const statuses = await runSchedule({
      steps,
      concurrency: 1,
      signal: controller.signal,
      execute: (_, { signal }) =>
        new Promise<AttemptOutcome>((_resolve, reject) => {
          setTimeout(() => controller.abort(new Error('Ctrl-C')), 5);
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    expect(statuses).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoff(policy, 1, () => 0)).toBe(50);
    expect(backoff(policy, 1, () => 1)).toBe(100);
    expect(backoff(policy, 3, () => 1)).toBe(400);
    expect(backoff(policy, 6, () => 1)).toBe(1000);
  });
});

describe('runSchedule retryable', () => {
  it('does not retry a failure that another attempt would repeat', async () => {
    const steps = graph(['bad-file'], []);
    let calls = 0;
    const statuses = await runSchedule({
      steps,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      retryable: (error) => !(error instanceof Error && error.message.startsWith('malformed')),
      execute: async () => {
        calls++;
        throw new Error('malformed CSV at line 3');
      },
    });
    expect(statuses).toEqual(['failed']);
    expect(calls).toBe(1);
  });
});
