import type { AssetDefinition } from '../definitions/asset.ts';
import type { Column } from '../io/duckdb.ts';
import type { InputRelation } from '../io/input-relation.ts';
import type { CheckResultInput } from '../store/writes.ts';

/** One relation a step reads, with the definition of the asset or source it belongs to. */
export interface StepInput {
  readonly relation: InputRelation;
  readonly asset: AssetDefinition;
}

/** Which step a lifecycle event is about. */
interface StepSubject {
  readonly runId: string;
  /** The run's selection, e.g. `northbridge/positions+`. */
  readonly selection: string;
  readonly stepId: string;
  readonly asset: AssetDefinition;
  readonly partition: string;
  /** The attempt, from 1. */
  readonly attempt: number;
  /** When it happened, epoch ms. */
  readonly at: number;
  /** Where the step's partition is stored (or would be): a path or an `s3://` URI. A function, as few listeners need it. */
  readonly locate: () => string;
}

/** A step began computing: its inputs are ready and it is not up to date. */
export interface StepStarted extends StepSubject {
  readonly type: 'started';
  /** What it reads: upstream partitions' files, or landed source files. */
  readonly inputs: readonly StepInput[];
  /** Results of the checks on the source partitions it reads, when they ran for it. */
  readonly inputChecks: readonly CheckResultInput[];
}

/** A step's materialization was committed. */
export interface StepSucceeded extends StepSubject {
  readonly type: 'succeeded';
  readonly inputs: readonly StepInput[];
  readonly dataVersion: string;
  readonly rowCount: number;
  readonly bytes: number;
  readonly columns: readonly Column[];
  /** The output's check results. */
  readonly checks: readonly CheckResultInput[];
  /** Results of the checks on the source partitions it read. */
  readonly inputChecks: readonly CheckResultInput[];
}

/** A step ended without a materialization: failed after its last attempt, blocked by a check, or cancelled. */
export interface StepEnded extends StepSubject {
  readonly type: 'failed' | 'blocked-by-check' | 'cancelled';
  readonly error: { readonly message: string; readonly stack?: string } | undefined;
  readonly checks: readonly CheckResultInput[];
}

export type StepLifecycleEvent = StepStarted | StepSucceeded | StepEnded;

/**
 * Told about each step as it computes, after each change is stored: e.g. OpenLineage emission
 * (framework/lineage). It is called synchronously on the step's path, so it must only queue work
 * and return; whatever it throws is ignored, so it can never fail or hold up a step.
 *
 * @example
 * const engine = { ...openedEngine, listeners: [createLineageEmitter({ transport: httpTransport({ url }) })] };
 */
export interface StepListener {
  onStepEvent(event: StepLifecycleEvent): void;
}
