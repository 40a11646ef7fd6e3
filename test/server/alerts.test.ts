// GET /api/alerts and GET /api/alerts/{id} over alerts the alert manager stored (real PGlite): the
// list filters by state and kind, an alert comes with its history, readers need a viewer token, and
// bad input is refused with the usual error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import { createAlertManager, defineAsset, defineDefinitions, fixedClock, staticKeys } from '../../framework/index.ts';
import type { ApiError } from '../../server/api-types.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { generateToken } from '../../server/auth.ts';
import { alertDetailSchema, alertListSchema } from '../../server/schemas/alerts.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';
import { json } from './harness.ts';

const clock = fixedClock(Date.parse('2026-11-20T16:00:00Z'));
let engine: TestEngine;
let app: DaybookApp;
let viewer: string;

beforeAll(async () => {
  engine = await openTestEngine({ definitions: defineDefinitions([defineAsset({ key: 'a/x', partitions: staticKeys(['k']), compute: 'select 1 as x' })]), clock });
  const alerts = createAlertManager({ store: engine.store });
  await alerts.fire({ key: 'queue-depth:redshift', kind: 'queue-depth', severity: 'warning', summary: 'pool redshift: 240 steps waiting' });
  clock.set(clock.now() + 60_000);
  await alerts.fire({ key: 'sla:a/x[k]', kind: 'sla-at-risk', severity: 'warning', asset: 'a/x', partition: 'k', summary: 'a/x[k] is at risk' });
  clock.set(clock.now() + 60_000);
  await alerts.fire({ key: 'sla:a/x[k]', kind: 'sla-missed', severity: 'critical', asset: 'a/x', partition: 'k', summary: 'a/x[k] missed its deadline' });
  await alerts.reconcile('queue-depth', []);
  const { token, hash, prefix } = generateToken();
  await engine.store.createApiToken({ name: 'ops', role: 'viewer', tokenHash: hash, prefix }, { actor: 'test' });
  viewer = token;
  app = await createApp({ engine, calendars: [xnys()], clock, ui: async () => new Map() });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const get = (path: string, token: string | null = viewer) => app.request(path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe('GET /api/alerts', () => {
  it('lists alerts the most recently seen first, and filters by state and kind', async () => {
    const all = await json<{ alerts: { key: string; kind: string; state: string; severity: string }[] }>(await get('/api/alerts'));
    expect(alertListSchema.parse(all)).toEqual(all);
    expect(all.alerts.map((alert) => [alert.key, alert.kind, alert.severity, alert.state])).toEqual([
      ['sla:a/x[k]', 'sla-missed', 'critical', 'firing'],
      ['queue-depth:redshift', 'queue-depth', 'warning', 'resolved'],
    ]);
    const firing = await json<{ alerts: { key: string }[] }>(await get('/api/alerts?state=firing'));
    expect(firing.alerts.map((alert) => alert.key)).toEqual(['sla:a/x[k]']);
    const queue = await json<{ alerts: { key: string }[] }>(await get('/api/alerts?kind=queue-depth'));
    expect(queue.alerts.map((alert) => alert.key)).toEqual(['queue-depth:redshift']);
  });

  it('gives one alert with its history, oldest first', async () => {
    const { alerts } = await json<{ alerts: { id: string; key: string }[] }>(await get('/api/alerts?state=firing'));
    const response = await get(`/api/alerts/${alerts[0]!.id}`);
    expect(response.status).toBe(200);
    const body = await json<{ alert: { summary: string; firstSeen: string; lastSeen: string }; history: { event: string }[] }>(response);
    expect(alertDetailSchema.parse(body)).toEqual(body);
    expect(body.alert).toMatchObject({ summary: 'a/x[k] missed its deadline', firstSeen: '2026-11-20T16:01:00.000Z', lastSeen: '2026-11-20T16:02:00.000Z' });
    expect(body.history.map((event) => event.event)).toEqual(['fired', 'escalated']);
  });

  it('refuses a reader without a token, an unknown alert, a malformed id and an unknown kind', async () => {
    expect((await get('/api/alerts', null)).status).toBe(401);
    const unknown = await get('/api/alerts/01a2044b-0000-7000-8bc1-73ef3f35b9cf');
    expect(unknown.status).toBe(404);
    expect((await json<ApiError>(unknown)).error.message).toContain('unknown alert "01a2044b-0000-7000-8bc1-73ef3f35b9cf"');
    expect((await get('/api/alerts/nope')).status).toBe(400);
    const kind = await get('/api/alerts?kind=bogus');
    expect(kind.status).toBe(400);
    expect((await json<ApiError>(kind)).error.code).toBe('invalid-request');
  });
});
