// Listening on a socket: `daybook serve`, `daybook demo`, the benchmark and the browser tests.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { CommandIO, DaybookConfig, Engine } from '../framework/index.ts';
import { createApp } from './app.ts';
import { ensureAdminToken } from './auth.ts';

/** A server listening on a port. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections (event streams included). */
  close(): Promise<void>;
}

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Listens on `host:port` (port 0 picks a free one) with the app's fetch handler.
 *
 * @example
 * const server = await listen(app, { port: 0 });
 * await fetch(`${server.url}/api/health`);
 * await server.close();
 */
export async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, { port = 3000, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (pass --port)' : error.message}`, { cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * What `daybook serve` and `daybook demo` do: build the app on an open engine, create and print an
 * admin token on first start, listen, and wait for Ctrl-C or SIGTERM.
 */
export async function serveEngine(engine: Engine, { config, io, port = 3000, host = '127.0.0.1' }: { config: DaybookConfig; io: CommandIO; port?: number; host?: string }): Promise<void> {
  const created = await ensureAdminToken(engine.store);
  const app = await createApp({ engine, calendars: config.calendars, anonymousReads: isLoopback(host) });
  let server: RunningServer;
  try {
    server = await listen(app, { port, host });
  } catch (error) {
    await app.close();
    throw error;
  }
  // Listen for the signals before saying where we serve: whoever reads that line may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (created) {
    io.stderr.write(`created the admin token "${created.name}"; it is shown only this once:\n  ${created.token}\n`);
  }
  io.stdout.write(
    `serving the catalog UI at ${server.url}/ (API ${server.url}/api, OpenAPI ${server.url}/api/openapi.json)` +
      `${isLoopback(host) ? '; reads need no token on loopback' : '; every request needs a token'}; Ctrl-C stops\n`,
  );
  await stopped;
  io.stdout.write('stopping: cancelling runs in progress\n');
  await server.close();
  await app.close();
}

