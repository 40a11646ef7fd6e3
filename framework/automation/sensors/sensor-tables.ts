// Row types of the sensor tables (migration 0007-sensor-cursors). Queried as `store.db.withTables<SensorTables>()`.
import type { ColumnType } from 'kysely';
import type { JsonObject } from '../../store/schema.ts';

/** Read as parsed JSON, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export type SensorCursorsTable = {
  sensor: string;
  generation: number;
  cursor: Json<JsonObject>;
  updated_at: Date;
}

export type SensorFilesTable = {
  sensor: string;
  path: string;
  asset: string;
  partition_key: string;
  size: number;
  mtime_ms: number;
  etag: string | null;
  data_version: string;
}

export type SensorEventsTable = {
  id: string;
  sensor: string;
  path: string;
  asset: string;
  partition_key: string;
  change: 'new' | 'changed';
  data_version: string;
  detected_at: Date;
  requested_at: Date | null;
  run_id: string | null;
}

export type SensorTables = {
  sensor_cursors: SensorCursorsTable;
  sensor_files: SensorFilesTable;
  sensor_events: SensorEventsTable;
}
