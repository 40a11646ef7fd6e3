import type { RunRecord } from '../store/schema.ts';
import type { JsonObject } from '../store/schema.ts';
import type { Engine } from '../executor/engine.ts';
import { cliActor } from './open-engine.ts';

/**
 * Records an operator's command in the audit log as `operator.<action>`, with who ran it, their
 * `--reason` and the run it started, as soon as the run exists. `onRun` goes to materialize;
 * `recorded()` waits for the write (and throws if it failed) once the run is over.
 */
export function operatorAction(engine: Engine, action: string, { reason, details }: { reason: string | undefined; details: JsonObject }) {
  let written: Promise<unknown> = Promise.resolve();
  return {
    onRun(run: RunRecord) {
      written = engine.store.recordOperatorAction({ actor: cliActor(), action, runId: run.id, details, ...(reason === undefined ? {} : { reason }) });
      written.catch(() => undefined);
    },
    recorded: async () => {
      await written;
    },
  };
}
