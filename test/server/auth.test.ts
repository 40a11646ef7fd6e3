// Bearer tokens and roles: who may read, who may launch runs, who may manage tokens; revoked tokens
// are refused; every mutating request is in the audit log under the token's name.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, AuditPage, CreatedToken, LaunchedRun, RunDetail, TokenList, Whoami } from '../../server/api-types.ts';
import { ensureAdminToken, generateToken, hashToken } from '../../server/auth.ts';
import { openTestStore } from '../support/test-stores.ts';
import { eventually, json, openServerHarness, runEnded, type ServerHarness } from './harness.ts';

let h: ServerHarness;
beforeAll(async () => {
  h = await openServerHarness({ anonymousReads: false, tokenReloadMs: 200 });
});
afterAll(async () => {
  await h?.close();
});

const ONE_PARTITION = { selection: 'northbridge/prices', partition: '2026-11-17', force: true };

async function apiEvents(action: string): Promise<AuditPage['events']> {
  return (await json<AuditPage>(await h.request(`/api/audit?action=${action}&limit=1000`, { as: 'viewer' }))).events;
}

describe('reading', () => {
  it('needs a token when anonymous reads are off, and takes any role', async () => {
    const refused = await h.request('/api/assets');
    expect(refused.status).toBe(401);
    expect((await json<ApiError>(refused)).error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('needs a token with role viewer') });
    for (const role of ['viewer', 'operator', 'admin'] as const) expect((await h.request('/api/freshness/northbridge/pnl', { as: role })).status).toBe(200);
    expect((await h.request('/metrics')).status).toBe(401);
    expect((await h.request('/api/health')).status).toBe(200);
    expect((await h.request('/api/openapi.json')).status).toBe(200);
  });

  it('refuses a malformed header or an unknown token, even for reads', async () => {
    const malformed = await h.app.request('/api/assets', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(malformed.status).toBe(401);
    expect((await json<ApiError>(malformed)).error.message).toMatch(/^the Authorization header must be "Bearer <token>"/);
    const unknown = await h.request('/api/assets', { token: generateToken().token });
    expect(unknown.status).toBe(401);
    expect((await json<ApiError>(unknown)).error.message).toMatch(/^the bearer token is unknown or revoked/);
  });

  it('says who is calling', async () => {
    expect(await json<Whoami>(await h.request('/api/whoami', { as: 'operator' }))).toEqual({ name: 'operator-bot', role: 'operator', anonymous: false });
    expect(await json<Whoami>(await h.request('/api/whoami'))).toEqual({ name: 'anonymous', role: null, anonymous: true });
  });
});

describe('mutating', () => {
  it('answers 401 without a token and records nothing', async () => {
    const before = (await apiEvents('api.materialize')).length;
    const response = await h.request('/api/materialize', { method: 'POST', body: ONE_PARTITION });
    expect(response.status).toBe(401);
    expect(await apiEvents('api.materialize')).toHaveLength(before);
  });

  it('answers 403 to a viewer, and records the refusal under its name', async () => {
    const response = await h.request('/api/materialize', { method: 'POST', as: 'viewer', body: ONE_PARTITION });
    expect(response.status).toBe(403);
    expect((await json<ApiError>(response)).error.message).toBe('token "viewer-bot" has role viewer; POST needs a token with role operator');
    const [event] = (await apiEvents('api.materialize')).filter((e) => e.actor === 'viewer-bot');
    expect(event).toMatchObject({ actor: 'viewer-bot', payload: { method: 'POST', path: '/api/materialize', status: 403, role: 'viewer' } });
  });

  it("launches an operator's run, which carries the token's name into the run and the audit log", async () => {
    const response = await h.request('/api/materialize', { method: 'POST', as: 'operator', body: ONE_PARTITION });
    expect(response.status).toBe(202);
    const launched = await json<LaunchedRun>(response);
    expect(launched).toMatchObject({ steps: 1, backfillId: null, retryOf: null });
    expect(await runEnded(h, launched.runId)).toBe('succeeded');
    const detail = await json<RunDetail>(await h.request(`/api/runs/${launched.runId}`, { as: 'viewer' }));
    expect(detail.run).toMatchObject({ triggeredBy: 'operator-bot', trigger: 'api', selection: 'northbridge/prices' });
    expect(detail.steps.map((step) => [step.asset, step.partition, step.reason, step.status])).toEqual([['northbridge/prices', '2026-11-17', 'forced', 'succeeded']]);
    const [request] = (await apiEvents('api.materialize')).filter((e) => e.runId === launched.runId);
    expect(request).toMatchObject({ actor: 'operator-bot', payload: { status: 202, role: 'operator', method: 'POST' } });
    const runEvents = (await json<AuditPage>(await h.request(`/api/audit?runId=${launched.runId}`, { as: 'viewer' }))).events;
    expect(runEvents.find((e) => e.action === 'run.created')).toMatchObject({ actor: 'operator-bot', payload: { triggeredBy: 'operator-bot', trigger: 'api' } });
    const byActor = (await json<AuditPage>(await h.request('/api/audit?actor=operator-bot&limit=1000', { as: 'viewer' }))).events;
    expect(byActor.map((e) => [e.action, e.runId])).toEqual([
      ['run.created', launched.runId],
      ['api.materialize', launched.runId],
    ]);
  });
});

describe('tokens', () => {
  it('lets only an admin list and create tokens; a new token works at once', async () => {
    expect((await h.request('/api/tokens', { as: 'operator' })).status).toBe(403);
    const created = await h.request('/api/tokens', { method: 'POST', as: 'admin', body: { name: 'risk-poller', role: 'viewer' } });
    expect(created.status).toBe(201);
    const token = await json<CreatedToken>(created);
    expect(token).toMatchObject({ name: 'risk-poller', role: 'viewer', createdBy: 'admin-bot', revokedAt: null });
    expect(token.token.startsWith(token.prefix)).toBe(true);
    expect((await h.request('/api/freshness/northbridge/pnl', { token: token.token })).status).toBe(200);
    const { tokens } = await json<TokenList>(await h.request('/api/tokens', { as: 'admin' }));
    expect(tokens.map((t) => t.name)).toEqual(['viewer-bot', 'operator-bot', 'admin-bot', 'risk-poller']);
    expect(JSON.stringify(tokens)).not.toContain(token.token);
    const duplicate = await h.request('/api/tokens', { method: 'POST', as: 'admin', body: { name: 'risk-poller', role: 'viewer' } });
    expect(duplicate.status).toBe(400);
    expect((await json<ApiError>(duplicate)).error.message).toBe('an api token named "risk-poller" already exists; revoke it or pick another name');
    const [event] = (await apiEvents('api.token-create')).filter((e) => e.payload.status === 201);
    expect(event).toMatchObject({ actor: 'admin-bot' });
    expect(JSON.stringify(await apiEvents('token.created'))).not.toContain(token.token);
  });

  it('refuses a token revoked through the API at once', async () => {
    const { token } = await json<CreatedToken>(await h.request('/api/tokens', { method: 'POST', as: 'admin', body: { name: 'short-lived', role: 'operator' } }));
    expect((await h.request('/api/assets', { token })).status).toBe(200);
    const revoked = await h.request('/api/tokens/short-lived/revoke', { method: 'POST', as: 'admin' });
    expect(revoked.status).toBe(200);
    expect((await json<{ revokedAt: string | null }>(revoked)).revokedAt).not.toBeNull();
    const refused = await h.request('/api/materialize', { method: 'POST', token, body: ONE_PARTITION });
    expect(refused.status).toBe(401);
    expect((await h.request('/api/assets', { token })).status).toBe(401);
    expect((await h.request('/api/tokens/short-lived/revoke', { method: 'POST', as: 'admin' })).status).toBe(404);
  });

  it('refuses a token revoked by another process once it reloads its token table', async () => {
    const { token, hash, prefix } = generateToken();
    await h.engine.store.createApiToken({ name: 'elsewhere', role: 'viewer', tokenHash: hash, prefix }, { actor: 'test' });
    await eventually(async () => ((await h.request('/api/assets', { token })).status === 200 ? true : undefined), 5_000);
    await h.engine.store.revokeApiToken('elsewhere', { actor: 'test' });
    await eventually(async () => ((await h.request('/api/assets', { token })).status === 401 ? true : undefined), 5_000);
  });

  it('creates an admin token on first start, once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'daybook-first-start-'));
    const store = await openTestStore('pglite', root);
    try {
      const first = await ensureAdminToken(store);
      expect(first).toMatchObject({ name: 'admin', token: expect.stringMatching(/^dbk_[A-Za-z0-9_-]{43}$/) });
      expect(await ensureAdminToken(store)).toBeUndefined();
      const [record] = await store.listApiTokens();
      expect(record).toMatchObject({ name: 'admin', role: 'admin', tokenHash: hashToken(first!.token), revokedAt: null });
      expect((await store.listAuditEvents({ action: 'token.created' })).map((e) => [e.actor, e.payload.name])).toEqual([['daybook serve', 'admin']]);
    } finally {
      await store.dispose();
      await rm(root, { recursive: true, force: true });
    }
  });
});
