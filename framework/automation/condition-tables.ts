// Row type of the condition cursors (migration 0009-condition-cursors). Queried as `store.db.withTables<ConditionTables>()`.
import type { ColumnType } from 'kysely';
import type { AssetConditionCursor } from './conditions/cursor.ts';

export interface AutomationCursorsTable {
  /** The asset the cursor belongs to. */
  asset: string;
  /** Read as parsed JSON, written as JSON text. */
  cursor: ColumnType<AssetConditionCursor, string, string>;
  evaluated_at: Date;
}

// A type alias rather than an interface: `withTables` wants a record type.
export type ConditionTables = {
  automation_cursors: AutomationCursorsTable;
};
