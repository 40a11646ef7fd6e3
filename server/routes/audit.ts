// The audit log, filtered and paged.
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { auditPageSchema } from '../schemas/audit.ts';
import { idSchema, intParam } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import { auditEventView } from '../views.ts';

/** GET /api/audit. */
export function auditRoutes({ engine }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: 'Audit events in chain order, filtered by asset, partition, run, action or actor',
      tag: 'audit',
      role: 'viewer',
      query: z
        .object({
          asset: z.string().max(200).optional(),
          partition: z.string().max(400).optional(),
          runId: idSchema.optional(),
          action: z.string().max(200).optional(),
          actor: z.string().max(200).optional(),
          afterSeq: intParam(0, Number.MAX_SAFE_INTEGER, 0),
          limit: intParam(1, 1_000, 100),
        })
        .strict(),
      responses: { 200: { description: 'a page of events', schema: auditPageSchema }, 400: { description: 'malformed parameters' } },
      async handle(c, { query }) {
        const events = await engine.store.listAuditEvents(query);
        return c.json({ events: events.map(auditEventView), nextAfterSeq: events.length === query.limit ? events.at(-1)!.seq : null });
      },
    }),
  ];
}
