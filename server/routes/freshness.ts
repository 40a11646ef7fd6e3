// The freshness contract for downstream teams, and the SLA board. Both are answered from memory.
import { z } from 'zod';
import { selectAssets } from '../../framework/index.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { HttpError } from '../http-error.ts';
import { freshnessBatchSchema, freshnessSchema, slaBoardSchema } from '../schemas/freshness.ts';
import { keyParams, partitionParam } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';

const MAX_BATCH = 500;

/** GET /api/freshness/{key}, GET /api/freshness?assets=… and GET /api/sla. */
export function freshnessRoutes({ catalog }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/freshness/{key}',
      summary: 'Is this asset partition ready? Status, data version, checks and SLA; the partition defaults to the latest expected one',
      tag: 'freshness',
      role: 'viewer',
      params: keyParams,
      query: z.object({ partition: partitionParam.optional() }).strict(),
      responses: {
        200: { description: 'the freshness', schema: freshnessSchema },
        400: { description: 'malformed parameters, or a partition that is neither a key nor a date of the asset' },
        404: { description: 'unknown asset' },
      },
      async handle(c, { params, query }) {
        return c.json(await catalog.freshness(params.key, query.partition));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/freshness',
      summary: 'The freshness of many assets at once',
      tag: 'freshness',
      role: 'viewer',
      query: z
        .object({
          assets: z.string().min(1).max(20_000).describe('a selection: keys joined by commas, group:NAME, tag:K=V, *'),
          partition: partitionParam.optional(),
        })
        .strict(),
      responses: {
        200: { description: 'one freshness per selected asset', schema: freshnessBatchSchema },
        400: { description: 'malformed parameters, or more than 500 assets' },
        404: { description: 'an unknown asset' },
      },
      async handle(c, { query }) {
        const ids = selectAssets(catalog.definitions, query.assets);
        if (ids.length > MAX_BATCH) throw new HttpError(400, 'invalid-request', `query field "assets": selects ${ids.length} assets; at most ${MAX_BATCH} per request`);
        const results = [];
        for (const id of ids) results.push(await catalog.freshness(catalog.definitions.assets[id]!.key, query.partition));
        return c.json({ results });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sla',
      summary: "The SLA board: each deadline of a day (today by default), met, at risk, missed or pending",
      tag: 'freshness',
      role: 'viewer',
      query: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').optional() }).strict(),
      responses: { 200: { description: 'the deadlines', schema: slaBoardSchema }, 400: { description: 'malformed parameters' } },
      async handle(c, { query }) {
        const board = await catalog.slaBoard(query.date);
        return c.json({
          date: board.date,
          now: new Date(catalog.now()).toISOString(),
          items: board.items.map((item) => ({
            asset: item.asset,
            partition: item.partition,
            deadline: item.deadline,
            localDeadline: item.localDeadline,
            state: item.state,
            status: item.status,
            materializedAt: item.materializedAt,
          })),
        });
      },
    }),
  ];
}
