// Bearer tokens with roles: the secret is shown once and stored only as its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ApiTokenRecord, MetadataStore } from '../framework/index.ts';
import { HttpError } from './http-error.ts';
import type { Caller, ServerEnv } from './server-env.ts';

/** What a token may do: read; also launch and cancel runs; also manage tokens. */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/** A new token: `dbk_` and 32 random bytes in base64url; only `hash` is stored. */
export function generateToken(): { token: string; hash: string; prefix: string } {
  const token = `dbk_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}

/** Lowercase hex SHA-256 of a token: it has 256 random bits, so a fast hash is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The live tokens, by hash, in memory: checking a token costs a hash and a map lookup, never a query.
 * It reloads every `reloadMs` to see tokens created or revoked by other processes, and at once after
 * the server's own changes (`reload()`).
 */
export class TokenTable {
  readonly #store: MetadataStore;
  readonly #reloadMs: number;
  #byHash = new Map<string, ApiTokenRecord>();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: MetadataStore, { reloadMs = 5_000 }: { reloadMs?: number } = {}) {
    this.#store = store;
    this.#reloadMs = reloadMs;
  }

  /** Loads the tokens and starts reloading them periodically. */
  async start(): Promise<void> {
    await this.reload();
    this.#timer = setInterval(() => {
      this.reload().catch((error: unknown) => console.error('daybook server: could not reload api tokens:', error));
    }, this.#reloadMs);
    this.#timer.unref();
  }

  async reload(): Promise<void> {
    const tokens = await this.#store.listApiTokens();
    this.#byHash = new Map(tokens.filter((token) => token.revokedAt === null).map((token) => [token.tokenHash, token]));
  }

  /** The live token a bearer secret belongs to. */
  lookup(secret: string): ApiTokenRecord | undefined {
    return this.#byHash.get(hashToken(secret));
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Reads `Authorization: Bearer …` into the request's caller. Without a header the caller is an
 * anonymous viewer when `anonymousReads` is on, else undefined; a malformed, unknown or revoked token
 * leaves it undefined with the reason in `refused`, so that any route but a public one answers 401.
 */
export function authenticate({ tokens, anonymousReads }: { tokens: TokenTable; anonymousReads: boolean }): MiddlewareHandler<ServerEnv> {
  const anonymous: Caller = { name: 'anonymous', role: 'viewer', tokenId: null, anonymous: true };
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      c.set('caller', anonymousReads ? anonymous : undefined);
    } else {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const token = match ? tokens.lookup(match[1]!) : undefined;
      if (token) c.set('caller', { name: token.name, role: token.role, tokenId: token.id, anonymous: false });
      else c.set('refused', match ? 'the bearer token is unknown or revoked' : 'the Authorization header must be "Bearer <token>"');
    }
    await next();
  };
}

/** Throws 401 or 403 unless the caller may call a route that needs `role`. Anonymous callers may only read. */
export function authorize(role: Role | 'public', method: string, caller: Caller | undefined, refused?: string): void {
  if (role === 'public') return;
  const what = `${method.toUpperCase()} needs a token with role ${role}`;
  if (refused !== undefined) throw new HttpError(401, 'unauthorized', `${refused}; ${what}`);
  if (caller === undefined || (caller.anonymous && (method !== 'get' || role !== 'viewer'))) {
    throw new HttpError(401, 'unauthorized', `${what}: send "Authorization: Bearer <token>" (daybook token create)`);
  }
  if (RANK[caller.role] < RANK[role]) throw new HttpError(403, 'forbidden', `token "${caller.name}" has role ${caller.role}; ${what}`);
}

/**
 * The embedded default's first start: when the store has no live admin token, creates one named
 * `admin` and returns its secret, to be printed once.
 */
export async function ensureAdminToken(store: MetadataStore, actor = 'daybook serve'): Promise<{ token: string; name: string } | undefined> {
  const tokens = await store.listApiTokens();
  const live = tokens.filter((token) => token.revokedAt === null);
  if (live.some((token) => token.role === 'admin')) return undefined;
  const taken = new Set(live.map((token) => token.name));
  let name = 'admin';
  for (let n = 2; taken.has(name); n++) name = `admin-${n}`;
  const { token, hash, prefix } = generateToken();
  await store.createApiToken({ name, role: 'admin', tokenHash: hash, prefix }, { actor });
  return { token, name };
}
