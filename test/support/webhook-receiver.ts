// An HTTP server for tests (127.0.0.1) that records the JSON bodies POSTed to it.
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every request, in arrival order, answered or not. */
  readonly requests: ReceivedRequest[];
  /** Answers the next requests with these statuses (then 200), e.g. `[503, 503]` to test retries. */
  failNext(...statuses: number[]): void;
  /** Waits until `count` requests have arrived (bounded by `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const statuses: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) });
      const status = statuses.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'unavailable');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the webhook receiver has no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/alerts`,
    requests,
    failNext: (...next) => statuses.push(...next),
    async waitFor(count, timeoutMs = 5_000) {
      for (let waited = 0; requests.length < count; waited += 10) {
        if (waited >= timeoutMs) throw new Error(`expected ${count} webhook requests, got ${requests.length} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive; close them so the server stops now.
        server.closeAllConnections();
      }),
  };
}
