import { quoteIdentifier, quoteLiteral, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { failingRows, specOf, type CheckOptions } from './check-options.ts';

/**
 * Every non-null value of the column is one of the values (nulls are `notNull`'s concern, as in dbt).
 *
 * @example
 * acceptedValues('side', ['BUY', 'SELL'])
 */
export function acceptedValues(column: string, values: readonly (string | number)[], options: CheckOptions = {}): CheckDefinition {
  const list = values.map((value) => (typeof value === 'number' ? String(value) : quoteLiteral(value))).join(', ');
  const quoted = quoteIdentifier(column);
  return {
    spec: specOf(`accepted_values_${column}`, { description: `${column} in (${values.join(', ')})`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const { count, sample } = await failingRows(
        context,
        `select ${quoted} as value, count(*) as occurrences from ${context.output} where ${quoted} is not null and ${quoted} not in (${list}) group by all order by occurrences desc`,
      );
      const [row] = await context.query<{ n: bigint }>(`select count(*) as n from ${context.output} where ${quoted} is not null and ${quoted} not in (${list})`);
      const rows = Number(row!.n);
      return {
        passed: rows === 0,
        metrics: { failingRows: rows, unexpectedValues: count },
        ...(rows === 0 ? {} : { sampleFailures: sample }),
        message: rows === 0 ? `every ${column} is accepted` : `${rows} rows have ${count} unexpected values of ${column}: ${sample.map((s) => String(s.value)).join(', ')}`,
      };
    },
  };
}
