import { StoreError } from '../util/errors.ts';
import { checkStepChange, clean, FINAL_STEP, FoldState, MAX, name, partitionKey, type Changes, type Snapshot } from './fold-state.ts';
import { backfillRecord, materializationRecord, runRecord, stepRecord } from './records.ts';
import type { BackfillRow, MaterializationRow, ObservationRow, RunRow, RunStatus, StepRow } from './schema.ts';
import { storableJson, storableText } from './text.ts';
import type { StoreWrite, WriteResults } from './writes.ts';

const FINAL_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

type Handler<K extends StoreWrite['kind']> = (state: FoldState, write: Extract<StoreWrite, { kind: K }>, at: Date, actor: string) => WriteResults[K];

const toDate = (at: number | Date | undefined): Date => (at instanceof Date ? at : new Date(at ?? Number.NaN));
const subjectOf = (row: StepRow) => ({ asset: row.asset, partition: row.partition_key, runId: row.run_id });

/**
 * Applies a batch of writes, in order, to the rows they touch, in memory: it checks each state
 * change, builds the rows to insert and update and the chained audit events, and computes each
 * write's result. It is pure; the caller reads the snapshot under the write lock and writes the
 * changes in the same transaction. Writes must be prepared (ids, times and actors filled in).
 */
export function foldWrites(writes: readonly StoreWrite[], snapshot: Snapshot): Changes {
  const state = new FoldState(snapshot);
  for (const write of writes) {
    const at = 'at' in write ? toDate(write.at) : new Date(Number.NaN);
    const actor = 'actor' in write && write.actor !== undefined ? write.actor : '';
    const handler = HANDLERS[write.kind] as Handler<typeof write.kind>;
    state.results.push(handler(state, write as never, at, actor));
  }
  return state.changes();
}

const createRun: Handler<'create-run'> = (state, write, at, actor) => {
  const row: RunRow = {
    id: write.id!,
    status: write.status ?? 'queued',
    selection: storableText(write.selection, MAX.message),
    partition_request: storableJson(write.partitionRequest ?? {}),
    trigger: name(write.trigger ?? 'manual'),
    triggered_by: name(write.triggeredBy ?? actor),
    backfill_id: write.backfillId ?? null,
    created_at: at,
    started_at: write.status === 'running' ? at : null,
    finished_at: null,
    message: null,
  };
  if (state.runs.has(row.id) || state.snapshot.runs.has(row.id)) throw new StoreError('store-invalid-write', `run ${row.id} already exists`, { field: 'runId' });
  if (row.backfill_id !== null) {
    state.backfill(row.backfill_id);
    state.runsOfBackfill(row.backfill_id).push(row.id);
  }
  state.runs.set(row.id, { row, isNew: true });
  const steps = state.addSteps(row.id, write.steps ?? [], at);
  state.record(at, actor, 'run.created', { runId: row.id }, {
    selection: row.selection,
    partitionRequest: row.partition_request,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    backfillId: row.backfill_id ?? undefined,
    status: row.status,
    steps: steps.length,
  });
  return { run: runRecord(row), steps: steps.map(stepRecord) };
};

const updateRun: Handler<'update-run'> = (state, write, at, actor) => {
  const entry = state.run(write.runId);
  const from = entry.row.status;
  if (FINAL_RUN.has(from) || (write.status === 'queued' && from !== 'queued')) {
    throw new StoreError('store-invalid-write', `run ${write.runId} is ${from} and cannot become ${write.status}`, { field: 'status' });
  }
  entry.row = {
    ...entry.row,
    status: write.status,
    started_at: entry.row.started_at ?? (write.status === 'running' ? at : null),
    finished_at: FINAL_RUN.has(write.status) ? at : null,
    message: write.message === undefined ? entry.row.message : clean(write.message, MAX.message),
  };
  state.record(at, actor, `run.${write.status}`, { runId: write.runId }, { from, message: write.message });
  return runRecord(entry.row);
};

const addSteps: Handler<'add-steps'> = (state, write, at, actor) => {
  if (!state.runs.has(write.runId) && !state.snapshot.runs.has(write.runId)) {
    throw new StoreError('store-not-found', `run ${write.runId} does not exist`, { field: 'runId' });
  }
  const steps = state.addSteps(write.runId, write.steps, at);
  const only = steps.length === 1 ? steps[0] : undefined;
  state.record(at, actor, 'run.steps-added', { runId: write.runId, asset: only?.asset, partition: only?.partition_key }, {
    count: steps.length,
    assets: [...new Set(steps.map((row) => row.asset))],
  });
  return steps.map(stepRecord);
};

const updateStep: Handler<'update-step'> = (state, write, at, actor) => {
  const entry = state.step(write.stepId);
  const before = entry.row;
  checkStepChange(before, write.status);
  const running = write.status === 'running';
  entry.row = {
    ...before,
    status: write.status,
    attempts: running ? before.attempts + 1 : before.attempts,
    worker: write.worker === undefined ? before.worker : name(write.worker),
    started_at: running ? at : before.started_at,
    finished_at: FINAL_STEP.has(write.status) ? at : null,
    error_message: write.message === undefined ? before.error_message : clean(write.message, MAX.message),
    log_tail: write.logTail === undefined ? before.log_tail : clean(write.logTail, MAX.logTail, 'end'),
  };
  // A skip means the current materialization was found up to date, so an earlier failure no longer stands.
  if (write.status === 'skipped') {
    const partition = state.partition(before.asset, before.partition_key, at);
    if (partition.failed) state.setPartition({ ...partition, failed: false, failure: null, failed_step_id: null, updated_at: at });
  }
  state.record(at, actor, `step.${write.status}`, subjectOf(before), {
    step: before.id,
    from: before.status,
    attempt: entry.row.attempts,
    worker: running ? (entry.row.worker ?? undefined) : undefined,
    message: write.message,
  });
  return stepRecord(entry.row);
};

const succeedStep: Handler<'succeed-step'> = (state, write, at, actor) => {
  const entry = state.step(write.stepId);
  const before = entry.row;
  checkStepChange(before, 'succeeded');
  const seq = state.nextSeq();
  const partition = state.partition(before.asset, before.partition_key, at);
  const dataVersion = name(write.dataVersion);
  // The version's first seq stays put when a rerun reproduces the same data: downstream is not stale.
  const versionSeq = partition.data_version === dataVersion && partition.version_seq > 0 ? partition.version_seq : seq;
  const materialization: MaterializationRow = {
    seq,
    asset: before.asset,
    partition_key: before.partition_key,
    data_version: dataVersion,
    version_seq: versionSeq,
    code_version: write.codeVersion === undefined ? null : name(write.codeVersion),
    consumed: storableJson(write.consumed ?? {}),
    row_count: write.rowCount ?? null,
    bytes: write.bytes ?? null,
    location: clean(write.location, MAX.message),
    metadata: storableJson(write.metadata ?? {}),
    run_id: before.run_id,
    step_id: before.id,
    created_at: at,
  };
  state.materializations.push(materialization);
  state.setPartition({
    ...partition,
    current_seq: seq,
    version_seq: versionSeq,
    data_version: dataVersion,
    code_version: materialization.code_version,
    failed: false,
    failure: null,
    failed_step_id: null,
    updated_at: at,
  });
  const started = before.status !== 'running';
  entry.row = {
    ...before,
    status: 'succeeded',
    attempts: started ? before.attempts + 1 : before.attempts,
    worker: write.worker === undefined ? before.worker : name(write.worker),
    started_at: started ? (write.startedAt === undefined ? at : toDate(write.startedAt)) : before.started_at,
    finished_at: at,
    log_tail: write.logTail === undefined ? before.log_tail : clean(write.logTail, MAX.logTail, 'end'),
    materialization_seq: seq,
  };
  state.record(at, actor, 'asset.materialized', subjectOf(before), {
    step: before.id,
    attempt: entry.row.attempts,
    worker: write.worker === undefined ? undefined : entry.row.worker,
    seq,
    dataVersion,
    versionChanged: versionSeq === seq,
    codeVersion: materialization.code_version,
    rowCount: materialization.row_count,
    bytes: materialization.bytes,
    location: materialization.location,
  });
  return { step: stepRecord(entry.row), materialization: materializationRecord(materialization) };
};

const failStep: Handler<'fail-step'> = (state, write, at, actor) => {
  const entry = state.step(write.stepId);
  const before = entry.row;
  const status = write.status ?? 'failed';
  checkStepChange(before, status);
  const message = clean(write.error.message, MAX.message) ?? '';
  const started = before.status !== 'running';
  entry.row = {
    ...before,
    status,
    attempts: started ? before.attempts + 1 : before.attempts,
    started_at: started ? at : before.started_at,
    finished_at: status === 'pending' ? null : at,
    error_message: message,
    error_stack: clean(write.error.stack, MAX.stack),
    log_tail: write.logTail === undefined ? before.log_tail : clean(write.logTail, MAX.logTail, 'end'),
  };
  const partition = state.partition(before.asset, before.partition_key, at);
  state.setPartition({ ...partition, failed: true, failure: message, failed_step_id: before.id, updated_at: at });
  state.record(at, actor, status === 'blocked-by-check' ? 'step.blocked-by-check' : 'step.failed', subjectOf(before), {
    step: before.id,
    attempt: entry.row.attempts,
    retrying: status === 'pending' ? true : undefined,
    error: message,
  });
  return stepRecord(entry.row);
};

const observe: Handler<'observe'> = (state, write, at, actor) =>
  write.observations.map((observation) => {
    const seq = state.nextSeq();
    const asset = name(observation.asset);
    const key = name(observation.partition);
    const dataVersion = name(observation.dataVersion);
    const partition = state.partition(asset, key, at);
    // An unchanged file is not a new version: nothing is stored, so frequent polling costs no rows.
    if (partition.current_seq > 0 && partition.data_version === dataVersion) return { asset, partition: key, seq: partition.current_seq, changed: false };
    const row: ObservationRow = {
      seq,
      asset,
      partition_key: key,
      data_version: dataVersion,
      bytes: observation.bytes ?? null,
      etag: clean(observation.etag, MAX.name),
      mtime: observation.mtime === undefined ? null : toDate(observation.mtime),
      location: clean(observation.location, MAX.message),
      run_id: observation.runId ?? null,
      observed_at: at,
    };
    state.observations.push(row);
    state.setPartition({ ...partition, current_seq: seq, version_seq: seq, data_version: dataVersion, updated_at: at });
    state.record(at, actor, 'source.observed', { asset, partition: key, runId: row.run_id }, {
      seq,
      dataVersion,
      previous: partition.data_version ?? undefined,
      bytes: row.bytes,
      location: row.location,
    });
    return { asset, partition: key, seq, changed: true };
  });

const addDynamicKeys: Handler<'add-dynamic-keys'> = (state, write, at, actor) => {
  const added: string[] = [];
  for (const key of write.keys) {
    const k = partitionKey(write.definition, key);
    if (state.dynamicKeys.has(k)) continue;
    state.dynamicKeys.add(k);
    added.push(key);
    state.newDynamicKeys.push({ definition: write.definition, key, added_at: at });
  }
  if (added.length > 0) state.record(at, actor, 'partitions.added', {}, { definition: write.definition, keys: added });
  return added;
};

const createBackfill: Handler<'create-backfill'> = (state, write, at, actor) => {
  const row: BackfillRow = {
    id: write.id!,
    selection: storableText(write.selection, MAX.message),
    partition_request: storableJson(write.partitionRequest ?? {}),
    status: write.status ?? 'requested',
    triggered_by: name(write.triggeredBy ?? actor),
    created_at: at,
    updated_at: at,
    finished_at: null,
    message: null,
  };
  if (state.backfills.has(row.id) || state.snapshot.backfills.has(row.id)) {
    throw new StoreError('store-invalid-write', `backfill ${row.id} already exists`, { field: 'backfillId' });
  }
  state.backfills.set(row.id, { row, isNew: true });
  state.backfillRuns.set(row.id, []);
  state.record(at, actor, 'backfill.created', {}, { backfill: row.id, selection: row.selection, partitionRequest: row.partition_request, status: row.status });
  return backfillRecord(row, []);
};

const updateBackfill: Handler<'update-backfill'> = (state, write, at, actor) => {
  const entry = state.backfill(write.backfillId);
  const from = entry.row.status;
  const done = write.status === 'completed' || write.status === 'failed' || write.status === 'cancelled';
  entry.row = {
    ...entry.row,
    status: write.status,
    updated_at: at,
    finished_at: done ? at : null,
    message: write.message === undefined ? entry.row.message : clean(write.message, MAX.message),
  };
  state.record(at, actor, `backfill.${write.status}`, {}, { backfill: write.backfillId, from, message: write.message });
  return backfillRecord(entry.row, [...state.runsOfBackfill(write.backfillId)]);
};

const checkResults: Handler<'check-results'> = (state, write, at, actor) => {
  for (const result of write.results) {
    const row = {
      run_id: result.runId ?? null,
      step_id: result.stepId ?? null,
      asset: name(result.asset),
      partition_key: name(result.partition),
      check_name: name(result.check),
      passed: result.passed,
      severity: name(result.severity),
      blocking: result.blocking,
      message: storableText(result.message, MAX.message),
      metrics: storableJson(result.metrics ?? {}),
      sample: storableJson(result.sample ?? []),
      created_at: at,
    };
    state.checkResults.push(row);
    state.record(at, actor, result.passed ? 'check.passed' : 'check.failed', { asset: row.asset, partition: row.partition_key, runId: row.run_id }, {
      check: row.check_name,
      severity: row.severity,
      blocking: row.blocking,
      message: row.message,
      metrics: row.metrics,
    });
  }
  return write.results.length;
};

const publishes: Handler<'publishes'> = (state, write, at, actor) => {
  for (const publish of write.publishes) {
    const row = {
      asset: name(publish.asset),
      partition_key: name(publish.partition),
      target: name(publish.target),
      uri: storableText(publish.uri, MAX.message),
      data_version: name(publish.dataVersion),
      run_id: publish.runId ?? null,
      step_id: publish.stepId ?? null,
      published: publish.published,
      at,
    };
    state.publishes.push(row);
    state.record(at, actor, row.published ? 'asset.published' : 'asset.publish-unchanged', { asset: row.asset, partition: row.partition_key, runId: row.run_id }, {
      step: row.step_id ?? undefined,
      target: row.target,
      uri: row.uri,
      dataVersion: row.data_version,
    });
  }
  return write.publishes.length;
};

const audit: Handler<'audit'> = (state, write) =>
  write.events.map((event) =>
    state.record(toDate(event.at), event.actor ?? '', event.action, { asset: event.asset, partition: event.partition, runId: event.runId }, event.payload ?? {}),
  );

const HANDLERS: { [K in StoreWrite['kind']]: Handler<K> } = {
  'create-run': createRun,
  'update-run': updateRun,
  'add-steps': addSteps,
  'update-step': updateStep,
  'succeed-step': succeedStep,
  'fail-step': failStep,
  observe,
  'add-dynamic-keys': addDynamicKeys,
  'create-backfill': createBackfill,
  'update-backfill': updateBackfill,
  'check-results': checkResults,
  publishes,
  audit,
};
