import { createAlertManager } from '../automation/alert-manager.ts';
import type { AutomationConfig } from '../automation/automation-config.ts';
import { watchHeartbeats } from '../automation/heartbeat-watch.ts';
import type { MetadataStore } from '../store/store.ts';
import type { CommandIO } from './output.ts';

/**
 * For a process that runs no daemon (`daybook worker`, `daybook serve --no-daemon`): watches the
 * daemons' heartbeats, since a dead daemon cannot report itself, and alerts through the config's
 * automation channels; a failed look is a warning on stderr. Returns the function that stops it.
 */
export function watchDaemons(store: MetadataStore, automation: AutomationConfig, io: CommandIO): () => void {
  return watchHeartbeats({
    store,
    alerts: createAlertManager({ store, channels: automation.alerts.channels }),
    onError: (error) => io.stderr.write(`warning: heartbeat watch: ${error instanceof Error ? error.message : String(error)}\n`),
  });
}
