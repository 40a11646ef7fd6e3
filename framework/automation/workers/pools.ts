import { sql } from 'kysely';
import { auditTransaction } from '../../store/audit-transaction.ts';
import type { MetadataStore } from '../../store/store.ts';
import { DefinitionError } from '../../util/errors.ts';

const POOL_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Stores pool slot limits, which cap how many steps of a pool run at once across every worker
 * (an asset joins a pool with its `pool` tag). A changed limit is recorded as `pool.limit-set`.
 *
 * @example
 * await setPoolLimits(engine.store, { redshift: 2 });
 */
export async function setPoolLimits(store: MetadataStore, limits: Readonly<Record<string, number>>): Promise<void> {
  for (const [name, limit] of Object.entries(limits)) {
    if (!POOL_NAME.test(name)) throw new DefinitionError('invalid-config', `pool "${name}": expected lower-case a-z, 0-9, _ and -`, { field: 'pools' });
    if (!Number.isInteger(limit) || limit < 0) throw new DefinitionError('invalid-config', `pool "${name}": limit must be a whole number ≥ 0, got ${limit}`, { field: 'pools' });
  }
  await auditTransaction(store.db, async ({ trx, append }) => {
    const at = new Date(store.now());
    for (const [name, limit] of Object.entries(limits)) {
      const before = await sql<{ slot_limit: number }>`select slot_limit from pools where name = ${name} for update`.execute(trx);
      if (before.rows[0]?.slot_limit === limit) continue;
      await sql`insert into pools (name, slot_limit, updated_at) values (${name}, ${limit}, ${at}::timestamptz)
        on conflict (name) do update set slot_limit = excluded.slot_limit, updated_at = excluded.updated_at`.execute(trx);
      append({ action: 'pool.limit-set', actor: store.actor, at, payload: { pool: name, limit, previous: before.rows[0]?.slot_limit } });
    }
  });
}
