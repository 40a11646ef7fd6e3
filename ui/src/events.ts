// One Server-Sent Events connection to `/api/events` for the whole app, shared by the pages that
// listen. It is read with fetch rather than EventSource so it can carry the bearer token, and it
// reconnects with `Last-Event-ID` after a drop, backing off up to 10 s.
import { readToken } from './token.ts';

/** One event as the server sent it; `data` is parsed JSON (or the raw text when it is not JSON). */
export interface ServerEvent {
  readonly type: string;
  readonly id: string | undefined;
  readonly data: unknown;
}

type Listener = (event: ServerEvent) => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(connected: boolean) => void>();
let controller: AbortController | undefined;
let lastEventId: string | undefined;
let connected = false;

/**
 * Listens to live events; returns the function that stops listening. The connection opens with
 * the first listener and closes with the last.
 * @example const stop = onServerEvent((event) => { if (event.type === 'step') refresh(); });
 */
export function onServerEvent(listener: Listener): () => void {
  listeners.add(listener);
  if (controller === undefined) connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      controller?.abort();
      controller = undefined;
      setConnected(false);
    }
  };
}

/** Hears whether the live connection is up; called at once with the current state. */
export function onConnectionChange(listener: (connected: boolean) => void): () => void {
  stateListeners.add(listener);
  listener(connected);
  return () => stateListeners.delete(listener);
}

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const listener of stateListeners) listener(value);
}

function connect(): void {
  const abort = new AbortController();
  controller = abort;
  let delay = 500;
  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        await stream(abort.signal, () => (delay = 500));
      } catch {
        // A drop or a refused connection: retry below.
      }
      setConnected(false);
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(10_000, delay * 2);
    }
  };
  void loop();
}

async function stream(signal: AbortSignal, onOpen: () => void): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const token = readToken();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch('/api/events', { headers, signal, cache: 'no-store' });
  if (!response.ok || response.body === null) throw new Error(`GET /api/events answered ${response.status}`);
  setConnected(true);
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    // Line ends may be CRLF, LF or CR; a CR at the end of a chunk waits for the next one.
    buffer = (buffer + value).replace(/\r\n|\r(?=.)/gs, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

/** Parses one SSE block (`event:`, `id:`, `data:` lines) and hands it to every listener. */
function dispatch(block: string): void {
  let type = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (id !== undefined) lastEventId = id;
  if (data.length === 0) return;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: pass the text on.
  }
  for (const listener of [...listeners]) listener({ type, id, data: parsed });
}
