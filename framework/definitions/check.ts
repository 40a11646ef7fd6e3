/** How bad a failing check is. `error` checks block publishing and downstream steps unless `blocking: false`. */
export type CheckSeverity = 'error' | 'warn';

/** JSON-safe description of a check on an asset partition. */
export interface CheckSpec {
  readonly name: string;
  readonly severity: CheckSeverity;
  /** Whether a failure stops publishing and downstream steps; defaults to `severity === 'error'`. */
  readonly blocking: boolean;
  readonly description?: string;
  /**
   * Checks of the same asset whose results this one reads (`context.resultOf`), e.g. an anomaly on
   * a reconcile's metric. They must be declared before it; `defineAsset()` says so otherwise.
   */
  readonly uses?: readonly string[];
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
export interface CheckDefinition<Context = CheckContext> {
  readonly spec: CheckSpec;
  evaluate(context: Context): Promise<CheckResult>;
}

/** One earlier partition of the asset under check, for checks that compare against recent history. */
export interface PartitionMetrics {
  readonly partition: string;
  readonly rowCount: number;
}

/** A metric's value on one earlier partition, as a check stored it. */
export interface MetricValue {
  readonly partition: string;
  readonly value: number;
}

/** Which stored metric `CheckContext.metricHistory()` reads. */
export interface MetricHistoryRequest {
  /** The check whose results hold the metric (it may be the check asking). */
  readonly check: string;
  /** The metric's name in those results' `metrics`. */
  readonly metric: string;
  /** How many partitions before this one to look at. */
  readonly count: number;
}

/**
 * What a check sees when it runs: DuckDB relations over the partition under check and its inputs.
 * It is structural so definitions need not know about io; the executor builds it on the step's
 * DuckDB connection, and `daybook check` builds it over the stored file.
 */
export interface CheckContext {
  /** The asset (or source) whose partition is checked. */
  readonly asset: string;
  readonly partition: string;
  /** The partition's time window (epoch ms, end exclusive), when its key has a time axis. */
  readonly window: { readonly start: number; readonly end: number } | undefined;
  /** The engine clock's time of the evaluation, epoch ms. */
  readonly now: number;
  /** The relation name of the rows under check: the computed output, or the source file's rows. */
  readonly output: string;
  /** Relation names of the step's inputs (the dependencies' `as` names); empty when rerun alone. */
  readonly inputs: readonly string[];
  /** Runs a query on the check's DuckDB connection and returns every row. */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /**
   * Makes another asset's stored partitions readable and returns the relation name. Without keys,
   * the partition with this partition's key when the asset has one, else its latest materialization.
   */
  relation(asset: string, partitions?: readonly string[]): Promise<string>;
  /** The current row counts of up to `count` partitions before this one, oldest first; partitions never materialized are left out. */
  history(count: number): Promise<readonly PartitionMetrics[]>;
  /**
   * A metric's stored values on up to `count` partitions before this one along time, oldest first:
   * from each partition's latest result of the check on its current data (the results of a
   * materialization's own gate, or of a later `daybook check`). Partitions without one, or with a
   * non-numeric value, are left out; so are the results of a blocked attempt that never became current.
   */
  metricHistory(request: MetricHistoryRequest): Promise<readonly MetricValue[]>;
  /** The result, in this evaluation, of a check the spec `uses`; undefined when it has not run. */
  resultOf(check: string): CheckResult | undefined;
}
