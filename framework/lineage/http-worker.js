// The worker thread of httpTransport() (transport.ts): it POSTs OpenLineage events, one request
// each as Marquez expects, off the thread that runs the steps. Plain JavaScript, because on Node 20 a
// worker thread cannot load TypeScript through the loader the main thread registered.
//
// A batch `{ id, requests, count }` is `count` whole requests, framed by the sending thread (one string
// crosses threads, not one per event). It goes out pipelined on one kept-alive connection (HTTP/1.1
// lets a client send requests without waiting, and the server answers them in order): one write for
// the batch, then the answers are read as they come. That costs a fraction of a request-response round
// per event. The answer `{ id, delivered, error? }` says how many went through before one failed; a
// server that closes the connection early leaves the rest unsent, to be sent again.
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ endpoint: string, timeoutMs: number, concurrency: number }} */
const { endpoint, timeoutMs, concurrency } = workerData;
const url = new URL(endpoint);
const secure = url.protocol === 'https:';
const port = Number(url.port || (secure ? 443 : 80));
// Loaded only for https: the TLS stack is most of a thread's start-up.
const tls = secure ? await import('node:tls') : undefined;

/** Idle kept-alive connections; one the server closes while idle leaves the list. */
const idle = [];
const dropIdle = function () {
  const at = idle.indexOf(this);
  if (at >= 0) idle.splice(at, 1);
};

function connect() {
  return new Promise((resolve, reject) => {
    const socket = tls ? tls.connect({ host: url.hostname, port, ...(net.isIP(url.hostname) ? {} : { servername: url.hostname }) }) : net.connect({ host: url.hostname, port });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Reads HTTP/1.1 responses from a buffer: `{ status, close, length }` for the first complete one
 * (`length` bytes, head and body), or undefined until it has arrived whole.
 * @param {Buffer} buffer
 */
function parseResponse(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  // The status line is `HTTP/1.1 201 Created`; header names are matched in lower case, each at a line's start.
  const head = buffer.toString('latin1', 0, end).toLowerCase();
  const status = Number(head.slice(head.indexOf(' ') + 1, head.indexOf(' ') + 4));
  const header = (name) => {
    const at = head.indexOf(`\r\n${name}:`);
    if (at < 0) return undefined;
    const lineEnd = head.indexOf('\r\n', at + 2);
    return head.slice(at + name.length + 3, lineEnd < 0 ? head.length : lineEnd).trim();
  };
  const close = header('connection') === 'close';
  const chunked = header('transfer-encoding')?.includes('chunked') ?? false;
  const length = chunked ? 0 : Number(header('content-length') ?? 0);
  let position = end + 4;
  if (!chunked) return position + length <= buffer.length ? { status, close, length: position + length } : undefined;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', position, lineEnd), 16);
    if (size === 0) {
      const trailerEnd = buffer.indexOf('\r\n\r\n', lineEnd - 2);
      return trailerEnd < 0 ? undefined : { status, close, length: trailerEnd + 4 };
    }
    position = lineEnd + 2 + size + 2;
    if (position > buffer.length) return undefined;
  }
}

/**
 * Sends a batch pipelined on one connection; resolves with how many were answered 2xx, in order,
 * before the first that was not (and why).
 * @param {{ requests: string, count: number }} batch
 * @returns {Promise<{ delivered: number, error?: string }>}
 */
async function sendBatch(batch) {
  const reused = idle.pop();
  const sent = await sendOn(reused, batch);
  // A kept-alive connection the server had just closed fails at once: try a fresh one before giving up.
  return reused !== undefined && sent.delivered === 0 && sent.error !== undefined ? sendOn(undefined, batch) : sent;
}

/**
 * @param {net.Socket | undefined} reused
 * @param {{ requests: string, count: number }} batch
 * @returns {Promise<{ delivered: number, error?: string }>}
 */
async function sendOn(reused, { requests, count }) {
  let socket = reused;
  if (socket) socket.removeListener('close', dropIdle);
  else {
    try {
      socket = await connect();
    } catch (error) {
      return { delivered: 0, error: `cannot connect to ${url.href}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    let delivered = 0;
    let reusable = true;
    const finish = (error) => {
      socket.removeAllListeners('data');
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      socket.removeAllListeners('timeout');
      socket.setTimeout(0);
      if (error === undefined && reusable && !socket.destroyed) {
        idle.push(socket);
        socket.once('close', dropIdle);
      } else socket.destroy();
      resolve(error === undefined ? { delivered } : { delivered, error });
    };
    socket.setTimeout(timeoutMs, () => finish(`${url.href} did not answer within ${timeoutMs} ms`));
    socket.on('error', (error) => finish(`${url.href}: ${error.message}`));
    socket.on('close', () => finish(`${url.href} closed the connection after ${delivered} of ${count} events`));
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (let response = parseResponse(buffer); response !== undefined; response = parseResponse(buffer)) {
        buffer = buffer.subarray(response.length);
        if (response.status < 200 || response.status >= 300) {
          reusable = false;
          return finish(`${url.href} answered ${response.status}`);
        }
        delivered++;
        if (delivered === count) {
          reusable = !response.close;
          return finish(undefined);
        }
        if (response.close) return finish(`${url.href} closed the connection after ${delivered} of ${count} events`);
      }
    });
    socket.write(requests);
  });
}

let active = 0;
const queued = [];

/** At most `concurrency` batches (connections) at once; the rest wait their turn. */
async function run(message) {
  if (active >= concurrency) await new Promise((resolve) => queued.push(resolve));
  active++;
  try {
    parentPort?.postMessage({ id: message.id, ...(await sendBatch(message)) });
  } finally {
    active--;
    queued.shift()?.();
  }
}

parentPort?.on('message', (/** @type {{ id: number, requests: string, count: number } | { close: true }} */ message) => {
  if ('close' in message) {
    for (const socket of idle.splice(0)) socket.destroy();
    parentPort?.close();
    return;
  }
  void run(message);
});
