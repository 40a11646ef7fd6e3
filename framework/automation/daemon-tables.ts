// Row types of the daemons table (migration 0010-daemons). Queried as `db.withTables<DaemonTables>()`.

export interface DaemonsTable {
  /** `daemon@<host>:<pid>` unless configured. */
  name: string;
  host: string;
  pid: number;
  state: 'running' | 'stopped';
  started_at: Date;
  heartbeat_at: Date;
}

// A type rather than an interface: withTables<T>() wants a record type.
export type DaemonTables = {
  daemons: DaemonsTable;
};
