// The built-in quality checks. Each factory returns a CheckDefinition for `defineAsset({ checks })`
// or `defineSource({ checks })`; the executor evaluates them in DuckDB before a partition is recorded.

/** Row count between bounds or equal to a number: `rowCount({ min: 1 })`. */
export { rowCount, type RowCountOptions } from './row-count.ts';
/** Expected columns and types, reporting drift: `schema({ columns: { symbol: 'VARCHAR' } })`. */
export { schema, type SchemaOptions } from './schema.ts';
/** No nulls in the columns: `notNull(['exec_id'])`. */
export { notNull } from './not-null.ts';
/** A (composite) key is unique: `unique(['date', 'portfolio', 'symbol'])`. */
export { unique } from './unique.ts';
/** Values from a fixed set: `acceptedValues('side', ['BUY', 'SELL'])`. */
export { acceptedValues } from './accepted-values.ts';
/** Keys exist in another asset: `relationships({ column: 'symbol', asset: 'northbridge/securities' })`. */
export { relationships, type RelationshipsOptions } from './relationships.ts';
/** Counts and sums match a control: `reconcile({ measures: { rows: 'count(*)' }, control: 'select …' })`. */
export { reconcile, type ReconcileControl, type ReconcileOptions } from './reconcile.ts';
/** The newest timestamp is recent: `freshness({ column: 'trade_time', maxLagMinutes: 1440 })`. */
export { freshness, type FreshnessOptions } from './freshness.ts';
/** Row count or any metric in line with recent partitions: `anomaly({ metric: { name: 'notional', sql: 'sum(notional)' }, trailing: 10, maxChangePct: 50 })`. */
export { anomaly, type AnomalyMetric, type AnomalyOptions } from './anomaly.ts';
/** Custom SQL returning failing rows: `sql({ name: 'no_negative', sql: 'select * from output where qty < 0' })`. */
export { sql, type SqlCheckOptions } from './sql.ts';
/** Options every factory accepts: name, severity, blocking, description. */
export { SAMPLE_LIMIT, type CheckOptions } from './check-options.ts';
