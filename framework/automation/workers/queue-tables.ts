// Row types of the work queue (migration 0008-work-queue). Queried as `db.withTables<QueueTables>()`.

/** A queued step that has not ended: claimable once `blockers` is 0, `ready_at` has passed and no live lease holds it. */
export interface StepQueueTable {
  step_id: string;
  run_id: string;
  /** The pool whose slots it takes (its asset's `pool` tag), or null. */
  pool: string | null;
  /** The fair-share group: its asset's group. */
  queue_group: string;
  priority: number;
  enqueued_at: Date;
  /** `enqueued_at` less the priority's head start: claims go in this order, so waiting steps age. */
  due_at: Date;
  /** Not before: the backoff of a retry. */
  ready_at: Date;
  /** Upstream steps of its run that have not ended. */
  blockers: number;
  /** Leases that ran out on it (workers that stopped while running it). */
  expiries: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
}

export interface StepEdgesTable {
  upstream: string;
  downstream: string;
}

export interface RunQueueTable {
  run_id: string;
  remaining: number;
  problems: number;
  cancelled: number;
}

export type WorkerState = 'running' | 'draining' | 'stopped';

export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  state: WorkerState;
  started_at: Date;
  heartbeat_at: Date;
  stopped_at: Date | null;
}

export interface PoolsTable {
  name: string;
  slot_limit: number;
  updated_at: Date;
}

// A type rather than an interface: withTables<T>() wants a record type.
export type QueueTables = {
  step_queue: StepQueueTable;
  step_edges: StepEdgesTable;
  run_queue: RunQueueTable;
  workers: WorkersTable;
  pools: PoolsTable;
};
