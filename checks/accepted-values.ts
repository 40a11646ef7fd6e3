import { quoteIdentifier, quoteLiteral, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { rowsOf, sampleRows, specOf, whereText, type RowCheckOptions } from './check-options.ts';

/**
 * Every non-null value of the column is one of the values (nulls are `notNull`'s concern, as in dbt).
 *
 * @example
 * acceptedValues('side', ['BUY', 'SELL'])
 */
export function acceptedValues(column: string, values: readonly (string | number)[], { where, ...options }: RowCheckOptions = {}): CheckDefinition {
  const list = values.map((value) => (typeof value === 'number' ? String(value) : quoteLiteral(value))).join(', ');
  const quoted = quoteIdentifier(column);
  return {
    spec: specOf(`accepted_values_${column}`, { description: `${column} in (${values.join(', ')})${whereText(where)}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const relation = rowsOf(context, where);
      const unexpected = `${quoted} is not null and ${quoted} not in (${list})`;
      const [counted] = await context.query<{ n: bigint; values: bigint }>(`select count(*) as n, count(distinct ${quoted}) as values from ${relation} where ${unexpected}`);
      const rows = Number(counted!.n);
      const count = Number(counted!.values);
      const sample = rows === 0 ? [] : await sampleRows(context, `select ${quoted} as value, count(*) as occurrences from ${relation} where ${unexpected} group by all order by occurrences desc, value`);
      return {
        passed: rows === 0,
        metrics: { failingRows: rows, unexpectedValues: count },
        ...(rows === 0 ? {} : { sampleFailures: sample }),
        message: rows === 0 ? `every ${column} is accepted` : `${rows} rows have ${count} unexpected values of ${column}: ${sample.map((s) => String(s.value)).join(', ')}`,
      };
    },
  };
}
