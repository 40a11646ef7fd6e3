// Health, metrics and the live event stream.
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import type { ServerEvent } from '../api-types.ts';
import { serverEventSchema } from '../schemas/events.ts';
import type { ServerServices } from '../services.ts';

/** A subscriber further behind than this is disconnected (it may reconnect and refetch). */
const MAX_QUEUED = 1_000;
const KEEP_ALIVE_MS = 15_000;

/** GET /api/health, GET /metrics, GET /api/events. */
export function metaRoutes({ catalog, runs, events, metrics }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/health',
      summary: 'Liveness',
      tag: 'meta',
      role: 'public',
      responses: { 200: { description: 'the server is up', schema: z.object({ ok: z.boolean() }) } },
      handle: (c) => c.json({ ok: true }),
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: steps by status, step durations, queue depth, check failures, SLA states, partitions by status',
      tag: 'meta',
      role: 'viewer',
      responses: { 200: { description: 'Prometheus text format 0.0.4', contentType: 'text/plain; version=0.0.4' } },
      async handle(c) {
        return c.body(await metrics.render(catalog, runs), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/events',
      summary: 'Server-Sent Events: live run and step updates, and partition changes (event: run | step | partitions)',
      tag: 'meta',
      role: 'viewer',
      responses: { 200: { description: 'an event stream; each data line is one JSON event', contentType: 'text/event-stream', schema: serverEventSchema } },
      handle(c) {
        return streamSSE(c, async (stream) => {
          const queue: ServerEvent[] = [];
          let wake: (() => void) | undefined;
          let open = true;
          const unsubscribe = events.subscribe((event) => {
            if (queue.length >= MAX_QUEUED) open = false;
            else queue.push(event);
            wake?.();
          });
          stream.onAbort(() => {
            open = false;
            wake?.();
          });
          try {
            await stream.write(': connected\n\n');
            while (open) {
              if (queue.length === 0) {
                let timer: NodeJS.Timeout | undefined;
                await new Promise<void>((resolve) => {
                  wake = resolve;
                  timer = setTimeout(resolve, KEEP_ALIVE_MS);
                });
                wake = undefined;
                clearTimeout(timer);
                if (queue.length === 0 && open) await stream.write(': keep-alive\n\n');
                continue;
              }
              const event = queue.shift()!;
              await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
            }
          } finally {
            unsubscribe();
          }
        });
      },
    }),
  ];
}
