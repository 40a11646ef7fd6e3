import { createHash } from 'node:crypto';
import type { AssetDefinition } from '../definitions/asset.ts';
import type { Column } from '../io/duckdb.ts';
import type { SourceObservation } from '../io/source-observer.ts';
import { runSqlCompute } from '../io/sql-compute.ts';
import { canonicalJson } from '../store/audit-chain.ts';
import { quoteIdentifier } from '../io/sql-text.ts';
import { formatPartition } from '../planner/explain.ts';
import type { StepReason } from '../planner/reason.ts';
import type { CheckResultInput, PublishInput, StoreWrite } from '../store/writes.ts';
import { DaybookError, MaterializationError, type DaybookErrorCode } from '../util/errors.ts';
import { evaluateChecks, type CheckGateOutcome } from './check-gate.ts';
import type { ConnectionPool } from './connection-pool.ts';
import type { Engine } from './engine.ts';
import { toObservation } from './observe-sources.ts';
import { publishStep } from './publish-step.ts';
import type { AttemptOutcome } from './scheduler.ts';
import { prepareStepInputs, resetPartitionVariables, setPartitionVariables, usesPartitionVariables, type ConsumedVersions, type StepInputs } from './step-inputs.ts';
import { createStepNotifier, type StepNotifier } from './step-notifier.ts';

/** Failures that another attempt would repeat exactly: bad input files and bad keys. */
const DETERMINISTIC: ReadonlySet<DaybookErrorCode> = new Set(['malformed-input', 'missing-column', 'ambiguous-source', 'invalid-partition-key']);

/** Whether a failed attempt is worth another: bad input fails the same way every time. */
export const isRetryable = (error: unknown): boolean => !(error instanceof DaybookError && DETERMINISTIC.has(error.code));

/** Why a step that never ran ended as it did. */
export const HELD_BACK = {
  'upstream-failed': 'an upstream step failed',
  cancelled: 'cancelled',
  waiting: 'an upstream step is waiting',
  'blocked-by-check': 'an upstream step is blocked by a check',
} as const;

/** What a successful step produced. */
interface StepOutput {
  readonly dataVersion: string;
  readonly rowCount: number;
  readonly bytes: number;
  /** Where the partition's file is; undefined when the compute stored nothing. */
  readonly location: string | undefined;
  readonly schema: readonly Column[];
  readonly checked: readonly CheckResultInput[];
  readonly publishes: readonly PublishInput[];
}

type Ready = Extract<StepInputs, { ready: true }>;

/** One stored step to execute: an asset partition of a run. */
export interface RunnerStep {
  /** The step's id in the store. */
  readonly stepId: string;
  readonly asset: string;
  readonly assetId: number;
  readonly partition: string;
  readonly partitionIndex: number;
  readonly reason: StepReason;
}

export interface StepRunnerOptions {
  engine: Engine;
  run: { readonly id: string; readonly selection: string };
  /** DuckDB connections, shared with other runners of the same process. */
  connections: ConnectionPool;
  /** The current data version of an asset partition (what this runner produces is looked up first). */
  dataVersion: (asset: string, partitionIndex: number) => string | undefined;
  /** Memoization: the partition's current materialization read exactly these input versions with the current code. */
  upToDate: (asset: AssetDefinition, partitionIndex: number, consumed: ConsumedVersions) => boolean | Promise<boolean>;
  /** Source partitions the run observed already; the others are observed (and recorded) when first read. */
  observations?: Map<string, SourceObservation>;
  /**
   * Commits a step's change: materialize adds the step's unwritten "running" change, a worker checks
   * in the same transaction that it still holds the step's lease.
   */
  commit: (step: RunnerStep, writes: StoreWrite[]) => Promise<unknown>;
}

/** Executes the steps of one run; see `createStepRunner`. */
export interface StepRunner {
  /** Runs one attempt and commits its outcome; a failure throws, and `fail()` records it. */
  execute(step: RunnerStep, attempt: { number: number; signal: AbortSignal }): Promise<AttemptOutcome>;
  /** Records a failed attempt: `pending` when another attempt follows, `failed` when it was the last. */
  fail(step: RunnerStep, attempt: number, error: unknown, final: boolean): Promise<void>;
  /** Appends a line to the step's log, whose tail is stored with its next change. */
  log(step: RunnerStep, line: string): void;
  /** Continues the log of a step from its stored tail: its earlier attempts may have run elsewhere. */
  resumeLog(step: RunnerStep, tail: string | null): void;
  /** Why a step waits, was blocked, failed or was skipped, once it was. */
  message(step: RunnerStep): string | undefined;
  setMessage(step: RunnerStep, message: string): void;
  readonly notifier: StepNotifier;
  /** Rows written by the steps that succeeded. */
  readonly rows: number;
}

/**
 * Builds the executor of one run's steps, shared by `materialize()` and the queue's workers. A step
 * reads its inputs, computes into partition storage, runs its checks, publishes, and then commits its
 * success with its materialization and publishes in one store transaction.
 */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { engine, run, connections } = options;
  const { definitions, store } = engine;
  const observations = options.observations ?? new Map<string, SourceObservation>();
  const notifier = createStepNotifier(engine, run);
  const produced = new Map<string, string>();
  const messages = new Map<string, string>();
  const logs = new Map<string, string[]>();
  // One output schema per asset and run: the same SQL over inputs of the same assets.
  const schemas = new Map<number, readonly Column[]>();
  // A source partition's checks run once per run, on the connection of the first step that reads it.
  const sourceGates = new Map<string, Promise<CheckGateOutcome>>();
  let rows = 0;

  const log = (step: RunnerStep, line: string) => {
    const lines = logs.get(step.stepId) ?? [];
    lines.push(`${new Date().toISOString()} ${line}`);
    logs.set(step.stepId, lines.slice(-200));
  };
  const logTail = (step: RunnerStep) => (logs.get(step.stepId) ?? []).join('\n');
  /** The step's last change: its log is no longer needed. */
  const ended = (step: RunnerStep) => logs.delete(step.stepId);
  const dataVersion = (asset: string, index: number) => produced.get(`${asset}\u0000${index}`) ?? options.dataVersion(asset, index);
  const observation = async (source: string, partition: string): Promise<SourceObservation> => {
    const key = `${source}\u0000${partition}`;
    let found = observations.get(key);
    if (!found) {
      found = await engine.observer.observe(definitions.get(source), partition);
      observations.set(key, found);
      if (found.status === 'present') await store.recordObservations([toObservation(found)]);
    }
    return found;
  };
  const gateOptions = (step: RunnerStep) => ({ store, storage: engine.storage, definitions, now: Date.now(), runId: run.id, stepId: step.stepId });
  const blockStep = async (step: RunnerStep, gate: CheckGateOutcome, attempt: number): Promise<'blocked-by-check'> => {
    log(step, gate.message);
    messages.set(step.stepId, gate.message);
    await options.commit(step, [
      { kind: 'check-results', results: gate.results.filter((result) => result.stepId === step.stepId) },
      { kind: 'fail-step', stepId: step.stepId, status: 'blocked-by-check', error: { message: gate.message }, logTail: logTail(step) },
    ]);
    ended(step);
    notifier.ended(step, attempt, 'blocked-by-check', { message: gate.message }, gate.results);
    return 'blocked-by-check';
  };

  /** Commits the step's success with its materialization, checks and publishes, then tells the listeners. */
  const succeed = async (step: RunnerStep, attempt: number, inputs: Ready, inputChecks: CheckResultInput[], output: StepOutput): Promise<'succeeded'> => {
    const asset = definitions.assets[step.assetId]!;
    const { checked, publishes } = output;
    await options.commit(step, [
      ...(checked.length === 0 ? [] : [{ kind: 'check-results' as const, results: checked }]),
      {
        kind: 'succeed-step' as const,
        stepId: step.stepId,
        dataVersion: output.dataVersion,
        ...(asset.codeVersion === undefined ? {} : { codeVersion: asset.codeVersion }),
        consumed: inputs.consumed,
        rowCount: output.rowCount,
        bytes: output.bytes,
        ...(output.location === undefined ? {} : { location: output.location }),
        metadata: { columns: output.schema.map((column) => ({ name: column.name, type: column.type })), ...(output.location === undefined ? { stored: false } : {}) },
        logTail: logTail(step),
      },
      ...(publishes.length === 0 ? [] : [{ kind: 'publishes' as const, publishes }]),
    ]);
    ended(step);
    produced.set(`${asset.key}\u0000${step.partitionIndex}`, output.dataVersion);
    rows += output.rowCount;
    notifier.succeeded(step, attempt, inputs.relations, {
      dataVersion: output.dataVersion,
      rowCount: output.rowCount,
      bytes: output.bytes,
      columns: output.schema,
      checks: checked,
      inputChecks,
    });
    return 'succeeded';
  };

  const execute = async (step: RunnerStep, attempt: { number: number; signal: AbortSignal }): Promise<AttemptOutcome> => {
    const asset = definitions.assets[step.assetId]!;
    const connection = await connections.acquire();
    let views: string[] = [];
    let variables: string[] = [];
    const setVariables = async (sql: string) => {
      if (variables.length === 0 && usesPartitionVariables(definitions, step.assetId, sql)) {
        variables = await setPartitionVariables(connection, definitions, step.assetId, step.partition);
      }
    };
    try {
      const inputs = await prepareStepInputs({
        connection,
        definitions,
        assetId: step.assetId,
        partitionIndex: step.partitionIndex,
        storage: engine.storage,
        observation,
        dataVersion,
      });
      if (!inputs.ready) {
        messages.set(step.stepId, inputs.waitingFor);
        await options.commit(step, [{ kind: 'update-step', stepId: step.stepId, status: 'waiting', message: inputs.waitingFor }]);
        ended(step);
        return 'waiting';
      }
      views = inputs.views;
      for (const [upstream, versions] of Object.entries(inputs.consumed)) {
        for (const [key, version] of Object.entries(versions)) log(step, `input ${formatPartition(upstream, key)} ${version}`);
      }
      if (step.reason === 'upstream-changed' && (await options.upToDate(asset, step.partitionIndex, inputs.consumed))) {
        const current = options.dataVersion(asset.key, step.partitionIndex);
        if (current !== undefined) produced.set(`${asset.key}\u0000${step.partitionIndex}`, current);
        messages.set(step.stepId, 'up to date: same code version and input versions');
        await options.commit(step, [{ kind: 'update-step', stepId: step.stepId, status: 'skipped', message: 'up to date: same code version and input versions' }]);
        ended(step);
        return 'skipped';
      }
      // Checks (the asset's, its sources') may read the partition variables too; a function compute's SQL is known once it ran.
      await setVariables(typeof asset.compute === 'string' ? asset.compute : '');
      const inputChecks: CheckResultInput[] = [];
      for (const relation of inputs.relations) {
        const source = definitions.get(relation.asset);
        if (source.kind !== 'source' || source.checks.length === 0 || relation.kind !== 'view') continue;
        const key = `${source.key}\u0000${relation.partitions[0]}`;
        let gate = sourceGates.get(key);
        if (!gate) {
          gate = evaluateChecks({ ...gateOptions(step), connection, asset: source, partition: relation.partitions[0]!, rows: { view: relation.name, relation }, inputs: [] });
          sourceGates.set(key, gate);
          // Blocking results are stored with the blocked step, in the same transaction.
          const evaluated = await gate;
          if (evaluated.blocking.length === 0) await store.recordCheckResults(evaluated.results);
        }
        const outcome = await gate;
        if (outcome.blocking.length > 0) return await blockStep(step, outcome, attempt.number);
        inputChecks.push(...outcome.results);
      }
      attempt.signal.throwIfAborted();
      notifier.started(step, attempt.number, inputs.relations, inputChecks);
      log(step, `computing ${formatPartition(asset.key, step.partition)} (attempt ${attempt.number})`);
      const sql = await sqlOf(asset, step);
      if (sql === undefined) return await succeed(step, attempt.number, inputs, inputChecks, storedNothing(asset, step, inputs.consumed));
      await setVariables(sql);
      // The checks read the compute's temporary file before storage moves it into place: a blocked
      // partition never replaces the stored file, so nothing downstream or published sees it.
      let gate: CheckGateOutcome | undefined;
      const verify = async (file: string) => {
        if (asset.checks.length === 0) return true;
        const inputNames = inputs.relations.map((relation) => relation.name);
        gate = await evaluateChecks({ ...gateOptions(step), connection, asset, partition: step.partition, rows: { file }, inputs: inputNames });
        return gate.blocking.length === 0;
      };
      const result = await runSqlCompute({
        connection,
        storage: engine.storage,
        asset,
        partition: step.partition,
        sql,
        inputs: inputs.relations,
        verify,
        ...(schemas.has(step.assetId) ? { knownSchema: schemas.get(step.assetId)! } : {}),
      });
      schemas.set(step.assetId, result.schema);
      if ('rejected' in result) return await blockStep(step, gate!, attempt.number);
      log(step, `wrote ${result.rowCount} rows, ${result.bytes} bytes, ${result.dataVersion}`);
      // Published only once checked and in place, and before the success is recorded: a failed
      // publish fails the attempt, and a retry finds the targets that already hold this version.
      const publishes = await publishStep({
        asset,
        partition: step.partition,
        // Targets read a local file; storage on S3 locates an s3:// URI, and open() gives its cached copy.
        file: asset.publish.length === 0 ? result.location : await engine.storage.open({ asset, partition: step.partition }),
        dataVersion: result.dataVersion,
        rowCount: result.rowCount,
        runId: run.id,
        stepId: step.stepId,
        reader: connection,
        log: (line) => log(step, line),
      });
      const checked = (gate as CheckGateOutcome | undefined)?.results ?? [];
      return await succeed(step, attempt.number, inputs, inputChecks, { ...result, checked, publishes });
    } finally {
      let healthy = !attempt.signal.aborted;
      // A reused connection must not carry this step's views or variables into the next step.
      for (const view of views) await connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(view)}`).catch(() => (healthy = false));
      await resetPartitionVariables(connection, variables).catch(() => (healthy = false));
      connections.release(connection, healthy);
    }
  };

  const fail = async (step: RunnerStep, attempt: number, failure: unknown, final: boolean) => {
    const error = errorOf(failure);
    log(step, `attempt ${attempt} failed: ${error.message.split('\n')[0]}`);
    await options.commit(step, [{ kind: 'fail-step', stepId: step.stepId, status: final ? 'failed' : 'pending', error, logTail: logTail(step) }]);
    if (!final) return;
    ended(step);
    messages.set(step.stepId, error.message);
    notifier.ended(step, attempt, 'failed', error);
  };

  return {
    execute,
    fail,
    log,
    resumeLog: (step, tail) => {
      if (tail) logs.set(step.stepId, tail.split('\n'));
    },
    message: (step) => messages.get(step.stepId),
    setMessage: (step, message) => messages.set(step.stepId, message),
    notifier,
    get rows() {
      return rows;
    },
  };
}

/** The SQL of a step: the asset's SQL, or what its TypeScript compute returns: SQL, or nothing when it stores nothing. */
async function sqlOf(asset: AssetDefinition, step: RunnerStep): Promise<string | undefined> {
  if (typeof asset.compute === 'string') return asset.compute;
  if (typeof asset.compute === 'function') {
    const sql = await asset.compute({ asset: asset.key, partitionKey: step.partition });
    if (typeof sql === 'string' || sql === undefined || sql === null) return sql ?? undefined;
    throw new MaterializationError('materialization-failed', `asset "${asset.key}": its compute returned ${typeof sql}; return SQL text, or nothing to store nothing`, {
      asset: asset.key,
      partition: step.partition,
      field: 'compute',
    });
  }
  throw new MaterializationError('materialization-failed', `asset "${asset.key}" has no compute`, { asset: asset.key, partition: step.partition, field: 'compute' });
}

/**
 * The output of a compute that returned nothing: it did its work as a side effect (Dagster's
 * `MaterializeResult` without an output), so there is no file, no rows, no checks and nothing to
 * publish. Its data version follows from its code version and the input versions it read, so a
 * rerun over the same inputs leaves its downstream fresh.
 */
function storedNothing(asset: AssetDefinition, step: RunnerStep, consumed: ConsumedVersions): StepOutput {
  const where = { asset: asset.key, partition: step.partition, field: 'compute' };
  if (asset.checks.length > 0) {
    throw new MaterializationError('materialization-failed', `asset "${asset.key}": its compute returned no SQL, so its ${asset.checks.length} check(s) have no rows to check`, where);
  }
  if (asset.publish.length > 0) throw new MaterializationError('materialization-failed', `asset "${asset.key}": its compute returned no SQL, so there is nothing to publish`, where);
  const dataVersion = `sha256:${createHash('sha256').update(canonicalJson([asset.key, step.partition, asset.codeVersion ?? null, consumed])).digest('hex')}`;
  return { dataVersion, rowCount: 0, bytes: 0, location: undefined, schema: [], checked: [], publishes: [] };
}

function errorOf(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { message: String(error) };
}
