import { userKeyProblem } from '../partitions/definitions/keys.ts';
import { StoreError } from '../util/errors.ts';
import { checkId, newId } from './ids.ts';
import type { NewStep, StoreWrite } from './writes.ts';

export interface PrepareContext {
  /** Now, epoch ms. */
  readonly now: number;
  /** Who acts when a write does not say. */
  readonly actor: string;
}

const invalid = (message: string, field: string) => new StoreError('store-invalid-write', message, { field });

function count(value: number | undefined, field: string, where: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw invalid(`${where}: ${field} must be a non-negative integer, got ${String(value)}`, field);
  }
}

function text(value: unknown, field: string, where: string): void {
  if (typeof value !== 'string' || value === '') throw invalid(`${where}: ${field} must be a non-empty string, got ${JSON.stringify(value)}`, field);
}

function steps(list: readonly NewStep[], now: number, where: string): NewStep[] {
  return list.map((step, position) => {
    text(step.asset, `steps[${position}].asset`, where);
    if (typeof step.partition !== 'string') throw invalid(`${where}: steps[${position}].partition must be a string`, 'partition');
    return { ...step, id: step.id === undefined ? newId(now) : checkId(step.id, `steps[${position}].id`) };
  });
}

/**
 * Fills in what a write leaves out (ids, time, actor) and refuses malformed input before it is
 * queued, so a bad write fails alone with a message naming the field instead of failing a batch.
 */
export function prepareWrite(write: StoreWrite, { now, actor: defaultActor }: PrepareContext): StoreWrite {
  if (write.kind === 'audit') {
    return {
      kind: 'audit',
      events: write.events.map((event) => {
        text(event.action, 'action', 'audit event');
        if (event.runId !== undefined) checkId(event.runId, 'runId');
        return { ...event, at: event.at ?? now, actor: event.actor ?? defaultActor };
      }),
    };
  }
  const base = { ...write, at: write.at ?? now, actor: write.actor ?? defaultActor };
  switch (base.kind) {
    case 'create-run': {
      text(base.selection, 'selection', 'new run');
      const id = base.id === undefined ? newId(now) : checkId(base.id, 'id');
      const backfillId = base.backfillId === undefined ? undefined : checkId(base.backfillId, 'backfillId');
      return { ...base, id, ...(backfillId === undefined ? {} : { backfillId }), steps: steps(base.steps ?? [], now, `run ${id}`) };
    }
    case 'add-steps': {
      const runId = checkId(base.runId, 'runId');
      return { ...base, runId, steps: steps(base.steps, now, `run ${runId}`) };
    }
    case 'update-run':
      return { ...base, runId: checkId(base.runId, 'runId') };
    case 'update-step':
      return { ...base, stepId: checkId(base.stepId, 'stepId') };
    case 'fail-step':
      // An error may have an empty message; it must still be recorded.
      if (typeof base.error?.message !== 'string') throw invalid(`step ${base.stepId}: error.message must be a string`, 'error.message');
      return { ...base, stepId: checkId(base.stepId, 'stepId') };
    case 'succeed-step': {
      const where = `step ${base.stepId}`;
      text(base.dataVersion, 'dataVersion', where);
      count(base.rowCount, 'rowCount', where);
      count(base.bytes, 'bytes', where);
      return { ...base, stepId: checkId(base.stepId, 'stepId') };
    }
    case 'observe':
      base.observations.forEach((observation, position) => {
        const where = `observations[${position}] (source "${observation.asset}", partition "${observation.partition}")`;
        text(observation.asset, 'asset', where);
        text(observation.dataVersion, 'dataVersion', where);
        count(observation.bytes, 'bytes', where);
        if (observation.runId !== undefined) checkId(observation.runId, 'runId');
      });
      return base;
    case 'add-dynamic-keys':
      text(base.definition, 'definition', 'dynamic keys');
      base.keys.forEach((key, position) => {
        const problem = userKeyProblem(key);
        if (problem !== undefined) {
          throw new StoreError('invalid-partition-key', `dynamic keys "${base.definition}": keys[${position}] ${JSON.stringify(key)}: ${problem}`, {
            field: 'keys',
            partition: typeof key === 'string' ? key : undefined,
          });
        }
      });
      return base;
    case 'create-backfill':
      text(base.selection, 'selection', 'new backfill');
      return { ...base, id: base.id === undefined ? newId(now) : checkId(base.id, 'id') };
    case 'update-backfill':
      return { ...base, backfillId: checkId(base.backfillId, 'backfillId') };
    case 'check-results':
      base.results.forEach((result, position) => {
        text(result.asset, `results[${position}].asset`, 'check results');
        text(result.check, `results[${position}].check`, 'check results');
        if (result.stepId !== undefined) checkId(result.stepId, 'stepId');
        if (result.runId !== undefined) checkId(result.runId, 'runId');
      });
      return base;
    case 'publishes':
      base.publishes.forEach((publish, position) => {
        const where = `publishes[${position}]`;
        for (const field of ['asset', 'target', 'uri', 'dataVersion'] as const) text(publish[field], field, where);
        if (typeof publish.partition !== 'string') throw invalid(`${where}: partition must be a string`, 'partition');
        if (publish.stepId !== undefined) checkId(publish.stepId, 'stepId');
        if (publish.runId !== undefined) checkId(publish.runId, 'runId');
      });
      return base;
  }
}

/** Names a batch of writes in an error message. */
export function describeWrites(writes: readonly StoreWrite[]): string {
  const names = writes.slice(0, 3).map((write) => {
    if ('stepId' in write) return `${write.kind} of step ${write.stepId}`;
    if ('runId' in write) return `${write.kind} of run ${write.runId}`;
    if ('backfillId' in write) return `${write.kind} of backfill ${write.backfillId}`;
    return write.kind;
  });
  return writes.length > 3 ? `${names.join(', ')} and ${writes.length - 3} more` : names.join(', ');
}
