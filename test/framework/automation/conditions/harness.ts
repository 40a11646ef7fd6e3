// Shared by the condition tests: daily partitions, landing files, and one evaluation the way the
// daemon runs it (observe the sources, read the planner state and the cursor, save the new cursor).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadConditionCursor, saveConditionCursor } from '../../../../framework/automation/conditions/cursor.ts';
import { evaluateConditions, type ConditionEvaluation } from '../../../../framework/automation/conditions/evaluate.ts';
import { explainCondition, type ConditionExplanation } from '../../../../framework/automation/conditions/explain.ts';
import { observeSources } from '../../../../framework/executor/observe-sources.ts';
import { timeWindows } from '../../../../framework/index.ts';
import type { TestEngine } from '../../../support/test-engine.ts';

export const DAYS = timeWindows({ cadence: 'daily', timeZone: 'UTC', start: '2026-11-01', end: '2026-11-10' });
export const D2 = '2026-11-02';
export const D3 = '2026-11-03';
export const D4 = '2026-11-04';
/** 04:00 UTC on 4 November: the days of 1 to 3 November have ended. */
export const NOV_4_0400 = Date.UTC(2026, 10, 4, 4);

/** Writes a landing file, e.g. `land(engine, 'prices/2026-11-03.csv', 'px\n10\n')`. */
export async function land(engine: TestEngine, path: string, text: string): Promise<void> {
  const file = join(engine.landing, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Observes every source, evaluates the conditions against the stored cursor, and saves the new cursor. */
export async function evaluate(engine: TestEngine, now: number, inProgress: readonly string[] = []): Promise<ConditionEvaluation> {
  const { definitions, store } = engine;
  await observeSources(engine, definitions.assets.map((_, id) => id), {});
  const evaluation = evaluateConditions({ definitions, state: await store.plannerState(definitions), now, previous: await loadConditionCursor(store), inProgress });
  await saveConditionCursor(store, evaluation.cursor);
  return evaluation;
}

/** The tester's tree for one asset partition, against the stored cursor (nothing is saved). */
export async function explain(engine: TestEngine, asset: string, partition: string, now: number, inProgress: readonly string[] = []): Promise<ConditionExplanation> {
  const { definitions, store } = engine;
  const state = await store.plannerState(definitions);
  return explainCondition({ definitions, state, now, previous: await loadConditionCursor(store), inProgress, asset, partition });
}

/** Requests as `asset[key]` strings, in order. */
export function requested(evaluation: ConditionEvaluation): string[] {
  return evaluation.requests.flatMap(({ asset, partitions }) => partitions.map((key) => `${asset}[${key}]`));
}
