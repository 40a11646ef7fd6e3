import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is.
const statements = [
  sql`create table api_tokens (
    id uuid primary key,
    name text not null,
    role text not null check (role in ('viewer', 'operator', 'admin')),
    token_hash text not null unique,
    prefix text not null,
    created_at timestamptz(3) not null,
    created_by text not null,
    revoked_at timestamptz(3),
    revoked_by text
  )`,
  // A name picks out one live token, for `daybook token revoke <name>` and for the audit log's actor.
  sql`create unique index api_tokens_live_name on api_tokens (name) where revoked_at is null`,
];

/** The HTTP server's bearer tokens: only their SHA-256 is stored, with name, role and revocation. */
export const apiTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
