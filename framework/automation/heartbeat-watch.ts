import type { MetadataStore } from '../store/store.ts';
import type { AlertRecord } from './alert.ts';
import type { AlertManager } from './alert-manager.ts';
import { applyAlerts, heartbeatAlerts, RULE_KINDS } from './alert-rules.ts';
import type { DaemonTables } from './daemon-tables.ts';

/** Each daemon's last heartbeat, latest first: the heartbeat alert's input. */
export async function daemonHeartbeats(store: MetadataStore): Promise<{ name: string; heartbeatAt: number; state: 'running' | 'stopped' }[]> {
  const rows = await store.db.withTables<DaemonTables>().selectFrom('daemons').select(['name', 'heartbeat_at', 'state']).orderBy('heartbeat_at', 'desc').execute();
  return rows.map((row) => ({ name: row.name, heartbeatAt: new Date(row.heartbeat_at).getTime(), state: row.state }));
}

/**
 * The heartbeat rule: `daemon-heartbeat` fires for each daemon that is running by its row but has been
 * silent longer than `maxSilenceMs` (it crashed, or lost the database), and resolves once it beats
 * again or stops cleanly. Daemons run it for their peers; workers and a server without a daemon run it
 * through `watchHeartbeats`, since a dead daemon cannot report itself.
 */
export async function checkHeartbeats(store: MetadataStore, alerts: AlertManager, maxSilenceMs?: number): Promise<{ firing: AlertRecord[]; resolved: AlertRecord[] }> {
  const now = store.now();
  const silent = (await daemonHeartbeats(store))
    .filter((daemon) => daemon.state === 'running')
    .flatMap((daemon) => heartbeatAlerts({ lastHeartbeat: daemon.heartbeatAt, now, daemon: daemon.name, ...(maxSilenceMs === undefined ? {} : { maxSilenceMs }) }));
  return applyAlerts(alerts, RULE_KINDS.heartbeat, silent);
}

export interface WatchHeartbeatsOptions {
  store: MetadataStore;
  alerts: AlertManager;
  /** Silence longer than this alerts; default 2 minutes. */
  maxSilenceMs?: number;
  /** How often to look; default 30 s. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/** Runs `checkHeartbeats` now and then every `intervalMs`, until the returned function is called. */
export function watchHeartbeats({ store, alerts, maxSilenceMs, intervalMs = 30_000, onError = () => undefined }: WatchHeartbeatsOptions): () => void {
  let checking = false;
  const check = () => {
    if (checking) return;
    checking = true;
    checkHeartbeats(store, alerts, maxSilenceMs)
      .catch(onError)
      .finally(() => (checking = false));
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  check();
  return () => clearInterval(timer);
}
