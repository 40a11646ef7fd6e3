import { quoteIdentifier, type CheckContext, type CheckDefinition, type CheckResult } from '../framework/index.ts';
import { numberOf, specOf, type CheckOptions } from './check-options.ts';

/** A control to reconcile against: SQL returning one row with a column per measure, or an upstream asset measured the same way. */
export type ReconcileControl = string | { readonly asset: string; readonly partitions?: readonly string[] };

export interface ReconcileOptions extends CheckOptions {
  /** Measure name → aggregate SQL over this partition, e.g. `{ rows: 'count(*)', notional: 'sum(notional)' }`. */
  measures: Readonly<Record<string, string>>;
  /**
   * SQL that returns one row with one column per measure (it may read the step's inputs, e.g. the
   * broker file's TRAILER record), or an asset whose partition the same measures are computed over.
   */
  control: ReconcileControl;
  /** Allowed absolute difference per measure; default 0. */
  tolerance?: number;
  /** Allowed difference relative to the control, in percent; a measure passes within either tolerance. */
  tolerancePct?: number;
}

/**
 * Counts and sums of the partition equal a control's, within a tolerance.
 *
 * @example
 * reconcile({
 *   measures: { rows: 'count(*)', notional: 'sum(notional)' },
 *   control: "select control_count as rows, control_notional as notional from raw_executions where record_type = 'TRAILER'",
 * })
 */
export function reconcile({ measures, control, tolerance = 0, tolerancePct = 0, ...options }: ReconcileOptions): CheckDefinition {
  const names = Object.keys(measures);
  const select = names.map((name) => `${measures[name]} as ${quoteIdentifier(name)}`).join(', ');
  const against = typeof control === 'string' ? 'control' : control.asset;
  return {
    spec: specOf(`reconcile_${names.join('_')}`, { description: `${names.join(', ')} match ${against}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const controlSql = typeof control === 'string' ? control : `select ${select} from ${quoteIdentifier(await context.relation(control.asset, control.partitions))}`;
      // The differences are taken in DuckDB, so DECIMAL sums compare exactly however large they are.
      const columns = names.map((name) => {
        const q = quoteIdentifier(name);
        return `a.${q} as ${q}, c.${q} as ${quoteIdentifier(`${name}_control`)}, a.${q} - c.${q} as ${quoteIdentifier(`${name}_diff`)}`;
      });
      const [row] = await context.query(
        `with actual as (select ${select} from ${context.output}), control as (${controlSql.trim().replace(/;\s*$/, '')})
         select count(*) over () as daybook_control_rows, ${columns.join(', ')} from actual a cross join control c limit 1`,
      );
      const controlRows = row === undefined ? 0 : Number(row.daybook_control_rows);
      if (controlRows !== 1) {
        return { passed: false, metrics: { controlRows }, message: `expected one control row from ${against}, found ${controlRows}` };
      }
      const metrics: Record<string, number | null> = {};
      const off: Record<string, unknown>[] = [];
      for (const name of names) {
        const value = numberOf(row![name]);
        const expected = numberOf(row![`${name}_control`]);
        const diff = numberOf(row![`${name}_diff`]);
        metrics[name] = value;
        metrics[`${name}_control`] = expected;
        metrics[`${name}_diff`] = diff;
        const within = diff !== null && (Math.abs(diff) <= tolerance || (expected !== null && expected !== 0 && (Math.abs(diff) / Math.abs(expected)) * 100 <= tolerancePct));
        if (!within) off.push({ measure: name, actual: value, control: expected, diff });
      }
      return {
        passed: off.length === 0,
        metrics,
        ...(off.length === 0 ? {} : { sampleFailures: off }),
        message:
          off.length === 0
            ? `${names.join(', ')} match ${against}`
            : `does not reconcile with ${against}: ${off.map((o) => `${String(o.measure)} ${String(o.actual)} vs ${String(o.control)} (diff ${String(o.diff)})`).join(', ')}`,
      };
    },
  };
}
