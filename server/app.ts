// The Daybook HTTP server as a Hono app: the JSON API, metrics, events, the OpenAPI document and the UI.
import { Hono } from 'hono';
import { PatternRouter } from 'hono/router/pattern-router';
import { z } from 'zod';
import { openEngine, systemClock, type AuditArchive, type Calendar, type Clock, type DaybookConfig, type Engine } from '../framework/index.ts';
import { defineRoute, mountRoutes, type AnyRoute } from './api-route.ts';
import { authenticate, TokenTable } from './auth.ts';
import { EventHub } from './event-hub.ts';
import { errorResponse } from './http-error.ts';
import { Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { assetRoutes } from './routes/assets.ts';
import { alertRoutes } from './routes/alerts.ts';
import { auditRoutes } from './routes/audit.ts';
import { freshnessRoutes } from './routes/freshness.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { metaRoutes } from './routes/meta.ts';
import { runRoutes } from './routes/runs.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { RunManager } from './runs/run-manager.ts';
import type { ServerEnv } from './server-env.ts';
import type { ServerServices } from './services.ts';
import { Catalog } from './state/catalog.ts';
import { uiFiles, type UiSource } from './ui-files.ts';

export type AppOptions = ({ engine: Engine; config?: never } | { config: DaybookConfig; engine?: never }) & {
  /** Calendars an SLA may name; default the config's. */
  calendars?: readonly Calendar[];
  clock?: Clock;
  /** Whether GET requests without a token may read (as `anonymous`, a viewer). `daybook serve` turns it on when it listens on loopback. Default false. */
  anonymousReads?: boolean;
  /** Where the UI's files come from; default ui/build.ts, built on the first request. */
  ui?: UiSource;
  /** How often to look for store changes other processes made, ms; default 1000. */
  refreshMs?: number;
  /** How often to reload the token table, ms; default 5000. */
  tokenReloadMs?: number;
  /** Where audit exports live, so the auditor's report also covers runs pruned from the hot store. */
  archive?: AuditArchive;
};

/** The Hono app with the services behind it, and `close()` to stop its runs and timers. */
export type DaybookApp = Hono<ServerEnv> & {
  readonly services: ServerServices;
  /** Cancels the runs in progress, stops following the store, and closes the engine if the app opened it. */
  close(): Promise<void>;
};

/**
 * Builds the server: loads the partition index from the store, the token table, and mounts every
 * route. Test it with `app.request()`; serve it with `serve()` (server/serve.ts).
 *
 * @example
 * const app = await createApp({ engine, anonymousReads: true });
 * const response = await app.request('/api/freshness/northbridge%2Fpnl');
 * await app.close();
 */
export async function createApp(options: AppOptions): Promise<DaybookApp> {
  const opened = options.engine === undefined ? await openEngine(options.config) : undefined;
  const engine = options.engine ?? opened!;
  const clock = options.clock ?? systemClock;
  const calendars = options.calendars ?? options.config?.calendars ?? [];
  const catalog = await Catalog.open({ store: engine.store, definitions: engine.definitions, calendars, clock, ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}) });
  const tokens = new TokenTable(engine.store, options.tokenReloadMs ? { reloadMs: options.tokenReloadMs } : {});
  await tokens.start();
  const events = new EventHub();
  const metrics = new Metrics();
  const runs = new RunManager({ engine, catalog, events, metrics });
  const services: ServerServices = { engine, catalog, runs, events, metrics, tokens, clock, calendars, ...(options.archive ? { archive: options.archive } : {}) };
  catalog.onChange((changes) => {
    for (const check of changes.checks) if (!check.passed) metrics.checkFailed(check.asset);
    if (changes.assets.length > 0) events.publish({ type: 'partitions', assets: [...changes.assets], at: new Date(clock.now()).toISOString() });
  });

  const routes: AnyRoute[] = [
    ...assetRoutes(services),
    ...lineageRoutes(services),
    ...freshnessRoutes(services),
    ...runRoutes(services),
    ...auditRoutes(services),
    ...alertRoutes(services),
    ...tokenRoutes(services),
    ...metaRoutes(services),
  ];
  let document: unknown;
  routes.push(
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI 3.1 document, generated from the zod schemas',
      tag: 'meta',
      role: 'public',
      responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
      handle: (c) => c.json((document ??= openApiDocument(routes)) as Record<string, unknown>),
    }),
  );

  // PatternRouter tries routes in the order they were added, which `{key}` routes rely on: an asset key
  // spans `/`, so `/api/assets/a/b/partitions` matches both the partitions route and the detail route.
  const app = new Hono<ServerEnv>({ router: new PatternRouter() });
  app.use(async (c, next) => {
    await next();
    metrics.request(c.req.method, c.res.status);
  });
  app.use(authenticate({ tokens, anonymousReads: options.anonymousReads ?? false }));
  mountRoutes(app, routes, async (c, route, status) => {
    const caller = c.get('caller')!;
    await engine.store.appendAudit([
      {
        action: `api.${route.audit}`,
        actor: caller.name,
        ...c.get('auditSubject'),
        payload: { method: c.req.method, path: c.req.path, status, role: caller.role, tokenId: caller.tokenId },
      },
    ]);
  });
  const ui = uiFiles(options.ui);
  app.get('/*', async (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    const file = await ui(c.req.path);
    if (!file) return next();
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.contentType, 'cache-control': c.req.path === '/' || c.req.path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable' });
  });
  app.notFound((c) => c.json({ error: { code: 'not-found', message: `no route for ${c.req.method} ${c.req.path}; see /api/openapi.json` } }, 404));
  app.onError((error, c) => errorResponse(c, error));

  let closed: Promise<void> | undefined;
  return Object.assign(app, {
    services,
    close: () =>
      (closed ??= (async () => {
        catalog.stop();
        tokens.stop();
        await runs.close();
        await opened?.close();
      })()),
  });
}
