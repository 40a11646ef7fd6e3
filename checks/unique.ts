import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { failingRows, specOf, type CheckOptions } from './check-options.ts';

/**
 * No two rows share a value of the columns (taken together: a composite key). Rows with a null in
 * the key are not compared, as in SQL's UNIQUE; pair with `notNull` to forbid them.
 *
 * @example
 * unique(['exec_id'])
 */
export function unique(columns: readonly string[], options: CheckOptions = {}): CheckDefinition {
  const key = columns.map(quoteIdentifier).join(', ');
  const present = columns.map((column) => `${quoteIdentifier(column)} is not null`).join(' and ');
  return {
    spec: specOf(`unique_${columns.join('_')}`, { description: `${columns.join(' + ')} is unique`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const duplicates = `select ${key}, count(*) as occurrences from ${context.output} where ${present} group by ${key} having count(*) > 1 order by occurrences desc, ${key}`;
      const { count, sample } = await failingRows(context, duplicates);
      const [extra] = await context.query<{ rows: bigint | null }>(`select sum(occurrences) as rows from (${duplicates})`);
      const rows = Number(extra?.rows ?? 0);
      return {
        passed: count === 0,
        metrics: { duplicateKeys: count, duplicateRows: rows },
        ...(count === 0 ? {} : { sampleFailures: sample }),
        message: count === 0 ? `${columns.join(' + ')} is unique` : `${count} values of ${columns.join(' + ')} occur more than once (${rows} rows)`,
      };
    },
  };
}
