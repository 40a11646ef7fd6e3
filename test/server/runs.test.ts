// Runs launched through the API: live events over SSE, cancellation, retrying what failed, backfills,
// and the metrics they leave.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, BackfillList, Freshness, LaunchedRun, RunDetail, ServerEvent } from '../../server/api-types.ts';
import { json, openServerHarness, runEnded, SESSIONS, type ServerHarness } from './harness.ts';

let h: ServerHarness;
beforeAll(async () => {
  h = await openServerHarness();
});
afterAll(async () => {
  await h?.close();
});

const [MONDAY, TUESDAY] = SESSIONS;

/** Subscribes to GET /api/events and collects the parsed events until stopped. */
async function subscribe(): Promise<{ events: ServerEvent[]; until(test: (events: ServerEvent[]) => boolean, timeoutMs?: number): Promise<void>; stop(): Promise<void> }> {
  const response = await h.request('/api/events', { as: 'viewer' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: ServerEvent[] = [];
  let buffer = '';
  const waiters = new Set<() => void>();
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (name === undefined || data === undefined) continue;
        const event = JSON.parse(data) as ServerEvent;
        expect(event.type).toBe(name);
        events.push(event);
        for (const wake of waiters) wake();
      }
    }
  })();
  return {
    events,
    until: (test, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`events never matched; got ${JSON.stringify(events.map((e) => [e.type, 'status' in e ? e.status : '']))}`)), timeoutMs);
        const check = () => {
          if (!test(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    async stop() {
      await reader.cancel();
      await pump.catch(() => undefined);
    },
  };
}

async function launch(body: unknown): Promise<LaunchedRun> {
  const response = await h.request('/api/materialize', { method: 'POST', as: 'operator', body });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(202);
  return json<LaunchedRun>(response);
}

describe('live events', () => {
  it('streams the run and step updates of a run launched through POST /api/materialize, then the partition change', async () => {
    const partition = `${TUESDAY}|PF001`;
    const before = await json<Freshness>(await h.request(`/api/freshness/northbridge/pnl?partition=${encodeURIComponent(partition)}`, { as: 'viewer' }));
    const stream = await subscribe();
    try {
      const { runId, steps } = await launch({ selection: 'northbridge/pnl', partition, force: true });
      expect(steps).toBe(1);
      const finished = (events: ServerEvent[]) => events.some((e) => e.type === 'run' && e.runId === runId && e.status === 'succeeded');
      await stream.until(finished);
      const ofRun = stream.events.filter((e) => e.type !== 'partitions');
      expect(ofRun.map((e) => [e.type, e.status, e.type === 'step' ? `${e.asset}[${e.partition}]` : e.runId])).toEqual([
        ['run', 'running', runId],
        ['step', 'running', `northbridge/pnl[${partition}]`],
        ['step', 'succeeded', `northbridge/pnl[${partition}]`],
        ['run', 'succeeded', runId],
      ]);
      expect(ofRun.every((e) => e.runId === runId)).toBe(true);
      // A partition change comes after the step's success, and the index shows it by then. The
      // index's own refresh may read the commit first and announce it, downstream included, earlier.
      const stepAt = stream.events.findIndex((e) => e.type === 'step' && e.status === 'succeeded');
      const changed = stream.events.findIndex((e, i) => i > stepAt && e.type === 'partitions' && e.assets.includes('northbridge/pnl'));
      expect(changed).toBeGreaterThan(stepAt);
      const announced = stream.events.flatMap((e) => (e.type === 'partitions' ? e.assets : []));
      expect(announced).toEqual(expect.arrayContaining(['northbridge/pnl', 'northbridge/finance-pnl-file']));
    } finally {
      await stream.stop();
    }
    const after = await json<Freshness>(await h.request(`/api/freshness/northbridge/pnl?partition=${encodeURIComponent(partition)}`, { as: 'viewer' }));
    const [stored] = await h.engine.store.currentMaterializations('northbridge/pnl', { partitions: [partition] });
    expect(after).toMatchObject({ status: 'fresh', materializedAt: stored!.createdAt.toISOString(), dataVersion: stored!.dataVersion });
    expect(Date.parse(after.materializedAt!)).toBeGreaterThan(Date.parse(before.materializedAt!));
  });
});

describe('controlling runs', () => {
  it('cancels a run in progress; a finished run cannot be cancelled', async () => {
    const { runId, steps } = await launch({ selection: '*', from: MONDAY, to: TUESDAY, force: true });
    expect(steps).toBe(36);
    const cancel = await h.request(`/api/runs/${runId}/cancel`, { method: 'POST', as: 'operator' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ runId, cancelling: true });
    expect(await runEnded(h, runId)).toBe('cancelled');
    const detail = await json<RunDetail>(await h.request(`/api/runs/${runId}`, { as: 'viewer' }));
    expect(detail.counts.cancelled).toBeGreaterThan(0);
    expect(detail.run.active).toBe(false);
    const again = await h.request(`/api/runs/${runId}/cancel`, { method: 'POST', as: 'operator' });
    expect(again.status).toBe(409);
    expect((await json<ApiError>(again)).error.message).toBe(`run ${runId} is cancelled and not running in this server; nothing to cancel`);
  });

  it('retries what failed and what it held up, once the bad file is fixed', async () => {
    const file = join(h.engine.landing, `executions/GSCO/${TUESDAY}.csv`);
    const original = await readFile(file);
    await writeFile(file, original.toString('utf8').replace(/\n([^\n]*)\n/, '\n$1,"unterminated\n'));
    let failedRun: string;
    try {
      ({ runId: failedRun } = await launch({ selection: 'northbridge/executions+', partition: TUESDAY, where: { broker: 'GSCO' }, force: true }));
      expect(await runEnded(h, failedRun)).toBe('failed');
    } finally {
      await writeFile(file, original);
    }
    const failed = await json<RunDetail>(await h.request(`/api/runs/${failedRun}`, { as: 'viewer' }));
    const step = failed.steps.find((s) => s.status === 'failed')!;
    expect(step).toMatchObject({ asset: 'northbridge/executions', partition: `${TUESDAY}|GSCO`, error: expect.stringContaining(file) });
    expect(step.logTail).toContain('attempt 1 failed');
    expect(failed.counts['upstream-failed']).toBe(12);
    const freshness = await json<Freshness>(await h.request(`/api/freshness/northbridge/executions?partition=${encodeURIComponent(`${TUESDAY}|GSCO`)}`, { as: 'viewer' }));
    expect(freshness.status).toBe('failed');

    const retry = await h.request(`/api/runs/${failedRun}/retry-failed`, { method: 'POST', as: 'operator' });
    expect(retry.status).toBe(202);
    const retried = await json<LaunchedRun>(retry);
    expect(retried).toMatchObject({ retryOf: failedRun, steps: 13 });
    expect(await runEnded(h, retried.runId)).toBe('succeeded');
    const detail = await json<RunDetail>(await h.request(`/api/runs/${retried.runId}`, { as: 'viewer' }));
    expect(detail.run).toMatchObject({ trigger: 'retry', selection: 'northbridge/executions,northbridge/positions,northbridge/pnl,northbridge/risk-positions-file,northbridge/finance-pnl-file' });
    expect(detail.steps.find((s) => s.asset === 'northbridge/executions')).toMatchObject({ partition: `${TUESDAY}|GSCO`, reason: 'failed', status: 'succeeded' });
    expect((await json<Freshness>(await h.request(`/api/freshness/northbridge/executions?partition=${encodeURIComponent(`${TUESDAY}|GSCO`)}`, { as: 'viewer' }))).status).toBe('fresh');
    const nothing = await h.request(`/api/runs/${retried.runId}/retry-failed`, { method: 'POST', as: 'operator' });
    expect(nothing.status).toBe(409);
  });

  it('records a backfill and closes it when its run ends', async () => {
    const response = await h.request('/api/backfills', { method: 'POST', as: 'operator', body: { selection: 'northbridge/prices', from: MONDAY, to: TUESDAY, force: true } });
    expect(response.status).toBe(202);
    const launched = await json<LaunchedRun>(response);
    expect(launched).toMatchObject({ steps: 2, backfillId: expect.any(String) });
    expect(await runEnded(h, launched.runId)).toBe('succeeded');
    const { backfills } = await json<BackfillList>(await h.request('/api/backfills', { as: 'viewer' }));
    await expect.poll(async () => (await h.engine.store.getBackfill(launched.backfillId!))?.status).toBe('completed');
    expect(backfills.find((b) => b.id === launched.backfillId)).toMatchObject({ selection: 'northbridge/prices', triggeredBy: 'operator-bot', runIds: [launched.runId] });
  });

  it('refuses a run over a partition that is not a key, before recording anything', async () => {
    const runs = (await h.engine.store.listRuns({ limit: 500 })).length;
    const response = await h.request('/api/materialize', { method: 'POST', as: 'operator', body: { selection: 'northbridge/pnl', partition: '2026-11-17|PF999' } });
    expect(response.status).toBe(400);
    expect((await json<ApiError>(response)).error).toMatchObject({ code: 'invalid-partition-key', message: expect.stringContaining('2026-11-17|PF999') });
    expect((await h.request('/api/materialize', { method: 'POST', as: 'operator', body: { selection: 'northbridge/pnx' } })).status).toBe(404);
    expect(await h.engine.store.listRuns({ limit: 500 })).toHaveLength(runs);
  });

  it('counts the steps it ran in its metrics', async () => {
    const text = await (await h.request('/metrics', { as: 'viewer' })).text();
    // At least: the rematerialized pnl partition, the retried executions partition and the backfill's two.
    expect(Number(/^daybook_steps_total\{status="succeeded"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(4);
    expect(Number(/^daybook_steps_total\{status="cancelled"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(Number(/^daybook_step_duration_seconds_count\{asset="northbridge\/pnl"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^daybook_runs_active 0$/m);
  });
});
