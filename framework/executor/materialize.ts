import type { AssetDefinition } from '../definitions/asset.ts';
import { selectAssets } from '../definitions/selection.ts';
import type { SourceObservation } from '../io/source-observer.ts';
import type { Column } from '../io/duckdb.ts';
import { runSqlCompute } from '../io/sql-compute.ts';
import { ConnectionPool } from './connection-pool.ts';
import { quoteIdentifier } from '../io/sql-text.ts';
import type { PartitionRequest } from '../planner/partition-request.ts';
import { createPlan } from '../planner/plan.ts';
import type { StorePlannerState } from '../store/planner-state.ts';
import type { RunRecord, StepRecord, StepStatus } from '../store/schema.ts';
import type { CheckResultInput, StoreWrite } from '../store/writes.ts';
import { DaybookError, MaterializationError, type DaybookErrorCode } from '../util/errors.ts';
import { formatPartition } from '../planner/explain.ts';
import type { Engine } from './engine.ts';
import { runSchedule, type AttemptOutcome, type SchedulerEvent } from './scheduler.ts';
import { buildStepGraph, type ExecutionStep } from './step-graph.ts';
import { observeSources, toObservation } from './observe-sources.ts';
import { prepareStepInputs, resetPartitionVariables, setPartitionVariables, usesPartitionVariables } from './step-inputs.ts';
import { evaluateChecks, type CheckGateOutcome } from './check-gate.ts';
import { publishStep } from './publish-step.ts';
import { createStepNotifier } from './step-notifier.ts';

/**
 * How long a step runs before its "running" change is written on its own. With many steps in flight
 * a small step takes tens of milliseconds from start to success, and writing "running" for each would
 * double the store's work; a step running longer than this shows as running in the store.
 */
const RUNNING_DELAY_MS = 250;

/** Failures that another attempt would repeat exactly: bad input files and bad keys. */
const DETERMINISTIC: ReadonlySet<DaybookErrorCode> = new Set(['malformed-input', 'missing-column', 'ambiguous-source', 'invalid-partition-key']);

export interface MaterializeOptions {
  /** Assets to run (selection syntax); default every asset. */
  selection?: string;
  partitions?: PartitionRequest;
  /** Run requested partitions even when they are fresh. */
  force?: boolean;
  /** What started the run (`manual`, `backfill`, `schedule`…) and who. */
  trigger?: string;
  actor?: string;
  backfillId?: string;
  /** Ctrl-C: running steps are aborted and nothing new starts. */
  signal?: AbortSignal;
  /** Called on every step status change, after it is stored. */
  onStep?: (event: StepEvent) => void;
  /** Called once the plan is known, with the number of steps. */
  onPlan?: (steps: number) => void;
  /** Called once the run and its steps are stored, before any step starts: e.g. to report the run id. */
  onRun?: (run: RunRecord, steps: readonly StepRecord[]) => void;
}

export interface StepEvent {
  readonly asset: string;
  readonly partition: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly message?: string;
}

/** What a run did. */
export interface RunSummary {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly steps: number;
  readonly byStatus: Readonly<Partial<Record<StepStatus, number>>>;
  readonly rows: number;
  /** Steps that did not succeed or skip, with why. */
  readonly problems: readonly { asset: string; partition: string; status: StepStatus; message: string }[];
}

/**
 * Observes the sources a selection reads, plans it, and runs the plan: each step computes into
 * partition storage, then records its materialization with its success in one store transaction.
 */
export async function materialize(engine: Engine, options: MaterializeOptions = {}): Promise<RunSummary> {
  const { definitions, store } = engine;
  const selection = options.selection ?? '*';
  const request = options.partitions ?? {};
  const assets = selectAssets(definitions, selection);
  const observations = await observeSources(engine, assets, request);
  const state = await store.plannerState(definitions);
  const plan = createPlan({ definitions, state, assets, partitions: request, force: options.force ?? false });
  const steps = buildStepGraph(plan);
  options.onPlan?.(steps.length);
  const { run, steps: records } = await store.createRun({
    selection,
    partitionRequest: JSON.parse(JSON.stringify(request)),
    trigger: options.trigger ?? 'manual',
    ...(options.actor === undefined ? {} : { triggeredBy: options.actor, actor: options.actor }),
    ...(options.backfillId === undefined ? {} : { backfillId: options.backfillId }),
    status: 'running',
    steps: steps.map((step) => ({ asset: step.asset, partition: step.partition, reason: step.reason })),
  });
  options.onRun?.(run, records);
  const stepIds = records.map((record) => record.id);
  const notifier = createStepNotifier(engine, run, stepIds);
  const produced = new Map<string, string>();
  const messages = new Map<number, string>();
  const logs = new Map<number, string[]>();
  const log = (step: ExecutionStep, line: string) => {
    const lines = logs.get(step.id) ?? [];
    lines.push(`${new Date().toISOString()} ${line}`);
    logs.set(step.id, lines.slice(-200));
  };
  const logTail = (step: ExecutionStep) => (logs.get(step.id) ?? []).join('\n');
  let rows = 0;
  // One output schema per asset and run: the same SQL over inputs of the same assets.
  const schemas = new Map<number, readonly Column[]>();
  const connections = new ConnectionPool(engine.duckdb);
  // A step's "running" change is written only if the step is still running after a moment: most
  // steps finish sooner, and their success then records the start itself, halving their commits.
  const running = new Map<number, { startedAt: number; timer: NodeJS.Timeout | undefined; written: Promise<unknown> | undefined }>();
  const markRunning = (step: ExecutionStep) => {
    // The store's clock, as every other change of the run: the audit log keeps one time line.
    const entry = { startedAt: store.now(), timer: undefined as NodeJS.Timeout | undefined, written: undefined as Promise<unknown> | undefined };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.written = store.updateStep({ stepId: stepIds[step.id]!, status: 'running', at: entry.startedAt });
      entry.written.catch(() => undefined);
    }, RUNNING_DELAY_MS);
    running.set(step.id, entry);
  };
  /**
   * Settles the step's "running" change before its next one. Returns the start time when the change
   * was not written yet: the caller then commits it with the next change (a success records its start).
   */
  const afterRunning = async (step: ExecutionStep): Promise<number | undefined> => {
    const entry = running.get(step.id);
    if (!entry) return undefined;
    running.delete(step.id);
    if (entry.timer === undefined) {
      await entry.written;
      return undefined;
    }
    clearTimeout(entry.timer);
    return entry.startedAt;
  };
  /** The step's unwritten "running" change, if any, to commit together with its next change. */
  const pendingRunning = async (step: ExecutionStep): Promise<StoreWrite[]> => {
    const startedAt = await afterRunning(step);
    return startedAt === undefined ? [] : [{ kind: 'update-step', stepId: stepIds[step.id]!, status: 'running', at: startedAt }];
  };

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
  const dataVersion = (asset: string, index: number) => produced.get(`${asset}\u0000${index}`) ?? state.dataVersion?.(asset, index);

  // A source partition's checks run once per run, on the connection of the first step that reads it.
  const sourceGates = new Map<string, Promise<CheckGateOutcome>>();
  const gateOptions = (step: ExecutionStep) => ({ store, storage: engine.storage, definitions, now: Date.now(), runId: run.id, stepId: stepIds[step.id]! });
  const blockStep = async (step: ExecutionStep, gate: CheckGateOutcome, attempt: number): Promise<'blocked-by-check'> => {
    log(step, gate.message);
    messages.set(step.id, gate.message);
    const stepId = stepIds[step.id]!;
    await store.commit([
      ...(await pendingRunning(step)),
      { kind: 'check-results', results: gate.results.filter((result) => result.stepId === stepId) },
      { kind: 'fail-step', stepId, status: 'blocked-by-check', error: { message: gate.message }, logTail: logTail(step) },
    ]);
    notifier.ended(step, attempt, 'blocked-by-check', { message: gate.message }, gate.results);
    return 'blocked-by-check';
  };

  const execute = async (step: ExecutionStep, attempt: { number: number; signal: AbortSignal }): Promise<AttemptOutcome> => {
    const asset = definitions.assets[step.assetId]!;
    const connection = await connections.acquire();
    let views: string[] = [];
    let variables: string[] = [];
    try {
      const sql = await sqlOf(asset, step);
      if (usesPartitionVariables(definitions, step.assetId, sql)) variables = await setPartitionVariables(connection, definitions, step.assetId, step.partition);
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
        messages.set(step.id, inputs.waitingFor);
        await store.commit([...(await pendingRunning(step)), { kind: 'update-step', stepId: stepIds[step.id]!, status: 'waiting', message: inputs.waitingFor }]);
        return 'waiting';
      }
      views = inputs.views;
      for (const [upstream, versions] of Object.entries(inputs.consumed)) {
        for (const [key, version] of Object.entries(versions)) log(step, `input ${formatPartition(upstream, key)} ${version}`);
      }
      if (step.reason === 'upstream-changed' && isUpToDate(state, asset, step.partitionIndex, inputs.consumed)) {
        const current = state.dataVersion?.(asset.key, step.partitionIndex);
        if (current !== undefined) produced.set(`${asset.key}\u0000${step.partitionIndex}`, current);
        messages.set(step.id, 'up to date: same code version and input versions');
        await store.commit([
          ...(await pendingRunning(step)),
          { kind: 'update-step', stepId: stepIds[step.id]!, status: 'skipped', message: 'up to date: same code version and input versions' },
        ]);
        return 'skipped';
      }
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
        stepId: stepIds[step.id]!,
        reader: connection,
        log: (line) => log(step, line),
      });
      const startedAt = await afterRunning(step);
      const checked = (gate as CheckGateOutcome | undefined)?.results ?? [];
      await store.commit([
        ...(checked.length === 0 ? [] : [{ kind: 'check-results' as const, results: checked }]),
        {
          kind: 'succeed-step' as const,
          stepId: stepIds[step.id]!,
          ...(startedAt === undefined ? {} : { startedAt }),
          dataVersion: result.dataVersion,
          ...(asset.codeVersion === undefined ? {} : { codeVersion: asset.codeVersion }),
          consumed: inputs.consumed,
          rowCount: result.rowCount,
          bytes: result.bytes,
          location: result.location,
          metadata: { columns: result.schema.map((column) => ({ name: column.name, type: column.type })) },
          logTail: logTail(step),
        },
        ...(publishes.length === 0 ? [] : [{ kind: 'publishes' as const, publishes }]),
      ]);
      produced.set(`${asset.key}\u0000${step.partitionIndex}`, result.dataVersion);
      rows += result.rowCount;
      notifier.succeeded(step, attempt.number, inputs.relations, {
        dataVersion: result.dataVersion,
        rowCount: result.rowCount,
        bytes: result.bytes,
        columns: result.schema,
        checks: checked,
        inputChecks,
      });
      return 'succeeded';
    } finally {
      let healthy = !attempt.signal.aborted;
      // A reused connection must not carry this step's views or variables into the next step.
      for (const view of views) await connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(view)}`).catch(() => (healthy = false));
      await resetPartitionVariables(connection, variables).catch(() => (healthy = false));
      connections.release(connection, healthy);
    }
  };

  const onEvent = async (event: SchedulerEvent) => {
    const stepId = stepIds[event.step.id]!;
    const error = event.error === undefined ? undefined : errorOf(event.error);
    if (event.status === 'running') markRunning(event.step);
    else if (event.status === 'failed' || (event.status === 'pending' && error)) {
      log(event.step, `attempt ${event.attempt} failed: ${error!.message.split('\n')[0]}`);
      await store.commit([...(await pendingRunning(event.step)), { kind: 'fail-step', stepId, status: event.status, error: error!, logTail: logTail(event.step) }]);
      if (event.status === 'failed') {
        messages.set(event.step.id, error!.message);
        notifier.ended(event.step, event.attempt, 'failed', error);
      }
    } else if (
      event.status === 'cancelled' ||
      (event.attempt === 0 && (event.status === 'upstream-failed' || event.status === 'waiting' || event.status === 'blocked-by-check'))
    ) {
      const message = {
        'upstream-failed': 'an upstream step failed',
        cancelled: 'cancelled',
        waiting: 'an upstream step is waiting',
        'blocked-by-check': 'an upstream step is blocked by a check',
      }[event.status];
      messages.set(event.step.id, message);
      await store.commit([...(await pendingRunning(event.step)), { kind: 'update-step', stepId, status: event.status, message }]);
      if (event.status === 'cancelled') notifier.ended(event.step, event.attempt, 'cancelled', undefined);
    }
    options.onStep?.({
      asset: event.step.asset,
      partition: event.step.partition,
      status: event.status,
      attempt: event.attempt,
      ...(messages.has(event.step.id) ? { message: messages.get(event.step.id)! } : {}),
    });
  };

  const statuses = await runSchedule({
    steps,
    execute,
    onEvent,
    concurrency: engine.concurrency,
    retry: engine.retry,
    timeoutMs: engine.timeoutMs,
    retryable: (error) => !(error instanceof DaybookError && DETERMINISTIC.has(error.code)),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  connections.close();
  const byStatus: Partial<Record<StepStatus, number>> = {};
  for (const status of statuses) byStatus[status] = (byStatus[status] ?? 0) + 1;
  const failed = statuses.some((status) => status === 'failed' || status === 'upstream-failed' || status === 'blocked-by-check');
  const status = options.signal?.aborted ? 'cancelled' : failed ? 'failed' : 'succeeded';
  await store.updateRun({ runId: run.id, status });
  const problems = steps
    .filter((step) => !['succeeded', 'skipped'].includes(statuses[step.id]!))
    .map((step) => ({ asset: step.asset, partition: step.partition, status: statuses[step.id]!, message: messages.get(step.id) ?? '' }));
  return { runId: run.id, status, steps: steps.length, byStatus, rows, problems };
}

/** Memoization: the latest materialization read exactly these input versions with the current code. */
function isUpToDate(state: StorePlannerState, asset: AssetDefinition, index: number, consumed: Record<string, Record<string, string>>): boolean {
  const own = state.asset(asset.key);
  if (!own || index >= own.materializedSeq.length || own.materializedSeq[index] === 0 || own.failed[index] === 1) return false;
  if (asset.codeVersion !== undefined && own.codeVersions[own.codeVersion[index]!] !== asset.codeVersion) return false;
  for (const [upstream, versions] of Object.entries(consumed)) {
    for (const [key, version] of Object.entries(versions)) {
      if (state.consumedVersion?.(asset.key, index, upstream, key) !== version) return false;
    }
  }
  return true;
}

/** The SQL of a step: the asset's SQL, or the SQL its TypeScript compute returns. */
async function sqlOf(asset: AssetDefinition, step: ExecutionStep): Promise<string> {
  if (typeof asset.compute === 'string') return asset.compute;
  if (typeof asset.compute === 'function') {
    const sql = await asset.compute({ asset: asset.key, partitionKey: step.partition });
    if (typeof sql === 'string') return sql;
  }
  throw new MaterializationError('materialization-failed', `asset "${asset.key}" has no compute that yields SQL`, {
    asset: asset.key,
    partition: step.partition,
    field: 'compute',
  });
}

function errorOf(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { message: String(error) };
}
