import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { specOf, type CheckOptions } from './check-options.ts';

export interface FreshnessOptions extends CheckOptions {
  /** A TIMESTAMP or TIMESTAMPTZ column; naive timestamps are read as UTC. */
  column: string;
  /** The newest value may lag the reference time by at most this much. */
  maxLagMinutes: number;
  /**
   * The reference time: the end of the partition's window (a session's close, a day's midnight),
   * or the clock's time of the evaluation. Default `partition-end`, so a rerun gives the same answer.
   */
  asOf?: 'partition-end' | 'now';
}

/**
 * The newest timestamp in the data is recent enough.
 *
 * @example
 * freshness({ column: 'trade_time', maxLagMinutes: 24 * 60 })
 */
export function freshness({ column, maxLagMinutes, asOf = 'partition-end', ...options }: FreshnessOptions): CheckDefinition {
  return {
    spec: specOf(`freshness_${column}`, { description: `newest ${column} within ${maxLagMinutes} minutes of ${asOf}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const reference = asOf === 'now' ? context.now : context.window?.end;
      if (reference === undefined) {
        return { passed: false, metrics: {}, message: `partition ${JSON.stringify(context.partition)} has no time window; use asOf: 'now'` };
      }
      const [row] = await context.query<{ newest: number | bigint | null }>(
        `select epoch_ms(max(cast(${quoteIdentifier(column)} as timestamp))) as newest from ${context.output}`,
      );
      const newest = row?.newest === null || row?.newest === undefined ? null : Number(row.newest);
      const lag = newest === null ? null : Math.round((reference - newest) / 60_000);
      const passed = lag !== null && lag <= maxLagMinutes;
      return {
        passed,
        metrics: { newest: newest === null ? null : new Date(newest).toISOString(), asOf: new Date(reference).toISOString(), lagMinutes: lag },
        message:
          lag === null ? `no ${column} values` : passed ? `newest ${column} lags ${lag} minutes` : `newest ${column} lags ${lag} minutes, more than ${maxLagMinutes}`,
      };
    },
  };
}
