import type { MetadataStore } from '../../store/store.ts';
import type { ConditionTables } from '../condition-tables.ts';
import type { KeyRange } from './masks.ts';

/** What one asset's evaluation leaves for the next one. */
export interface AssetConditionCursor {
  /** When it ran, epoch ms. */
  readonly evaluatedAt: number;
  /** The store's highest sequence it saw: partitions above it changed since. */
  readonly seq: number;
  /** The partitions it requested, as inclusive key ranges. */
  readonly requested: readonly KeyRange[];
  /** What `since` and `onCron` nodes remembered, by node (`<path> <label>`, e.g. `0.1 since`). */
  readonly memory: Readonly<Record<string, readonly KeyRange[]>>;
}

/** The memory of declarative conditions between evaluations, per asset key. */
export interface ConditionCursor {
  readonly assets: Readonly<Record<string, AssetConditionCursor>>;
}

/** The cursor the last evaluation saved (empty before the first one). */
export async function loadConditionCursor(store: MetadataStore): Promise<ConditionCursor> {
  const rows = await store.db.withTables<ConditionTables>().selectFrom('automation_cursors').select(['asset', 'cursor']).execute();
  return { assets: Object.fromEntries(rows.map((row) => [row.asset, row.cursor])) };
}

/**
 * Saves each asset's cursor in one statement. Save it after the requested runs are recorded: a crash
 * in between then repeats a request (which the executor skips when done) rather than losing one.
 */
export async function saveConditionCursor(store: MetadataStore, cursor: ConditionCursor): Promise<void> {
  const rows = Object.entries(cursor.assets).map(([asset, entry]) => ({
    asset,
    cursor: JSON.stringify(entry),
    evaluated_at: new Date(entry.evaluatedAt),
  }));
  if (rows.length === 0) return;
  await store.db
    .withTables<ConditionTables>()
    .insertInto('automation_cursors')
    .values(rows)
    .onConflict((conflict) => conflict.column('asset').doUpdateSet((eb) => ({ cursor: eb.ref('excluded.cursor'), evaluated_at: eb.ref('excluded.evaluated_at') })))
    .execute();
}
