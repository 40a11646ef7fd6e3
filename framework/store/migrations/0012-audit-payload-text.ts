import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is.
const statements = [
  // An audit event's payload is the canonical JSON text its hash covers, kept verbatim. As text it is
  // stored as it comes: a json column parses every payload again on insert, about a sixth of what an
  // audit row costs the store, to check what the store made with canonicalJson() and hashed. Readers
  // cast it (`payload::jsonb`) where they look inside. The rewrite fires no row trigger.
  sql`alter table audit_events alter column payload type text`,
];

/** Audit payloads as text. */
export const auditPayloadText: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
