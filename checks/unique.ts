import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { rowsOf, sampleRows, specOf, whereText, type RowCheckOptions } from './check-options.ts';

/**
 * No two rows share a value of the columns (taken together: a composite key). Rows with a null in
 * the key are not compared, as in SQL's UNIQUE; pair with `notNull` to forbid them.
 *
 * @example
 * unique(['exec_id'])
 */
export function unique(columns: readonly string[], { where, ...options }: RowCheckOptions = {}): CheckDefinition {
  const key = columns.map(quoteIdentifier).join(', ');
  const present = columns.map((column) => `${quoteIdentifier(column)} is not null`).join(' and ');
  return {
    spec: specOf(`unique_${columns.join('_')}`, { description: `${columns.join(' + ')} is unique${whereText(where)}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const duplicates = `select ${key}, count(*) as occurrences from ${rowsOf(context, where)} where ${present} group by ${key} having count(*) > 1`;
      const [counted] = await context.query<{ keys: bigint; rows: bigint | null }>(`select count(*) as keys, sum(occurrences) as rows from (${duplicates})`);
      const count = Number(counted!.keys);
      const rows = Number(counted!.rows ?? 0);
      const sample = count === 0 ? [] : await sampleRows(context, `${duplicates} order by occurrences desc, ${key}`);
      return {
        passed: count === 0,
        metrics: { duplicateKeys: count, duplicateRows: rows },
        ...(count === 0 ? {} : { sampleFailures: sample }),
        message: count === 0 ? `${columns.join(' + ')} is unique` : `${count} values of ${columns.join(' + ')} occur more than once (${rows} rows)`,
      };
    },
  };
}
