// What the server's Hono middleware puts on each request's context.
import type { Role } from './auth.ts';

/** Who is calling: a token's name and role, or an anonymous reader. */
export interface Caller {
  /** The token's name, or `anonymous`. */
  readonly name: string;
  readonly role: Role;
  readonly tokenId: string | null;
  readonly anonymous: boolean;
}

/** The audit subject a handler may name for the request's `api.*` event, e.g. the run it launched. */
export interface AuditSubject {
  readonly asset?: string;
  readonly partition?: string;
  readonly runId?: string;
}

/** Hono's environment type for the server. `caller` is undefined without a token (and without anonymous reads); `refused` says why a token was not accepted. */
export interface ServerEnv {
  Variables: {
    caller: Caller | undefined;
    refused: string | undefined;
    auditSubject: AuditSubject | undefined;
  };
}
