// Row types of the alert tables (migration 0006-alerts). Queried as `store.db.withTables<AlertTables>()`.
import type { ColumnType, Generated } from 'kysely';
import type { JsonObject } from '../store/schema.ts';
import type { AlertEventName, AlertKind, AlertSeverity, AlertState } from './alert.ts';

/** Read as parsed JSON, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export interface AlertsTable {
  id: string;
  dedup_key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  state: AlertState;
  asset: string | null;
  partition_key: string | null;
  summary: string;
  details: Json<JsonObject>;
  first_seen: Date;
  last_seen: Date;
  resolved_at: Date | null;
  notify_count: number;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: string;
  at: Date;
  event: AlertEventName;
  channel: string | null;
  error: string | null;
  details: Json<JsonObject>;
}

// A type alias rather than an interface: `withTables` wants a record type.
export type AlertTables = {
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
};
