// The catalog: assets, one asset's detail, its partitions and their status grid.
import { z } from 'zod';
import type { PartitionsDefinition } from '../../framework/index.ts';
import type { PartitionsResponse, PartitionView } from '../api-types.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { partitionStatusSchema } from '../schemas/common.ts';
import { assetDetailSchema, assetListSchema, partitionGridSchema, partitionsResponseSchema } from '../schemas/assets.ts';
import { intParam, keyParams } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import { STATUS_NAMES } from '../state/status.ts';
import { statusCodes, summarize } from '../state/summary.ts';
import { assetSummary, checkResultView, edgeView, materializationView, publishView } from '../views.ts';
import { pagePartitions } from './partition-page.ts';

const listQuery = z
  .object({
    q: z.string().max(200).optional(),
    group: z.string().max(200).optional(),
    owner: z.string().max(200).optional(),
    tag: z.string().max(400).optional(),
    status: partitionStatusSchema.optional(),
    kind: z.enum(['asset', 'source']).optional(),
  })
  .strict();

const partitionsQuery = z
  .object({
    status: partitionStatusSchema.optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: intParam(0, Number.MAX_SAFE_INTEGER, 0),
    limit: intParam(1, 1_000, 50),
    maxRanges: intParam(0, 100_000, 2_000),
  })
  .strict();

const gridQuery = z.object({ offset: intParam(0, Number.MAX_SAFE_INTEGER, 0), limit: intParam(1, 2_000_000, 1_000_000) }).strict();

const notFound = { description: 'unknown asset' };

type Dimensions = PartitionsResponse['dimensions'];
const dimensionCache = new WeakMap<PartitionsDefinition, { size: number; dimensions: Dimensions }>();

/** The key space's dimensions, with their keys when there are at most 1,000; kept until a dynamic dimension grows. */
function dimensionsOf(definition: PartitionsDefinition): Dimensions {
  const cached = dimensionCache.get(definition);
  if (cached && cached.size === definition.size()) return cached.dimensions;
  const dimensions = (definition.dimensions ?? [{ name: definition.spec.kind, definition }]).map(({ name, definition: dimension }) => {
    const size = dimension.size();
    return { name, size, keys: size <= 1_000 ? Array.from({ length: size }, (_, i) => dimension.keyAt(i)) : null };
  });
  dimensionCache.set(definition, { size: definition.size(), dimensions });
  return dimensions;
}
const invalid = { description: 'malformed parameters' };

/** GET /api/assets, /api/assets/{key}, /api/assets/{key}/partitions and …/partitions/grid. */
export function assetRoutes({ catalog, engine }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/assets',
      summary: 'Search and filter the asset catalog',
      tag: 'catalog',
      role: 'viewer',
      query: listQuery,
      responses: { 200: { description: 'the matching assets', schema: assetListSchema }, 400: invalid },
      async handle(c, { query }) {
        const [tagName, tagValue] = query.tag === undefined ? [] : (query.tag.split('=', 2) as [string, string | undefined]);
        const needle = query.q?.toLowerCase();
        const assets = [];
        for (const entry of catalog.index.entries()) {
          const { asset } = entry;
          if (query.kind !== undefined && asset.kind !== query.kind) continue;
          if (query.group !== undefined && asset.group !== query.group) continue;
          if (query.owner !== undefined && !asset.owners.includes(query.owner)) continue;
          if (tagName !== undefined && (!(tagName in asset.tags) || (tagValue !== undefined && asset.tags[tagName] !== tagValue))) continue;
          if (needle !== undefined && !asset.key.includes(needle) && !asset.description.toLowerCase().includes(needle)) continue;
          const summary = await assetSummary(catalog, entry);
          if (query.status !== undefined && summary.freshness.status !== query.status) continue;
          assets.push(summary);
        }
        return c.json({ assets, total: assets.length });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/assets/{key}/partitions/grid',
      summary: "One status character per partition, for drawing an asset's partition grid",
      tag: 'catalog',
      role: 'viewer',
      params: keyParams,
      query: gridQuery,
      responses: { 200: { description: 'the statuses', schema: partitionGridSchema }, 400: invalid, 404: notFound },
      handle(c, { params, query }) {
        const entry = catalog.index.entry(params.key);
        const total = entry.state.failed.length;
        const offset = Math.min(query.offset, total);
        const count = Math.min(query.limit, total - offset);
        return c.json({ asset: params.key, offset, count, total, codes: statusCodes(catalog.index, entry, catalog.expected(entry), offset, count) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/assets/{key}/partitions',
      summary: "An asset's partition status counts, status ranges, and a page of partitions with status and reason",
      tag: 'catalog',
      role: 'viewer',
      params: keyParams,
      query: partitionsQuery,
      responses: { 200: { description: 'the partitions', schema: partitionsResponseSchema }, 400: invalid, 404: notFound },
      async handle(c, { params, query }) {
        const entry = catalog.index.entry(params.key);
        const expected = catalog.expected(entry);
        const summary = summarize(catalog.index, entry, expected, query.maxRanges);
        const definition = entry.asset.partitions;
        const ranges = [];
        for (let i = 0; i < summary.ranges.length; i += 3) ranges.push({ start: summary.ranges[i]!, end: summary.ranges[i + 1]!, status: STATUS_NAMES[summary.ranges[i + 2]!]! });
        const statusCode = query.status === undefined ? undefined : STATUS_NAMES.indexOf(query.status);
        const items: PartitionView[] = await pagePartitions({ catalog, store: engine.store, entry, expected, status: statusCode, order: query.order, offset: query.offset, limit: query.limit });
        const body: PartitionsResponse = {
          asset: params.key,
          total: definition.size(),
          expected,
          counts: Object.fromEntries(STATUS_NAMES.map((name, code) => [name, summary.counts[code]!])) as PartitionsResponse['counts'],
          dimensions: dimensionsOf(definition),
          ranges,
          rangesTruncated: summary.truncated,
          page: {
            offset: query.offset,
            limit: query.limit,
            total: statusCode === undefined ? expected : summary.counts[statusCode]!,
            order: query.order,
            items,
          },
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/assets/{key}',
      summary: "An asset's spec, deps with their mappings, latest materializations and checks, publish targets and SLA",
      tag: 'catalog',
      role: 'viewer',
      params: keyParams,
      responses: { 200: { description: 'the asset', schema: assetDetailSchema }, 400: invalid, 404: notFound },
      async handle(c, { params }) {
        const { definitions, store } = engine;
        const entry = catalog.index.entry(params.key);
        const { asset, id } = entry;
        const [summary, materializations, checks, publishes] = await Promise.all([
          assetSummary(catalog, entry),
          store.currentMaterializations(asset.key, { limit: 20 }),
          store.listCheckResults({ asset: asset.key, limit: 50 }),
          store.latestPublishes(asset.key),
        ]);
        return c.json({
          ...summary,
          codeVersion: asset.codeVersion ?? null,
          compute: {
            kind: typeof asset.compute === 'string' ? 'sql' : typeof asset.compute === 'function' ? 'function' : 'none',
            sql: typeof asset.compute === 'string' ? asset.compute : null,
          },
          partitionsSpec: { ...asset.partitions.spec },
          partitionsDescription: asset.partitions.description,
          keyFormat: asset.partitions.keyFormat,
          location: asset.location ? { pattern: asset.location.pattern, format: asset.location.format ?? null } : null,
          deps: definitions.depsOf(id).map((edge) => edgeView(definitions, edge, 'upstream')),
          dependents: definitions.dependentsOf(id).map((edge) => edgeView(definitions, edge, 'downstream')),
          materializations: materializations.map(materializationView),
          checks: {
            definitions: asset.checks.map(({ spec }) => ({ name: spec.name, severity: spec.severity, blocking: spec.blocking, description: spec.description ?? null })),
            latest: checks.map(checkResultView),
          },
          publish: asset.publish.map((target) => target.name),
          publishes: publishes.slice(0, 20).map(publishView),
          sla: asset.sla
            ? {
                deadline: asset.sla.deadline,
                tz: asset.sla.tz,
                calendar: asset.sla.calendar ?? null,
                partition: asset.sla.partition,
                weekday: asset.sla.weekday ?? null,
                status: summary.freshness.sla,
              }
            : null,
        });
      },
    }),
  ];
}
