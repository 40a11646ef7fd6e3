// Row types of the schedule tables (migration 0005-schedule-ticks). Queried as `db.withTables<ScheduleTables>()`.
import type { ColumnType, Selectable } from 'kysely';
import type { JsonObject } from '../../store/schema.ts';

/** Read as parsed JSON, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/**
 * A tick's lifecycle: `requested` once a daemon has claimed it, then `launched` with its run, or
 * `failed` when the launch failed; `skipped` when it was beyond the catch-up limit.
 */
export const TICK_STATES = ['requested', 'launched', 'skipped', 'failed'] as const;
export type TickState = (typeof TICK_STATES)[number];

export type ScheduleTicksTable = {
  key: string;
  schedule_name: string;
  tick_at: Date;
  state: TickState;
  run_id: string | null;
  partition_request: Json<JsonObject>;
  message: string | null;
  created_at: Date;
  updated_at: Date;
};

export type ScheduleCursorsTable = {
  schedule_name: string;
  evaluated_through: Date;
  updated_at: Date;
};

// Type aliases, not interfaces: `withTables` wants types with implicit index signatures.
export type ScheduleTables = {
  schedule_ticks: ScheduleTicksTable;
  schedule_cursors: ScheduleCursorsTable;
};

/** A stored tick. */
export interface ScheduleTickRecord {
  readonly key: string;
  readonly schedule: string;
  readonly at: Date;
  readonly state: TickState;
  /** The run the tick launches: assigned when it is claimed, so a relaunch after a crash can tell whether it exists. */
  readonly runId: string | null;
  readonly partitionRequest: JsonObject;
  readonly message: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function tickRecord(row: Selectable<ScheduleTicksTable>): ScheduleTickRecord {
  return {
    key: row.key,
    schedule: row.schedule_name,
    at: row.tick_at,
    state: row.state,
    runId: row.run_id,
    partitionRequest: row.partition_request,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
