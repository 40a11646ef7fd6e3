// The request side of the test Redshift Data API endpoint: the service's error shape, and the checks
// it makes of a request before it accepts a statement.
import type { SqlParameter } from './redshift-session.ts';

/** A client error as the service reports it: HTTP 4xx with `__type` and `Message`. */
export class ApiError extends Error {
  readonly type: string;
  readonly status: number;
  readonly extra: Record<string, string>;
  constructor(type: string, message: string, status = 400, extra: Record<string, string> = {}) {
    super(message);
    this.type = type;
    this.status = status;
    this.extra = extra;
  }
}

const MAX_SQL_BYTES = 100 * 1024;

export const validation = (message: string) => new ApiError('ValidationException', message);
export const notSupported = (what: string) => validation(`${what} is not supported by the Daybook test endpoint`);

/** The fields of a request that name where it runs, echoed in the service's answers. */
export function connectionOf(request: Readonly<Record<string, unknown>>) {
  const fields = ['ClusterIdentifier', 'WorkgroupName', 'Database', 'DbUser', 'SecretArn'] as const;
  return Object.fromEntries(fields.filter((field) => typeof request[field] === 'string').map((field) => [field, request[field]]));
}

/** Who runs the statement: a cluster (as a database user, a secret, or the caller's IAM identity) or a serverless workgroup. */
export function checkConnection(body: Record<string, unknown>): void {
  const cluster = typeof body.ClusterIdentifier === 'string';
  const workgroup = typeof body.WorkgroupName === 'string';
  if (cluster === workgroup) throw validation('Either ClusterIdentifier or WorkgroupName must be specified, but not both');
  if (typeof body.Database !== 'string' || body.Database === '') throw validation('Database must be specified');
  if (body.DbUser !== undefined && body.SecretArn !== undefined) throw validation('Specify either DbUser or SecretArn, not both');
  if (workgroup && body.DbUser !== undefined) throw validation('DbUser cannot be used with WorkgroupName; the user comes from the IAM identity or the secret');
  for (const option of ['SessionId', 'SessionKeepAliveSeconds', 'WaitTimeSeconds'] as const) {
    if (body[option] !== undefined) throw notSupported(option);
  }
  if (body.ResultFormat !== undefined && body.ResultFormat !== 'JSON') throw notSupported(`ResultFormat ${String(body.ResultFormat)}`);
  if (body.WithEvent === true) throw notSupported('WithEvent');
}

export function checkParameters(value: unknown): SqlParameter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) throw validation("1 validation error detected: Value at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1");
  return value.map((parameter: { name?: unknown; value?: unknown }) => {
    if (typeof parameter.name !== 'string' || !/^[0-9a-zA-Z_]+$/.test(parameter.name)) throw validation(`invalid parameter name ${JSON.stringify(parameter.name)}`);
    if (typeof parameter.value !== 'string' || parameter.value === '') throw validation(`parameter ${parameter.name}: the value must be a string of at least 1 character`);
    return { name: parameter.name, value: parameter.value };
  });
}

export function checkSize(sql: unknown): void {
  if (Buffer.byteLength(String(sql), 'utf8') > MAX_SQL_BYTES) throw validation('Cannot process query string larger than 100kB');
}

export function offsetOf(token: unknown, id: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { id?: unknown; offset?: unknown };
    if (parsed.id === id && typeof parsed.offset === 'number') return parsed.offset;
  } catch {
    // reported below
  }
  throw validation('the NextToken does not belong to this statement');
}
