import type { CheckContext, CheckDefinition, CheckResult } from '../framework/index.ts';
import { numberOf, specOf, type CheckOptions } from './check-options.ts';

/**
 * What an anomaly check compares with the trailing partitions:
 * - `'rowCount'`: the partition's row count, against the row counts the store keeps per materialization;
 * - `{ name, sql }`: an aggregate over the partition (`sum(notional)`), stored under `name` with this
 *   check's results, which are its history;
 * - `{ check, metric }`: a metric another check of the asset stores (a reconcile's `notional`), this
 *   partition's from that check's result in the same evaluation, the history from its stored results.
 */
export type AnomalyMetric = 'rowCount' | { readonly name: string; readonly sql: string } | { readonly check: string; readonly metric: string };

export interface AnomalyOptions extends CheckOptions {
  /** The metric compared; default the row count. */
  metric?: AnomalyMetric;
  /** How many earlier partitions to compare with. */
  trailing: number;
  /** Largest change from the trailing mean, in percent. */
  maxChangePct?: number;
  /** Largest distance from the trailing mean, in standard deviations. */
  maxZScore?: number;
  /** Earlier partitions needed before the check judges at all; default 2 (a standard deviation needs two). */
  minHistory?: number;
}

/** How one kind of metric is named, measured on this partition, and looked up on earlier ones. */
interface MetricSource {
  readonly name: string;
  readonly uses?: readonly string[];
  current(context: CheckContext): Promise<number | null>;
  history(context: CheckContext, count: number, self: string): Promise<readonly number[]>;
}

function sourceOf(metric: AnomalyMetric): MetricSource {
  if (metric === 'rowCount') {
    return {
      name: 'rowCount',
      async current(context) {
        const [row] = await context.query<{ n: bigint }>(`select count(*) as n from ${context.output}`);
        return Number(row!.n);
      },
      history: async (context, count) => (await context.history(count)).map((entry) => entry.rowCount),
    };
  }
  if ('sql' in metric) {
    return {
      name: metric.name,
      async current(context) {
        const [row] = await context.query<{ value: unknown }>(`select ${metric.sql} as value from ${context.output}`);
        return numberOf(row?.value);
      },
      history: async (context, count, self) => (await context.metricHistory({ check: self, metric: metric.name, count })).map((entry) => entry.value),
    };
  }
  return {
    name: metric.metric,
    uses: [metric.check],
    async current(context) {
      const result = context.resultOf(metric.check);
      if (!result) throw new Error(`check "${metric.check}" has no result in this evaluation`);
      return numberOf(result.metrics[metric.metric]);
    },
    history: async (context, count) => (await context.metricHistory({ check: metric.check, metric: metric.metric, count })).map((entry) => entry.value),
  };
}

/**
 * A metric of the partition is in line with the trailing N partitions: by percent change from
 * their mean, by z-score, or both. With too little history it passes and says so.
 *
 * @example
 * anomaly({ trailing: 10, maxChangePct: 50 })
 * anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 20, maxZScore: 4, severity: 'warn' })
 */
export function anomaly({ metric = 'rowCount', trailing, maxChangePct, maxZScore, minHistory = 2, ...options }: AnomalyOptions): CheckDefinition {
  const source = sourceOf(metric);
  const name = source.name;
  const limits = [maxChangePct === undefined ? '' : `±${maxChangePct}%`, maxZScore === undefined ? '' : `z ≤ ${maxZScore}`].filter(Boolean).join(', ');
  const spec = specOf(`anomaly_${name}`, { description: `${name} against the trailing ${trailing} partitions (${limits})`, ...options });
  return {
    spec: source.uses ? Object.freeze({ ...spec, uses: source.uses }) : spec,
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const value = await source.current(context);
      if (value === null) return { passed: false, metrics: { [name]: null }, message: `${name} is null: nothing to compare` };
      const history = await source.history(context, trailing, spec.name);
      if (history.length < minHistory) {
        return { passed: true, metrics: { [name]: value, history: history.length }, message: `${history.length} earlier partitions, fewer than ${minHistory}: not judged` };
      }
      const mean = history.reduce((sum, v) => sum + v, 0) / history.length;
      const sd = Math.sqrt(history.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, history.length - 1));
      const changePct = mean === 0 ? (value === 0 ? 0 : Infinity) : ((value - mean) / Math.abs(mean)) * 100;
      const zScore = sd === 0 ? (value === mean ? 0 : Infinity) : (value - mean) / sd;
      const problems = [
        maxChangePct !== undefined && Math.abs(changePct) > maxChangePct ? `changed ${round(changePct)}% (limit ${maxChangePct}%)` : '',
        maxZScore !== undefined && Math.abs(zScore) > maxZScore ? `z-score ${round(zScore)} (limit ${maxZScore})` : '',
      ].filter(Boolean);
      return {
        passed: problems.length === 0,
        metrics: { [name]: value, history: history.length, mean: round(mean), stddev: round(sd), changePct: finite(changePct), zScore: finite(zScore) },
        message: `${name} ${value} against a trailing mean of ${round(mean)}${problems.length === 0 ? '' : `: ${problems.join(', ')}`}`,
      };
    },
  };
}

const round = (value: number) => Math.round(value * 100) / 100;
/** JSON has no Infinity: an unbounded change is stored as null. */
const finite = (value: number) => (Number.isFinite(value) ? round(value) : null);
