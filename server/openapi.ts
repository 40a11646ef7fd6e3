// The OpenAPI 3.1 document, generated from the routes' zod schemas with zod 4's z.toJSONSchema.
// Schemas with an id (`.meta({ id })`) become shared components.
import { z } from 'zod';
import type { AnyRoute } from './api-route.ts';
import { errorSchema } from './schemas/common.ts';

type JsonSchema = Record<string, unknown>;

/** Converts a schema, moving its named parts into `components` and pointing at them there. */
function convert(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const text = JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/');
  const { $defs = {}, $schema: _schema, ...rest } = JSON.parse(text) as JsonSchema & { $defs?: Record<string, JsonSchema>; $schema?: string };
  Object.assign(components, $defs);
  return rest;
}

/** Path and query parameters of an object schema. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Record<string, JsonSchema>): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const description = field.description;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(description === undefined ? {} : { description }),
      ...(name === 'key' && where === 'path' ? { description: 'an asset key, URL-encoded (northbridge%2Fpositions); the plain path form works too' } : {}),
      schema: convert(field, 'input', components),
    };
  });
}

/**
 * Builds the document: one operation per route, with its parameters, body, responses and the role
 * it needs.
 *
 * @example
 * const document = openApiDocument(routes); // { openapi: '3.1.0', paths: { '/api/assets': { get: … } }, … }
 */
export function openApiDocument(routes: readonly AnyRoute[]): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const error = convert(errorSchema, 'output', components);
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const contentType = response.contentType ?? 'application/json';
      const schema = response.schema ? convert(response.schema, 'output', components) : Number(status) >= 400 ? error : undefined;
      responses[status] = { description: response.description, ...(schema ? { content: { [contentType]: { schema } } } : {}) };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: [route.tag],
      'x-daybook-role': route.role,
      ...(route.role === 'public' ? { security: [] } : {}),
      parameters: [...parameters(route.params, 'path', components), ...parameters(route.query, 'query', components)],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: convert(route.body, 'input', components) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Daybook', version: '1', description: 'Partitioned assets: catalog, lineage, freshness, runs and audit. See docs/server.md.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token: daybook token create' } } },
  };
}
