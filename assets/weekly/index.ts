import { DefinitionError, type AssetDefinition } from '../../framework/index.ts';
import { qualityReport, scanResults } from './quality-report.ts';
import { requestResults, requests } from './requests.ts';

export interface WeeklyOptions {
  /** How long the weekly report's simulated batch runs, in ms; default `WEEKLY_RUN_MS`, else 500. */
  runMs?: number;
}

/** The asset keys the lead's automation needs: the weekly batch under its SLA, and the queue whose depth is watched. */
export const WEEKLY_KEYS = {
  /** The Sunday-to-Saturday report, due Tuesday 23:59 New York time. */
  report: 'weekly/quality-report',
  /** The daily scan files the report reads. */
  scans: 'weekly/scan-results',
  /** The request files the queue job drains. */
  queueSource: 'weekly/requests',
  /** The queue-driven job: its waiting partitions are the queue's depth. */
  queueJob: 'weekly/request-results',
} as const;

/**
 * The weekly quality job: daily scan results, the weekly report with its Tuesday deadline and a long
 * simulated run, and the small queue-driven job on 15-minute windows.
 *
 * @example
 * defineDefinitions(weeklyPipeline({ runMs: 20 })); // a short run for tests
 */
export function weeklyPipeline({ runMs = Number(process.env.WEEKLY_RUN_MS ?? 500) }: WeeklyOptions = {}): AssetDefinition[] {
  if (!Number.isFinite(runMs) || runMs < 0) {
    throw new DefinitionError('invalid-config', `weekly/quality-report: runMs (WEEKLY_RUN_MS) must be a number of milliseconds ≥ 0, got ${runMs}`, { field: 'runMs' });
  }
  return [scanResults, qualityReport({ runMs }), requests, requestResults];
}

/** The weekly quality job with its default run time. */
export const weekly = weeklyPipeline();
