import type { CheckContext, CheckDefinition, CheckResult } from '../framework/index.ts';
import { specOf, type CheckOptions } from './check-options.ts';

export interface RowCountOptions extends CheckOptions {
  min?: number;
  max?: number;
  /** An exact count, e.g. a control total known in advance. */
  equals?: number;
}

/**
 * The partition's row count lies between bounds, or equals a number.
 *
 * @example
 * defineAsset({ key: 'northbridge/prices', checks: [rowCount({ min: 1 })], … });
 */
export function rowCount({ min, max, equals, ...options }: RowCountOptions = {}): CheckDefinition {
  const bounds = [equals === undefined ? '' : `= ${equals}`, min === undefined ? '' : `>= ${min}`, max === undefined ? '' : `<= ${max}`].filter(Boolean);
  return {
    spec: specOf('row_count', { description: `row count ${bounds.join(' and ') || 'is recorded'}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const [row] = await context.query<{ n: bigint }>(`select count(*) as n from ${context.output}`);
      const count = Number(row!.n);
      const problems = [
        equals !== undefined && count !== equals ? `expected exactly ${equals}` : '',
        min !== undefined && count < min ? `expected at least ${min}` : '',
        max !== undefined && count > max ? `expected at most ${max}` : '',
      ].filter(Boolean);
      return {
        passed: problems.length === 0,
        metrics: { rowCount: count },
        message: problems.length === 0 ? `${count} rows` : `${count} rows; ${problems.join(', ')}`,
      };
    },
  };
}
