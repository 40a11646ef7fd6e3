// One declaration per endpoint: it mounts the Hono handler (auth, validation, audit) and describes the
// operation for the OpenAPI document, so the document cannot miss a route.
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { ServerEnv } from './server-env.ts';
import { errorResponse, HttpError } from './http-error.ts';
import { authorize, type Role } from './auth.ts';

/** One response of an operation. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default `application/json`. */
  readonly contentType?: string;
}

/** What a handler gets: the validated params, query and body. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** An endpoint: its OpenAPI description, who may call it, and its handler. */
export interface RouteSpec<P = Record<string, never>, Q = Record<string, never>, B = undefined> {
  readonly method: 'get' | 'post';
  /** In OpenAPI form: `/api/assets/{key}/partitions`. `{key}` is an asset key and matches across `/`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** The least role that may call it; `public` for anyone. */
  readonly role: Role | 'public';
  /** For mutating routes: the audit action, written as `api.<audit>` with the caller's name. */
  readonly audit?: string;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly description?: string;
  handle(c: Context<ServerEnv>, input: RouteInput<P, Q, B>): Response | Promise<Response>;
}

/**
 * Declares a route with its types inferred from its schemas.
 *
 * @example
 * defineRoute({ method: 'get', path: '/api/health', summary: 'Liveness', tag: 'meta', role: 'public',
 *   responses: { 200: { description: 'up', schema: z.object({ ok: z.boolean() }) } }, handle: (c) => c.json({ ok: true }) });
 */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

/** `/api/assets/{key}/partitions` → `/api/assets/:key{.+}/partitions`: an asset key may be URL-encoded or plain. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'key' ? `:${name}{.+}` : `:${name}`));
}

/** Mounts the routes in order: where two patterns match one path, the first mounted answers. */
export function mountRoutes(app: Hono<ServerEnv>, routes: readonly AnyRoute[], audit: (c: Context<ServerEnv>, route: AnyRoute, status: number) => Promise<void>): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
      let response: Response;
      try {
        authorize(route.role, route.method, c.get('caller'), c.get('refused'));
        const input = {
          params: route.params ? parse(route.params, c.req.param(), 'path') : {},
          query: route.query ? parse(route.query, c.req.query(), 'query') : {},
          body: route.body ? parse(route.body, await jsonBody(c), 'body') : undefined,
        };
        response = await route.handle(c, input);
      } catch (error) {
        response = errorResponse(c, error);
      }
      const caller = c.get('caller');
      // Only authenticated callers are recorded: a 401 has no name, and would let anyone grow the log.
      if (route.audit !== undefined && caller !== undefined && !caller.anonymous) await audit(c, route, response.status);
      return response;
    });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  const field = first.path.length > 0 ? `${where} field "${first.path.join('.')}"` : where;
  throw new HttpError(400, 'invalid-request', `${field}: ${first.message}${result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more issues)` : ''}`, result.error.issues);
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new HttpError(400, 'invalid-request', 'body: expected a JSON object, got an empty body');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid-request', `body: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
