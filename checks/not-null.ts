import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { failingRows, specOf, type CheckOptions } from './check-options.ts';

/**
 * None of the columns holds a null.
 *
 * @example
 * notNull(['exec_id', 'symbol', 'quantity'])
 */
export function notNull(columns: readonly string[], options: CheckOptions = {}): CheckDefinition {
  const nullTest = columns.map((column) => `${quoteIdentifier(column)} is null`).join(' or ');
  return {
    spec: specOf(`not_null_${columns.join('_')}`, { description: `no nulls in ${columns.join(', ')}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const [counts] = await context.query(
        `select ${columns.map((column, i) => `count(*) filter (where ${quoteIdentifier(column)} is null) as n${i}`).join(', ')} from ${context.output}`,
      );
      const metrics: Record<string, number> = {};
      columns.forEach((column, i) => (metrics[`nulls_${column}`] = Number(counts![`n${i}`])));
      const { count, sample } = await failingRows(context, `select * from ${context.output} where ${nullTest}`);
      const offenders = columns.filter((column) => metrics[`nulls_${column}`]! > 0);
      return {
        passed: count === 0,
        metrics: { ...metrics, failingRows: count },
        ...(count === 0 ? {} : { sampleFailures: sample }),
        message: count === 0 ? `no nulls in ${columns.join(', ')}` : `${count} rows with nulls in ${offenders.map((c) => `${c} (${metrics[`nulls_${c}`]})`).join(', ')}`,
      };
    },
  };
}
