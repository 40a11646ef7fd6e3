// Only server/ maps Daybook's error codes to HTTP statuses (STYLE.md); every error body has one shape.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { DaybookError, type DaybookErrorCode } from '../framework/index.ts';

/** An error with an HTTP status, raised by handlers and the auth check. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly issues: readonly z.core.$ZodIssue[] | undefined;

  constructor(status: ContentfulStatusCode, code: string, message: string, issues?: readonly z.core.$ZodIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

const NOT_FOUND: ReadonlySet<DaybookErrorCode> = new Set(['unknown-asset', 'store-not-found']);
const BAD_REQUEST: ReadonlySet<DaybookErrorCode> = new Set([
  'invalid-selection',
  'invalid-partition-key',
  'invalid-plan-request',
  'date-out-of-range',
  'store-invalid-write',
]);

/** The status of a Daybook error: 404 for unknown things, 400 for bad input, 503 for a locked store, 500 otherwise. */
export function statusOf(code: DaybookErrorCode): ContentfulStatusCode {
  if (NOT_FOUND.has(code)) return 404;
  if (BAD_REQUEST.has(code)) return 400;
  if (code === 'store-locked') return 503;
  return 500;
}

/** `{ error: { code, message, issues? } }` with the status the error calls for. */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof HttpError) {
    const issues = error.issues?.map((issue) => ({ path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)), code: issue.code, message: issue.message }));
    return c.json({ error: { code: error.code, message: error.message, ...(issues ? { issues } : {}) } }, error.status);
  }
  if (error instanceof DaybookError) return c.json({ error: { code: error.code, message: error.message } }, statusOf(error.code));
  const message = error instanceof Error ? error.message : String(error);
  console.error(`daybook server: ${c.req.method} ${c.req.path} failed:`, error);
  return c.json({ error: { code: 'internal', message: `${c.req.method} ${c.req.path} failed: ${message}` } }, 500);
}

/** 404 naming what was not found. */
export function notFound(what: string): HttpError {
  return new HttpError(404, 'not-found', what);
}
