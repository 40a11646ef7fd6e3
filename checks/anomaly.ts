import type { CheckContext, CheckDefinition, CheckResult } from '../framework/index.ts';
import { specOf, type CheckOptions } from './check-options.ts';

export interface AnomalyOptions extends CheckOptions {
  /** The metric compared; the row count is the one the store keeps for every partition. */
  metric?: 'rowCount';
  /** How many earlier partitions to compare with. */
  trailing: number;
  /** Largest change from the trailing mean, in percent. */
  maxChangePct?: number;
  /** Largest distance from the trailing mean, in standard deviations. */
  maxZScore?: number;
  /** Earlier partitions needed before the check judges at all; default 2 (a standard deviation needs two). */
  minHistory?: number;
}

/**
 * The partition's row count is in line with the trailing N partitions: by percent change from
 * their mean, by z-score, or both. With too little history it passes and says so.
 *
 * @example
 * anomaly({ trailing: 10, maxChangePct: 50 })
 */
export function anomaly({ metric = 'rowCount', trailing, maxChangePct, maxZScore, minHistory = 2, ...options }: AnomalyOptions): CheckDefinition {
  const limits = [maxChangePct === undefined ? '' : `±${maxChangePct}%`, maxZScore === undefined ? '' : `z ≤ ${maxZScore}`].filter(Boolean).join(', ');
  return {
    spec: specOf(`anomaly_${metric}`, { description: `${metric} against the trailing ${trailing} partitions (${limits})`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const [row] = await context.query<{ n: bigint }>(`select count(*) as n from ${context.output}`);
      const value = Number(row!.n);
      const history = (await context.history(trailing)).map((entry) => entry.rowCount);
      if (history.length < minHistory) {
        return { passed: true, metrics: { [metric]: value, history: history.length }, message: `${history.length} earlier partitions, fewer than ${minHistory}: not judged` };
      }
      const mean = history.reduce((sum, v) => sum + v, 0) / history.length;
      const sd = Math.sqrt(history.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, history.length - 1));
      const changePct = mean === 0 ? (value === 0 ? 0 : Infinity) : ((value - mean) / mean) * 100;
      const zScore = sd === 0 ? (value === mean ? 0 : Infinity) : (value - mean) / sd;
      const problems = [
        maxChangePct !== undefined && Math.abs(changePct) > maxChangePct ? `changed ${round(changePct)}% (limit ${maxChangePct}%)` : '',
        maxZScore !== undefined && Math.abs(zScore) > maxZScore ? `z-score ${round(zScore)} (limit ${maxZScore})` : '',
      ].filter(Boolean);
      return {
        passed: problems.length === 0,
        metrics: { [metric]: value, history: history.length, mean: round(mean), stddev: round(sd), changePct: finite(changePct), zScore: finite(zScore) },
        message: `${metric} ${value} against a trailing mean of ${round(mean)}${problems.length === 0 ? '' : `: ${problems.join(', ')}`}`,
      };
    },
  };
}

const round = (value: number) => Math.round(value * 100) / 100;
/** JSON has no Infinity: an unbounded change is stored as null. */
const finite = (value: number) => (Number.isFinite(value) ? round(value) : null);
