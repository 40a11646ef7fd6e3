// The worker thread of httpTransport() (transport.ts): it POSTs OpenLineage events over kept-alive
// connections, so the requests' CPU is spent off the thread that runs the steps. Plain JavaScript,
// because on Node 20 a worker thread cannot load TypeScript through the loader the main thread
// registered.
//
// Each message is a batch `{ id, bodies }` of JSON texts, sent in order, one request each, as Marquez
// expects. The answer `{ id, delivered, error? }` says how many went through before one failed.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ endpoint: string, timeoutMs: number, concurrency: number, headers: Record<string, string> }} */
const { endpoint, timeoutMs, concurrency, headers } = workerData;
const url = new URL(endpoint);
const client = url.protocol === 'https:' ? https : http;
const agent = new client.Agent({ keepAlive: true, maxSockets: concurrency });

/** @param {string} body */
function post(body) {
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          if (text.length < 200) text += chunk;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(undefined);
          else reject(new Error(`${url.href} answered ${status}: ${text.slice(0, 200)}`));
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${url.href} did not answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

parentPort?.on('message', async (/** @type {{ id: number, bodies: string[] } | { close: true }} */ message) => {
  if ('close' in message) {
    agent.destroy();
    parentPort?.close();
    return;
  }
  let delivered = 0;
  try {
    for (const body of message.bodies) {
      await post(body);
      delivered++;
    }
    parentPort?.postMessage({ id: message.id, delivered });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, delivered, error: error instanceof Error ? error.message : String(error) });
  }
});
