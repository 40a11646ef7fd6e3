import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { failingRows, specOf, type CheckOptions } from './check-options.ts';

export interface RelationshipsOptions extends CheckOptions {
  /** The column of this partition that refers to the other asset. */
  column: string;
  /** The asset referred to. */
  asset: string;
  /** Its column; defaults to `column`. */
  to?: string;
  /** Its partitions to look in; default the partition with the same key, else its latest one. */
  partitions?: readonly string[];
}

/**
 * Every non-null key exists in another asset's partition (a foreign key).
 *
 * @example
 * relationships({ column: 'symbol', asset: 'northbridge/securities' })
 */
export function relationships({ column, asset, to = column, partitions, ...options }: RelationshipsOptions): CheckDefinition {
  return {
    spec: specOf(`relationships_${column}`, { description: `${column} exists in ${asset}.${to}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const other = await context.relation(asset, partitions);
      const from = quoteIdentifier(column);
      const missing = `select ${from}, count(*) as occurrences from ${context.output} o where ${from} is not null and not exists (select 1 from ${quoteIdentifier(other)} r where r.${quoteIdentifier(to)} = o.${from}) group by all order by occurrences desc`;
      const { count, sample } = await failingRows(context, missing);
      return {
        passed: count === 0,
        metrics: { missingKeys: count },
        ...(count === 0 ? {} : { sampleFailures: sample }),
        message: count === 0 ? `every ${column} exists in ${asset}` : `${count} values of ${column} are not in ${asset}.${to}: ${sample.map((s) => String(s[column])).join(', ')}`,
      };
    },
  };
}
