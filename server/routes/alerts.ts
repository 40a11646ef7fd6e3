// Alerts the daemon (and workers' heartbeat watch) raised, with their history: what operators look at first.
import { z } from 'zod';
import { ALERT_KINDS, createAlertManager } from '../../framework/index.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { notFound } from '../http-error.ts';
import { alertDetailSchema, alertListSchema } from '../schemas/alerts.ts';
import { idParams, intParam } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import { alertEventView, alertView } from '../views.ts';

/** GET /api/alerts and GET /api/alerts/{id}. */
export function alertRoutes({ engine }: ServerServices): AnyRoute[] {
  // Read only: nothing is fired or notified from here.
  const alerts = createAlertManager({ store: engine.store });
  return [
    defineRoute({
      method: 'get',
      path: '/api/alerts',
      summary: 'Alerts, the most recently seen first, filtered by state and kind',
      tag: 'alerts',
      role: 'viewer',
      query: z
        .object({
          state: z.enum(['firing', 'resolved']).optional(),
          kind: z.enum(ALERT_KINDS).optional(),
          limit: intParam(1, 1_000, 200),
        })
        .strict(),
      responses: { 200: { description: 'the alerts', schema: alertListSchema }, 400: { description: 'malformed parameters' } },
      async handle(c, { query }) {
        const found = await alerts.list({ ...(query.state ? { state: query.state } : {}), ...(query.kind ? { kind: query.kind } : {}), limit: query.limit });
        return c.json({ alerts: found.map(alertView) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/{id}',
      summary: 'One alert with its history: fired, repeated, escalated, notified (per channel) and resolved',
      tag: 'alerts',
      role: 'viewer',
      params: idParams,
      responses: { 200: { description: 'the alert', schema: alertDetailSchema }, 400: { description: 'a malformed id' }, 404: { description: 'unknown alert' } },
      async handle(c, { params }) {
        const alert = await alerts.byId(params.id);
        if (!alert) throw notFound(`unknown alert "${params.id}"`);
        return c.json({ alert: alertView(alert), history: (await alerts.history(alert.id)).map(alertEventView) });
      },
    }),
  ];
}
