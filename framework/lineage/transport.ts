import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionError } from '../util/errors.ts';
import { httpPipeline } from './http-pipeline.ts';
import { serializeRunEvent, type RunEvent } from './openlineage-event.ts';

/**
 * Where OpenLineage events go. `send` delivers a batch in order or throws (the emitter retries with
 * backoff); an error made by `partialDelivery()` says how many of the batch went through first. The
 * emitter keeps at most `concurrency` deliveries in flight, each of at most `batchSize` events.
 */
export interface LineageTransport {
  /** Names the destination in messages, e.g. `http://marquez:5000/api/v1/lineage`. */
  readonly name: string;
  readonly concurrency: number;
  readonly batchSize: number;
  send(events: readonly RunEvent[]): Promise<void>;
  /** Releases connections and threads; the emitter calls it on close. */
  close?(): Promise<void> | void;
}

/** An error for a batch of which the first `delivered` events went through. */
export function partialDelivery(message: string, delivered: number): Error {
  return Object.assign(new Error(message), { delivered });
}

/** How many events of a failed batch were delivered before it failed (0 unless the error says). */
export function deliveredBefore(error: unknown): number {
  const delivered = (error as { delivered?: unknown } | undefined)?.delivered;
  return typeof delivered === 'number' && delivered > 0 ? delivered : 0;
}

export interface HttpTransportOptions {
  /** The server's base URL, e.g. `http://marquez:5000`; events go to `POST {url}/api/v1/lineage`, as Marquez expects. */
  url: string;
  /** Per request. */
  timeoutMs?: number;
  /** Requests in flight. */
  concurrency?: number;
  /** Events written at once (each still its own request). */
  batchSize?: number;
  /** Extra headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Sends each event as its own `POST {url}/api/v1/lineage` with a JSON body, as Marquez expects,
 * pipelining a batch on one kept-alive connection (`http-pipeline.ts`). Any answer but 2xx, and any
 * network error or timeout, fails the rest of the batch, which the emitter retries.
 *
 * @example
 * createLineageEmitter({ transport: httpTransport({ url: 'http://marquez:5000' }) });
 */
export function httpTransport({ url, timeoutMs = 5_000, concurrency = 4, batchSize = 50, headers = {} }: HttpTransportOptions): LineageTransport {
  const endpoint = new URL(`${url.replace(/\/+$/, '')}/api/v1/lineage`);
  const head = [
    `POST ${endpoint.pathname}${endpoint.search} HTTP/1.1`,
    `Host: ${endpoint.host}`,
    'Content-Type: application/json',
    'Connection: keep-alive',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  const pipeline = httpPipeline({ endpoint, timeoutMs });
  return {
    name: endpoint.href,
    concurrency,
    batchSize,
    async send(events) {
      // The batch's requests as one string, written at once: a body's length is its UTF-8 byte count.
      let requests = '';
      for (const event of events) {
        const body = serializeRunEvent(event);
        requests += `${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      }
      const { delivered, error } = await pipeline.send(requests, events.length);
      if (error !== undefined) throw partialDelivery(error, delivered);
    },
    close: () => pipeline.close(),
  };
}

/**
 * Appends events as JSON lines to a file, a batch per write, in the order they were emitted.
 *
 * @example
 * createLineageEmitter({ transport: fileTransport({ path: '/var/log/daybook/lineage.jsonl' }) });
 */
export function fileTransport({ path }: { path: string }): LineageTransport {
  const file = resolve(path);
  let ready: Promise<unknown> | undefined;
  return {
    name: `file:${file}`,
    concurrency: 1,
    batchSize: 500,
    async send(events) {
      ready ??= mkdir(dirname(file), { recursive: true });
      await ready;
      await appendFile(file, events.map((event) => serializeRunEvent(event) + '\n').join(''));
    },
  };
}

/**
 * The transport a `DAYBOOK_OPENLINEAGE_URL`-style setting names: `http://host:port` or `https://…`
 * for HTTP, `file:/path/events.jsonl` (or `file:///…`) for a JSON-lines file, and unset, empty or
 * `off` for none. Anything else is a DefinitionError naming `field`.
 */
export function lineageTransportFor(url: string | undefined, field = 'DAYBOOK_OPENLINEAGE_URL'): LineageTransport | undefined {
  const value = url?.trim() ?? '';
  if (value === '' || value === 'off') return undefined;
  if (/^https?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw invalid(field, value, 'not a valid URL');
    }
    return httpTransport({ url: value });
  }
  if (value.startsWith('file:')) {
    const path = value.startsWith('file://') ? fileURLToPath(value) : value.slice('file:'.length);
    if (path === '') throw invalid(field, value, 'file: needs a path, e.g. file:/var/log/daybook/lineage.jsonl');
    return fileTransport({ path });
  }
  throw invalid(field, value, 'expected http://host:port, https://…, file:/path/events.jsonl or off');
}

function invalid(field: string, value: string, problem: string): DefinitionError {
  return new DefinitionError('invalid-config', `${field} ${JSON.stringify(value)}: ${problem}`, { field });
}
