import type { CheckContext, CheckDefinition, CheckResult } from '../framework/index.ts';
import { failingRows, specOf, type CheckOptions } from './check-options.ts';

export interface SqlCheckOptions extends CheckOptions {
  name: string;
  /** A SELECT returning the failing rows; it reads the partition as `output` and the step's inputs by name. */
  sql: string;
}

/**
 * Custom SQL returning the failing rows: no rows passes.
 *
 * @example
 * sql({ name: 'positive_quantity', sql: 'select * from output where quantity <= 0' })
 */
export function sql({ sql: query, ...options }: SqlCheckOptions): CheckDefinition {
  const body = query.trim().replace(/;\s*$/, '');
  return {
    spec: specOf(options.name, { description: body, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const { count, sample } = await failingRows(context, body);
      return {
        passed: count === 0,
        metrics: { failingRows: count },
        ...(count === 0 ? {} : { sampleFailures: sample }),
        message: count === 0 ? 'no failing rows' : `${count} failing rows`,
      };
    },
  };
}
