/** How bad a failing check is. `error` checks block publishing and downstream steps unless `blocking: false`. */
export type CheckSeverity = 'error' | 'warn';

/** JSON-safe description of a check on an asset partition. */
export interface CheckSpec {
  readonly name: string;
  readonly severity: CheckSeverity;
  /** Whether a failure stops publishing and downstream steps; defaults to `severity === 'error'`. */
  readonly blocking: boolean;
  readonly description?: string;
}

/** One evaluation of a check on one partition. A failing check is a result, not an exception. */
export interface CheckResult {
  readonly passed: boolean;
  /** Metric values, e.g. `{ rowCount: 1204 }`. */
  readonly metrics: Readonly<Record<string, number | string | null>>;
  /** A few failing rows, when the check has rows to show. */
  readonly sampleFailures?: readonly Readonly<Record<string, unknown>>[];
  readonly message: string;
}

/**
 * A check: its spec plus the function that evaluates it. The built-in factories live in `checks/`;
 * the executor supplies the context (a DuckDB connection over the step's output) when it runs them.
 */
export interface CheckDefinition<Context = never> {
  readonly spec: CheckSpec;
  evaluate(context: Context): Promise<CheckResult>;
}
