// A server on NorthBridge materialized for real (two sessions, real DuckDB and PGlite), with a token of
// each role, for the API tests. The clock is fixed on the morning after the second session.
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { xnys } from '../../calendars/index.ts';
import { defineDefinitions, fixedClock, materialize, type RunSummary } from '../../framework/index.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { generateToken, type Role } from '../../server/auth.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

/** The sessions materialized: Monday 16 and Tuesday 17 November 2026. */
export const SESSIONS = ['2026-11-16', '2026-11-17'] as const;
/** Wednesday 18 November 2026, 10:00 UTC (05:00 New York): both sessions have ended; the 06:30 deadline is ahead. */
export const NOW = Date.UTC(2026, 10, 18, 10);

export interface ServerHarness {
  readonly engine: TestEngine;
  readonly app: DaybookApp;
  /** The first run, which materialized everything. */
  readonly run: RunSummary;
  /** Bearer secrets by role, of tokens named `<role>-bot`. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** `app.request` with the role's token (none for `undefined`). */
  request(path: string, init?: { method?: string; body?: unknown; as?: Role | undefined; token?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Opens the engine, materializes both sessions, creates the tokens and builds the app. */
export async function openServerHarness({ anonymousReads = false, tokenReloadMs }: { anonymousReads?: boolean; tokenReloadMs?: number } = {}): Promise<ServerHarness> {
  const engine = await openTestEngine({ definitions: defineDefinitions(northbridge) });
  await generateLanding({ root: engine.landing, from: SESSIONS[0], to: SESSIONS[1], scale: 0.2, seed: 11 });
  const run = await materialize(engine, { partitions: { from: SESSIONS[0], to: SESSIONS[1] } });
  if (run.status !== 'succeeded') throw new Error(`the harness's run ${run.runId} ${run.status}`);
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const { token, hash, prefix } = generateToken();
    await engine.store.createApiToken({ name: `${role}-bot`, role, tokenHash: hash, prefix }, { actor: 'test' });
    tokens[role] = token;
  }
  const app = await createApp({ engine, calendars: [xnys()], clock: fixedClock(NOW), anonymousReads, refreshMs: 200, ...(tokenReloadMs ? { tokenReloadMs } : {}), ui: async () => new Map() });
  return {
    engine,
    app,
    run,
    tokens,
    async request(path, { method = 'GET', body, as, token } = {}) {
      const secret = token ?? (as === undefined ? undefined : tokens[as]);
      const headers: Record<string, string> = {};
      if (secret !== undefined) headers.authorization = `Bearer ${secret}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return app.request(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    },
    async close() {
      await app.close();
      await engine.close();
    },
  };
}

/** Polls until `check` returns a value (at most `timeoutMs`), e.g. until a run has ended. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a run to end and returns its status. */
export async function runEnded(h: ServerHarness, runId: string): Promise<string> {
  return eventually(async () => {
    const { run } = await json<{ run: { status: string } }>(await h.request(`/api/runs/${runId}`, { as: 'viewer' }));
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run.status : undefined;
  });
}

/** Reads a JSON body, typed. */
export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
