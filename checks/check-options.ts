import type { CheckContext, CheckSeverity, CheckSpec } from '../framework/index.ts';

/** What every check factory accepts besides its own options. */
export interface CheckOptions {
  /** Unique per asset; each factory derives one from its options. */
  name?: string;
  severity?: CheckSeverity;
  /** Defaults to `severity === 'error'`. */
  blocking?: boolean;
  description?: string;
}

/** Options of the checks that look at rows one by one. */
export interface RowCheckOptions extends CheckOptions {
  /**
   * A SQL condition: only the rows matching it are checked, as dbt's `where` does, e.g.
   * `record_type = 'EXEC'` for the execution records of a broker file with a control record.
   */
  where?: string;
}

/** The relation a row check reads: the rows under check, or those matching its `where`. */
export function rowsOf(context: CheckContext, where: string | undefined): string {
  return where === undefined ? context.output : `(select * from ${context.output} where ${where}) as checked_rows`;
}

/** A description's suffix for a `where`. */
export const whereText = (where: string | undefined): string => (where === undefined ? '' : ` where ${where}`);

/** Failing rows kept per result: enough to see the pattern, small enough to store for every run. */
export const SAMPLE_LIMIT = 5;

/** The spec of a check: the caller's name and severity, or the factory's defaults. */
export function specOf(defaultName: string, { name = defaultName, severity = 'error', blocking = severity === 'error', description }: CheckOptions): CheckSpec {
  return Object.freeze({ name, severity, blocking, ...(description === undefined ? {} : { description }) });
}

/**
 * Counts the rows a query returns and keeps the first few, in one pass: the window count rides
 * along with the limited rows, so a large partition is scanned once.
 */
export async function failingRows(context: CheckContext, sql: string): Promise<{ count: number; sample: Record<string, unknown>[] }> {
  const rows = await context.query(`select *, count(*) over () as daybook_failing from (${sql}) limit ${SAMPLE_LIMIT}`);
  const count = rows.length === 0 ? 0 : Number(rows[0]!.daybook_failing);
  const sample = rows.map(({ daybook_failing: _count, ...row }) => jsonRow(row));
  return { count, sample };
}

/** The first few rows a query returns, as JSON-safe values: the sample of a check that already counted its failures. */
export async function sampleRows(context: CheckContext, sql: string): Promise<Record<string, unknown>[]> {
  return (await context.query(`select * from (${sql}) limit ${SAMPLE_LIMIT}`)).map(jsonRow);
}

/** A row as JSON-safe values: BIGINT and DECIMAL as numbers, times as ISO strings. */
export function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = jsonValue(value);
  return out;
}

/** A scalar as a JSON-safe value. */
export function jsonValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** A numeric metric from DuckDB (BIGINT, DECIMAL, DOUBLE) as a number; null stays null. */
export function numberOf(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = typeof value === 'number' ? value : Number(typeof value === 'bigint' ? value : String(value));
  return Number.isNaN(number) ? null : number;
}
