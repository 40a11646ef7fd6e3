// The public surface of Daybook. Everything outside framework/ imports from here, by name.

export { DaybookError, DefinitionError, PartitionError, PlanError, MaterializationError, StoreError, PublishError } from './util/errors.ts';
export type { DaybookErrorCode, DaybookErrorOptions } from './util/errors.ts';
export type { Calendar, Closure, EarlyClose, SessionHours } from './partitions/calendar.ts';
export { createCalendar, type CalendarOptions } from './partitions/create-calendar.ts';
export { sameKeySpace } from './partitions/definition.ts';
export type { PartitionDimension, PartitionsDefinition, PartitionsSpec, TimeAxis, TimeCadence } from './partitions/definition.ts';
export { PartitionSubset } from './partitions/subset.ts';
export { sessions, type SessionsOptions } from './partitions/definitions/sessions.ts';
export { timeWindows, type TimeWindowsOptions } from './partitions/definitions/time-window.ts';
export { staticKeys } from './partitions/definitions/static.ts';
export { dynamicKeys, type DynamicPartitionsDefinition } from './partitions/definitions/dynamic.ts';
export { multi, subsetWhere } from './partitions/definitions/multi.ts';
export { unpartitioned } from './partitions/definitions/unpartitioned.ts';
export type { PartitionMapping, PartitionMappingSpec, BoundPartitionMapping, UpstreamPartitions } from './partitions/mapping.ts';
export { defineAsset, defineSource, type AssetDefinition, type AssetInput, type SourceInput, type SourceLocation } from './definitions/asset.ts';
export type { DependencyInput, DependencySpec } from './definitions/dependency.ts';
export type { CheckContext, CheckDefinition, CheckResult, CheckSeverity, CheckSpec, PartitionMetrics } from './definitions/check.ts';
export type { Compute, ComputeContext, ComputeFunction } from './definitions/compute.ts';
export type { PublishTarget, PublishRequest, PublishResult, PublishReader } from './definitions/publish-target.ts';
export type { SlaSpec } from './definitions/sla.ts';
export { defineDefinitions, Definitions, type AssetEdge } from './definitions/definitions.ts';
export { selectAssets } from './definitions/selection.ts';
export { defineConfig, type ConfigInput, type DaybookConfig, type DemoPrepare, type ExecutionConfig } from './definitions/config.ts';
export { createPlan, Plan, type PlanOptions, type PlannedStep } from './planner/plan.ts';
export { replan, type PartitionChange } from './planner/replan.ts';
export type { PartitionRequest } from './planner/partition-request.ts';
export type { StepReason } from './planner/reason.ts';
export type { AssetState, PlannerState } from './definitions/asset-state.ts';
export { MemoryState, type ConsumedVersions } from './planner/memory-state.ts';
export { fixedClock, systemClock, type Clock } from './util/clock.ts';
export { identity } from './partitions/mappings/identity.ts';
export { offset, previousSession } from './partitions/mappings/offset.ts';
export { window, type WindowOptions } from './partitions/mappings/window.ts';
export { allPartitions } from './partitions/mappings/all.ts';
export { timeGranularity } from './partitions/mappings/time-granularity.ts';
export { dimensions, type DimensionMapping } from './partitions/mappings/dimensions.ts';
export { mapWith, type MapWithOptions } from './partitions/mappings/function.ts';
export { defaultMapping } from './partitions/mappings/default.ts';
export { createDuckDB, type DuckDB, type DuckDBConnection, type DuckDBOptions, type Column, type SqlParams, type SqlValue } from './io/duckdb.ts';
export { quoteIdentifier, quoteLiteral, quoteLiteralList } from './io/sql-text.ts';
export type { PartitionStorage, StoredPartition, StoredPartitionAddress } from './io/partition-storage.ts';
export { createLocalPartitionStorage, type LocalPartitionStorageOptions } from './io/local-partition-storage.ts';
export { hashFile, type ContentHash } from './io/content-hash.ts';
export {
  createSourceObserver,
  type SourceObserver,
  type SourceObserverOptions,
  type SourceObservation,
  type PresentSource,
  type MissingSource,
  type InvalidSource,
  type ObservedSource,
  type SourceFormat,
} from './io/source-observer.ts';
export { readSource, type ReadSourceOptions, type SourceRelation } from './io/source-reader.ts';
export type { InputRelation } from './io/input-relation.ts';
export { readError, type ReadErrorContext } from './io/read-error.ts';
/** The embedded DuckDB warehouse target, e.g. `publish: [warehouse()]`. */
export { warehouse, type WarehouseOptions } from './io/publishers/warehouse.ts';
/** A PostgreSQL table target, e.g. `publish: [postgresTable({ url: process.env.RISK_DB_URL! })]`. */
export { postgresTable, type PostgresTableOptions } from './io/publishers/postgres.ts';
export { runSqlCompute, type SqlComputeOptions, type SqlComputeResult } from './io/sql-compute.ts';
export type { Engine } from './executor/engine.ts';
export { materialize, type MaterializeOptions, type RunSummary, type StepEvent } from './executor/materialize.ts';
export type { RetryPolicy } from './executor/scheduler.ts';
export { createStore, type StoreOptions } from './store/create-store.ts';
export { MetadataStore } from './store/store.ts';
export type { Attribution, MetadataStoreOptions } from './store/store.ts';
export type { StoreDialect } from './store/dialect.ts';
export { pgliteDialect, type PgliteStoreOptions } from './store/pglite.ts';
export { postgresDialect, type PostgresStoreOptions } from './store/postgres.ts';
export type {
  AuditEventRecord,
  BackfillRecord,
  BackfillStatus,
  CheckResultRecord,
  PublishRecord,
  InputVersions,
  JsonObject,
  JsonValue,
  MaterializationRecord,
  ObservationRecord,
  PartitionStateRecord,
  RunRecord,
  RunStatus,
  StepRecord,
  StepStatus,
} from './store/schema.ts';
export type {
  AuditInput,
  BackfillChange,
  CheckResultInput,
  NewBackfill,
  NewRun,
  NewStep,
  Observation,
  ObservationResult,
  RunChange,
  StepChange,
  StepError,
  StepFailure,
  StepSuccess,
  StoreWrite,
  WriteResults,
} from './store/writes.ts';
export type { AuditQuery, CheckResultQuery, MaterializationQuery, RunQuery, StepQuery } from './store/reads.ts';
export type { PlannerStateOptions, StoreAssetState, StorePlannerState } from './store/planner-state.ts';
export type { AuditVerification, BrokenLink, BrokenLinkReason, VerifyAuditOptions } from './store/verify-audit.ts';
export { auditHash, canonicalJson, encodeAuditLink, GENESIS_HASH, type AuditLink } from './store/audit-chain.ts';
