import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { rowsOf, sampleRows, specOf, whereText, type RowCheckOptions } from './check-options.ts';

/**
 * None of the columns holds a null.
 *
 * @example
 * notNull(['exec_id', 'symbol', 'quantity'])
 */
export function notNull(columns: readonly string[], { where, ...options }: RowCheckOptions = {}): CheckDefinition {
  const nullTest = columns.map((column) => `${quoteIdentifier(column)} is null`).join(' or ');
  return {
    spec: specOf(`not_null_${columns.join('_')}`, { description: `no nulls in ${columns.join(', ')}${whereText(where)}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const relation = rowsOf(context, where);
      // One scan counts both; the failing rows are read again only when there are some.
      const [counts] = await context.query(
        `select ${columns.map((column, i) => `count(*) filter (where ${quoteIdentifier(column)} is null) as n${i}`).join(', ')}, count(*) filter (where ${nullTest}) as failing from ${relation}`,
      );
      const metrics: Record<string, number> = {};
      columns.forEach((column, i) => (metrics[`nulls_${column}`] = Number(counts![`n${i}`])));
      const count = Number(counts!.failing);
      const sample = count === 0 ? [] : await sampleRows(context, `select * from ${relation} where ${nullTest}`);
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
