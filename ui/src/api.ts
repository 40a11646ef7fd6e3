// The typed client of the HTTP API. Response types come from server/api-types.ts (types only: no
// server code reaches the bundle). Errors carry the server's message, so pages can show it as is.
import type { ApiError } from '../../server/api-types.ts';
import { readToken } from './token.ts';

/** A request the server refused, or could not be reached for. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

/**
 * An asset key as one API path segment: the server's canonical, URL-encoded form (docs/server.md).
 * @example assetPath('northbridge/positions') // 'northbridge%2Fpositions'
 */
export function assetPath(key: string): string {
  return encodeURIComponent(key);
}

/**
 * GETs JSON from the API.
 * @example const list = await getJson<AssetList>('/api/assets', { q: 'pnl' });
 */
export function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', withQuery(path, query), undefined, signal);
}

/** POSTs JSON with the stored bearer token. */
export function postJson<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}

function withQuery(path: string, query: Query): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = readToken();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiFailure(0, 'unreachable', `${method} ${path}: the server did not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as ApiError | undefined)?.error;
    const issues = error?.issues?.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    const message = error?.message ?? `${method} ${path} answered ${response.status} ${response.statusText}`;
    throw new ApiFailure(response.status, error?.code ?? `http-${response.status}`, issues ? `${message} (${issues})` : message);
  }
  return parsed as T;
}
