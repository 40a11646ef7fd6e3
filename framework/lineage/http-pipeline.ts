// HTTP/1.1 pipelining for httpTransport() (transport.ts): a batch of requests, framed by the caller as
// one string, goes out in one write on a kept-alive connection, and the answers are read as they come
// (the server answers in order). That costs a fraction of a request-response round per event. It runs
// on the calling thread: its sockets never block it, and a thread of its own cost more CPU than the
// sending (its start per emitter, its cold code, and the messages to and from it).
import net from 'node:net';
import type tls from 'node:tls';

/** How a batch went: how many requests were answered 2xx, in order, before the first that was not (and why). */
export interface PipelineResult {
  readonly delivered: number;
  readonly error?: string;
}

export interface HttpPipeline {
  /** Sends `count` whole requests (`requests`, written as UTF-8) on a connection of its own while it is in flight. */
  send(requests: string, count: number): Promise<PipelineResult>;
  /** Closes every connection: batches in flight fail, and later ones are not sent. */
  close(): void;
}

interface Response {
  readonly status: number;
  /** The server closes the connection after it. */
  readonly close: boolean;
  /** Where it ends in the text read: the offset of what follows it. */
  readonly end: number;
}

/**
 * Reads the first complete HTTP/1.1 response in `text` (bytes read as latin1, one character each)
 * from offset `from`; undefined until it has arrived whole. Header names are matched in lower case,
 * each at a line's start.
 */
function parseResponse(text: string, from: number): Response | undefined {
  const headEnd = text.indexOf('\r\n\r\n', from);
  if (headEnd < 0) return undefined;
  // The status line is `HTTP/1.1 201 Created`.
  const head = text.slice(from, headEnd).toLowerCase();
  // 0 for an answer that is not HTTP/1.x.
  const status = head.startsWith('http/1.') ? Number(head.slice(9, 12)) || 0 : 0;
  const close = headerOf(head, 'connection') === 'close';
  const chunked = headerOf(head, 'transfer-encoding')?.includes('chunked') ?? false;
  let position = headEnd + 4;
  if (!chunked) {
    const end = position + Number(headerOf(head, 'content-length') ?? 0);
    return end <= text.length ? { status, close, end } : undefined;
  }
  for (;;) {
    const lineEnd = text.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const size = parseInt(text.slice(position, lineEnd), 16);
    if (size === 0) {
      const trailerEnd = text.indexOf('\r\n\r\n', lineEnd - 2);
      return trailerEnd < 0 ? undefined : { status, close, end: trailerEnd + 4 };
    }
    position = lineEnd + 2 + size + 2;
    if (position > text.length) return undefined;
  }
}

/** A header's value in a lower-cased response head (a function of its own: a closure would be made per answer). */
function headerOf(head: string, name: string): string | undefined {
  const at = head.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const lineEnd = head.indexOf('\r\n', at + 2);
  return head.slice(at + name.length + 3, lineEnd < 0 ? head.length : lineEnd).trim();
}

/**
 * Pipelines batches of requests to `endpoint` on kept-alive connections, one per batch in flight.
 * A connection keeps the process alive only while a batch is in flight on it, never while idle.
 */
export function httpPipeline({ endpoint, timeoutMs }: { endpoint: URL; timeoutMs: number }): HttpPipeline {
  const secure = endpoint.protocol === 'https:';
  const port = Number(endpoint.port || (secure ? 443 : 80));
  // Loaded only for https: the TLS stack is worth not loading for a plain http endpoint.
  let tlsModule: Promise<typeof tls> | undefined;
  /** Idle kept-alive connections; one the server closes while idle leaves the list. */
  const idle: net.Socket[] = [];
  const dropIdle = function (this: net.Socket) {
    const at = idle.indexOf(this);
    if (at >= 0) idle.splice(at, 1);
  };
  // An idle connection the server resets errs, then closes (and leaves the list): an error event
  // with no listener would take the process down.
  const ignore = () => undefined;
  const busy = new Set<net.Socket>();
  let closed = false;
  const refused: PipelineResult = { delivered: 0, error: `the OpenLineage transport for ${endpoint.href} is closed` };

  const connect = async (): Promise<net.Socket> => {
    const secureSocket = secure ? (await (tlsModule ??= import('node:tls'))).connect({ host: endpoint.hostname, port, ...(net.isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname }) }) : undefined;
    const socket = secureSocket ?? net.connect({ host: endpoint.hostname, port });
    return new Promise((resolve, reject) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  };

  const sendOn = async (reused: net.Socket | undefined, requests: string, count: number): Promise<PipelineResult> => {
    let socket: net.Socket;
    if (closed) return refused;
    if (reused) {
      socket = reused;
      socket.removeListener('close', dropIdle);
      socket.removeListener('error', ignore);
      socket.ref();
    } else {
      try {
        socket = await connect();
      } catch (error) {
        return { delivered: 0, error: `cannot connect to ${endpoint.href}: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (closed) {
        socket.destroy();
        return refused;
      }
    }
    return new Promise((resolve) => {
      /** What arrived and is not yet a whole answer, as latin1 (answers are read as text, a byte a character). */
      let pending = '';
      let delivered = 0;
      /** Ends the batch; the connection goes back to the idle ones when `keep` (all answered, and the server keeps it). */
      const finish = (error?: string, keep = false) => {
        busy.delete(socket);
        socket.removeAllListeners('data');
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        if (error === undefined && keep && !closed && !socket.destroyed) {
          idle.push(socket);
          socket.once('close', dropIdle);
          socket.on('error', ignore);
          socket.unref();
        } else socket.destroy();
        resolve(error === undefined ? { delivered } : { delivered, error });
      };
      busy.add(socket);
      socket.setTimeout(timeoutMs, () => finish(`${endpoint.href} did not answer within ${timeoutMs} ms`));
      socket.on('error', (error) => finish(`${endpoint.href}: ${error.message}`));
      socket.on('close', () => finish(`${endpoint.href} closed the connection after ${delivered} of ${count} events`));
      const read = (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        let at = 0;
        for (let response = parseResponse(pending, at); response !== undefined; response = parseResponse(pending, at)) {
          at = response.end;
          if (!(response.status >= 200 && response.status < 300)) return finish(`${endpoint.href} answered ${response.status || 'with something other than HTTP/1.x'}`);
          delivered++;
          if (delivered === count) return finish(undefined, !response.close);
          if (response.close) return finish(`${endpoint.href} closed the connection after ${delivered} of ${count} events`);
        }
        pending = pending.slice(at);
      };
      // On the thread that runs the steps, nothing an endpoint sends may throw out of here.
      socket.on('data', (chunk: Buffer) => {
        try {
          read(chunk);
        } catch (error) {
          finish(`${endpoint.href}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
      socket.write(requests);
    });
  };

  return {
    async send(requests, count) {
      const reused = idle.pop();
      const sent = await sendOn(reused, requests, count);
      // A kept-alive connection the server had just closed fails at once: try a fresh one before giving up.
      return reused !== undefined && sent.delivered === 0 && sent.error !== undefined ? sendOn(undefined, requests, count) : sent;
    },
    close() {
      closed = true;
      for (const socket of idle.splice(0)) socket.destroy();
      for (const socket of busy) socket.destroy(new Error('the transport was closed'));
    },
  };
}
