import type { Column } from '../io/duckdb.ts';
import type { InputRelation } from '../io/input-relation.ts';
import type { CheckResultInput } from '../store/writes.ts';
import type { Engine } from './engine.ts';
import type { StepEnded, StepLifecycleEvent } from './step-listener.ts';

/** The step an event is about: its id in the store, its asset and its partition. */
interface NotifiedStep {
  readonly stepId: string;
  readonly assetId: number;
  readonly partition: string;
}

/** Tells an engine's step listeners about one run's steps; every method is a no-op without listeners. */
export interface StepNotifier {
  started(step: NotifiedStep, attempt: number, inputs: readonly InputRelation[], inputChecks: readonly CheckResultInput[]): void;
  succeeded(
    step: NotifiedStep,
    attempt: number,
    inputs: readonly InputRelation[],
    output: { dataVersion: string; rowCount: number; bytes: number; columns: readonly Column[]; checks: readonly CheckResultInput[]; inputChecks: readonly CheckResultInput[] },
  ): void;
  ended(step: NotifiedStep, attempt: number, type: StepEnded['type'], error: StepEnded['error'], checks?: readonly CheckResultInput[]): void;
}

const SILENT: StepNotifier = { started: () => undefined, succeeded: () => undefined, ended: () => undefined };

/**
 * Builds the run's notifier. Events are built only when the engine has listeners, and a listener
 * that throws is ignored: listeners observe steps, they never change what happens to them.
 */
export function createStepNotifier(engine: Engine, run: { id: string; selection: string }): StepNotifier {
  const listeners = engine.listeners ?? [];
  if (listeners.length === 0) return SILENT;
  const notify = (event: StepLifecycleEvent) => {
    for (const listener of listeners) {
      try {
        listener.onStepEvent(event);
      } catch {
        // A listener must not fail a step (see StepListener).
      }
    }
  };
  const described = (relations: readonly InputRelation[]) => relations.map((relation) => ({ relation, asset: engine.definitions.get(relation.asset) }));
  const subject = (step: NotifiedStep, attempt: number) => {
    const asset = engine.definitions.assets[step.assetId]!;
    const locate = () => engine.storage.locate({ asset, partition: step.partition });
    return { runId: run.id, selection: run.selection, stepId: step.stepId, asset, partition: step.partition, attempt, at: engine.store.now(), locate };
  };
  return {
    started: (step, attempt, inputs, inputChecks) => notify({ type: 'started', ...subject(step, attempt), inputs: described(inputs), inputChecks }),
    succeeded: (step, attempt, inputs, output) => notify({ type: 'succeeded', ...subject(step, attempt), inputs: described(inputs), ...output }),
    ended: (step, attempt, type, error, checks = []) => notify({ type, ...subject(step, attempt), error, checks }),
  };
}
