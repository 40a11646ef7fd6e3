import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. The row type lives in framework/automation/condition-tables.ts.
const statements = [
  sql`create table automation_cursors (
    asset text primary key,
    cursor jsonb not null,
    evaluated_at timestamptz(3) not null
  )`,
];

/** The memory of declarative automation conditions between evaluations, one row per asset. */
export const conditionCursors: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
