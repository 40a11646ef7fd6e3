import type { CheckContext, CheckDefinition, CheckResult } from '../framework/index.ts';
import { specOf, type CheckOptions } from './check-options.ts';

export interface SchemaOptions extends CheckOptions {
  /**
   * Expected columns and their DuckDB types (`BIGINT`, `DECIMAL(18,4)`, `VARCHAR`), or only their
   * names, when the types may differ (files whose readers detect types); names and types compare
   * case-insensitively.
   */
  columns: Readonly<Record<string, string>> | readonly string[];
  /** Whether columns beyond the expected ones are allowed; default false, so an added column is drift. */
  allowExtra?: boolean;
}

/** One column that differs from the expected schema. */
interface Drift {
  column: string;
  change: 'added' | 'removed' | 'retyped';
  expected: string | null;
  actual: string | null;
}

/**
 * The partition has the expected columns and types; drift is reported as added, removed and retyped columns.
 *
 * @example
 * schema({ columns: { symbol: 'VARCHAR', quantity: 'BIGINT', average_cost: 'DECIMAL(18,6)' } })
 */
export function schema({ columns, allowExtra = false, ...options }: SchemaOptions): CheckDefinition {
  const entries: [string, string | null][] = Array.isArray(columns) ? columns.map((name) => [name, null]) : Object.entries(columns);
  const expected = new Map(entries.map(([name, type]) => [name.toLowerCase(), { name, type: type === null ? null : normalize(type) }]));
  return {
    spec: specOf('schema', { description: `columns ${entries.map(([name]) => name).join(', ')}`, ...options }),
    async evaluate(context: CheckContext): Promise<CheckResult> {
      const rows = await context.query<{ column_name: string; column_type: string }>(`describe select * from ${context.output}`);
      const actual = new Map(rows.map((row) => [row.column_name.toLowerCase(), { name: row.column_name, type: normalize(row.column_type) }]));
      const drift: Drift[] = [];
      for (const [key, want] of expected) {
        const have = actual.get(key);
        if (!have) drift.push({ column: want.name, change: 'removed', expected: want.type, actual: null });
        else if (want.type !== null && have.type !== want.type) drift.push({ column: want.name, change: 'retyped', expected: want.type, actual: have.type });
      }
      if (!allowExtra) {
        for (const [key, have] of actual) if (!expected.has(key)) drift.push({ column: have.name, change: 'added', expected: null, actual: have.type });
      }
      const count = (change: Drift['change']) => drift.filter((d) => d.change === change).length;
      return {
        passed: drift.length === 0,
        metrics: { columns: actual.size, added: count('added'), removed: count('removed'), retyped: count('retyped') },
        ...(drift.length === 0 ? {} : { sampleFailures: drift.map((d) => ({ ...d })) }),
        message:
          drift.length === 0
            ? `${actual.size} columns as expected`
            : `schema drift: ${drift.map((d) => (d.change === 'retyped' ? `${d.column} retyped ${d.expected} → ${d.actual}` : `${d.column} ${d.change}`)).join(', ')}`,
      };
    },
  };
}

/** `decimal(18, 4)` and `DECIMAL(18,4)` name the same type. */
function normalize(type: string): string {
  return type.toUpperCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
}
