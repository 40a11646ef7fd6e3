// Listening on a socket: `daybook serve`, `daybook demo`, the benchmark and the browser tests.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { auditArchiveFromEnv, daybookHome, startAutomation, type AutomationConfig, type CommandIO, type DaybookConfig, type Engine } from '../framework/index.ts';
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
export async function serveEngine(
  engine: Engine,
  { config, automation, io, port = 3000, host = '127.0.0.1' }: { config: DaybookConfig; automation?: AutomationConfig; io: CommandIO; port?: number; host?: string },
): Promise<void> {
  const created = await ensureAdminToken(engine.store);
  const app = await createApp({ engine, calendars: config.calendars, anonymousReads: isLoopback(host), archive: auditArchiveFromEnv(daybookHome(), config) });
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
  // The daemon runs inside the server: schedules, sensors, conditions and alerts, with in-process workers.
  const running = automation
    ? await startAutomation({ engine, automation, calendars: config.calendars, onError: (message) => io.stderr.write(`automation: ${message}\n`) })
    : undefined;
  if (running) io.stdout.write(`automation: ${automation!.schedules.length} schedule(s), ${automation!.sensors.length} sensor(s), ${running.workers.length} in-process worker(s)\n`);
  await stopped;
  io.stdout.write('stopping: cancelling runs in progress\n');
  await running?.stop();
  await server.close();
  await app.close();
}

