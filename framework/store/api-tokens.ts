// The HTTP server's bearer tokens. The secret never reaches the store: callers pass its SHA-256.
import { sql, type Kysely } from 'kysely';
import { StoreError } from '../util/errors.ts';
import { newId } from './ids.ts';
import { API_TOKEN_ROLES, type ApiTokenRecord, type ApiTokenRole, type ApiTokenRow, type Database } from './schema.ts';

type Db = Kysely<Database>;

const HASH = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token to store: its name, role, the SHA-256 (lowercase hex) of the whole token, and a recognisable prefix. */
export interface NewApiToken {
  name: string;
  role: ApiTokenRole;
  tokenHash: string;
  prefix: string;
}

const tokenRecord = (row: ApiTokenRow): ApiTokenRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  tokenHash: row.token_hash,
  prefix: row.prefix,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
});

/** Inserts a token; a live token with the same name is refused (`store-invalid-write`, field `name`). */
export async function insertApiToken(db: Db, token: NewApiToken, at: Date, actor: string): Promise<ApiTokenRecord> {
  if (!(API_TOKEN_ROLES as readonly string[]).includes(token.role)) {
    throw new StoreError('store-invalid-write', `api token "${token.name}": unknown role "${token.role}" (expected ${API_TOKEN_ROLES.join(', ')})`, { field: 'role' });
  }
  if (!HASH.test(token.tokenHash)) throw new StoreError('store-invalid-write', `api token "${token.name}": tokenHash must be a SHA-256 in lowercase hex`, { field: 'tokenHash' });
  const row: ApiTokenRow = {
    id: newId(at.getTime()),
    name: token.name,
    role: token.role,
    token_hash: token.tokenHash,
    prefix: token.prefix,
    created_at: at,
    created_by: actor,
    revoked_at: null,
    revoked_by: null,
  };
  try {
    await db.insertInto('api_tokens').values(row).execute();
  } catch (error) {
    const live = await db.selectFrom('api_tokens').select('id').where('name', '=', token.name).where('revoked_at', 'is', null).executeTakeFirst();
    if (live) throw new StoreError('store-invalid-write', `an api token named "${token.name}" already exists; revoke it or pick another name`, { field: 'name', cause: error });
    throw error;
  }
  return tokenRecord(row);
}

/** Every token, live and revoked, oldest first. */
export async function listApiTokens(db: Db): Promise<ApiTokenRecord[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(tokenRecord);
}

/** Revokes the live token with this id or name; `store-not-found` when there is none. */
export async function revokeApiToken(db: Db, idOrName: string, at: Date, actor: string): Promise<ApiTokenRecord> {
  const byId = UUID.test(idOrName);
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at, revoked_by: actor })
    .where(byId ? sql<boolean>`id = ${idOrName}::uuid` : sql<boolean>`name = ${idOrName}`)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new StoreError('store-not-found', `no live api token with ${byId ? 'id' : 'name'} "${idOrName}"; see daybook token list`, { field: 'token' });
  return tokenRecord(row);
}
