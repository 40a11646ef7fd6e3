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
export type { CheckContext, CheckDefinition, CheckResult, CheckSeverity, CheckSpec, MetricHistoryRequest, MetricValue, PartitionMetrics } from './definitions/check.ts';
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
/** Partition storage in an S3 bucket, with a local cache DuckDB reads, e.g. `createS3PartitionStorage({ bucket: 'nb-daybook', prefix: 'storage' })`. */
export { createS3PartitionStorage, type S3PartitionStorageOptions } from './io/s3-partition-storage.ts';
/** S3 client settings from `DAYBOOK_S3_ENDPOINT` and the AWS SDK's environment, e.g. `new S3Client(s3ClientConfigFromEnv())`. */
export { s3ClientConfigFromEnv, type S3ClientOptions } from './io/s3/client.ts';
export type { UploadProgress, UploadSettings } from './io/s3/upload.ts';
export { fileDataVersion, hashFile, type ContentHash } from './io/content-hash.ts';
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
/** An S3 target: one Parquet object and a `_manifest.json` per partition, e.g. `publish: [s3Target({ bucket: 'nb-risk', prefix: 'daily' })]`. */
export { s3Target, s3ObjectKey, type S3TargetOptions, type S3ObjectKeyOptions } from './io/publishers/s3.ts';
/** What an S3 target's `_manifest.json` holds, and a parser for readers, e.g. `parseS3Manifest(text)?.etag`. */
export { parseS3Manifest, S3_MANIFEST_FILE, S3_PART_FILE, type S3Manifest } from './io/publishers/s3-manifest.ts';
/** A Redshift table target through the Data API, e.g. `publish: [redshiftTable({ workgroupName: 'risk', database: 'dev', schema: 'daybook' })]`. */
export { redshiftTable, type RedshiftTableOptions, type RedshiftStagingOptions } from './io/publishers/redshift.ts';
/** Why a Redshift statement failed: the `cause` of its PublishError, e.g. `(error.cause as StatementFailure).sqlState`. */
export type { StatementFailure } from './io/publishers/redshift-data.ts';
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
// For the HTTP server (server/) and other code that extends the CLI or reads state without the CLI.
/** Reason code → name (`missing`, `code-changed`, …), undefined for fresh; plans hold codes per partition, e.g. `reasonName(plan.reasons[id]![i]!)`. */
export { reasonName } from './planner/reason.ts';
/** `formatPartition('northbridge/pnl', '2026-11-20|PF001')` → `northbridge/pnl[2026-11-20|PF001]`. */
export { formatPartition } from './planner/explain.ts';
/** Day numbers (days since 1970-01-01) and `YYYY-MM-DD`, e.g. `formatDay(tryParseDay('2026-11-20')! + 1)`. */
export { formatDay, tryParseDay, weekdayOf, DAY_MS } from './util/dates.ts';
/** Local day and minute ↔ UTC instants in an IANA zone, e.g. `zonedToUtc('America/New_York', day, 6 * 60 + 30)`. */
export { utcToZoned, zonedToUtc } from './util/time-zone.ts';
/** Opens the engine on the embedded defaults, as the CLI does, e.g. `const engine = await openEngine(await loadConfig())`. */
export { openEngine, daybookHome } from './cli/open-engine.ts';
/** Loads `daybook.config.ts` (or `--config`, `DAYBOOK_CONFIG`). */
export { loadConfig } from './cli/config-loader.ts';
/** The `daybook` command line; `main(argv, io, { commands, serve })` adds commands from outside framework/. */
export { main } from './cli/main.ts';
/** Watches the daemons' heartbeats from a process that runs none, alerting through the config's channels, e.g. `watchDaemons(engine.store, automation, io)`. */
export { watchDaemons } from './cli/watch-daemons.ts';
export { write, table, type CliExtensions, type CommandContext, type CommandIO, type CommandRegistration, type ServeHook } from './cli/output.ts';
export type { ApiTokenRecord, ApiTokenRole } from './store/schema.ts';
export type { NewApiToken } from './store/api-tokens.ts';
/** Whether a string is a well-formed asset key (`northbridge/positions`), and the format in words. */
export { isAssetKey, ASSET_KEY_FORMAT } from './definitions/asset-key.ts';
// Audit retention, the auditor's report and OpenLineage (docs/audit.md, docs/openlineage.md).
/** Raised by audit export, archive verification, prune and reports, e.g. `audit-refused` when the chain is broken. */
export { AuditError } from './util/errors.ts';
/** Exports the audit events through a day as Parquet with a manifest, chained to the previous export, e.g. `exportAudit({ store, archive, duckdb, to: '2026-11-30' })`. */
export { exportAudit, type AuditExport, type ExportAuditOptions } from './audit/export.ts';
/** Where exports live: `localAuditArchive({ directory })` or `s3AuditArchive({ bucket, prefix })`. */
export { localAuditArchive, type AuditArchive } from './audit/archive.ts';
export { s3AuditArchive, type S3AuditArchiveOptions } from './audit/s3-archive.ts';
export type { AuditManifest, ManifestFile } from './audit/manifest.ts';
/** Verifies every export and the store's chain after them, e.g. `verifyAuditArchives({ store, archive, duckdb })`. */
export { verifyAuditArchives, type ArchivesVerification, type ArchiveBreak, type ArchiveProblem, type VerifyArchivesOptions } from './audit/verify-archives.ts';
/** Removes exported and verified events and run details older than the retention, e.g. `pruneAudit({ store, archive, duckdb, retentionDays: 400 })`. */
export { pruneAudit, type AuditPrune, type PruneAuditOptions } from './audit/prune.ts';
/** The auditor's report per asset and session as data, and as CSV, e.g. `auditReportCsv(await auditReport({ store, definitions, from, to }))`. */
export { auditReport, auditReportCsv, sessionOf, type AuditReport, type AuditReportOptions, type AuditReportRow, type Rerun, type SlaOutcome } from './audit/report.ts';
/** A partition's whole history from the audit log and its exports, e.g. `partitionHistory({ store, asset, partition })`. */
export { partitionHistory, type HistoryEvent, type HistoryRun, type PartitionHistory, type PartitionHistoryOptions } from './audit/partition-history.ts';
/** `store.verifyAuditChain()` on every core, with the same verdicts. */
export { verifyAuditChainParallel, type ParallelVerifyOptions } from './audit/parallel-verify.ts';
/** Records assets whose code version or config changed since definitions were last loaded, e.g. `recordDefinitionChanges(store, definitions)`. */
export { recordDefinitionChanges, definitionSpec } from './audit/definition-changes.ts';
/** Where `daybook audit` reads and writes exports, from `DAYBOOK_AUDIT_ARCHIVE_URL`, the config, or partition storage's `_audit/`. */
export { auditArchiveFromEnv } from './cli/audit-archive-from-env.ts';
/** Who the CLI acts as: `DAYBOOK_ACTOR`, else the OS user. */
export { cliActor } from './cli/open-engine.ts';
export type { AuditConfig } from './definitions/config.ts';
export type { AuditArchiveRecord } from './store/schema.ts';
export type { OperatorAction } from './store/operator-actions.ts';
export type { AssetDefinitionChange, AssetDefinitionSeen } from './store/asset-definitions.ts';
export type { AuditPruneResult, NewAuditArchive } from './store/audit-archives.ts';
export { checkAuditLink, checkAuditHead, type AuditLinkAnchor } from './store/verify-audit.ts';
/** The deadline of an SLA for a partition's day, e.g. `slaDeadline(asset.sla!, '2026-11-20', xnys())`. */
export { slaDeadline } from './definitions/sla-deadline.ts';
/** The time window of a partition key, e.g. `partitionWindow(asset.partitions, '2026-11-20|PF001')`. */
export { partitionWindow, type PartitionWindow } from './partitions/partition-window.ts';
/** Told about each step's start and end (`engine.listeners`), e.g. the OpenLineage emitter. */
export type { StepListener, StepLifecycleEvent, StepStarted, StepSucceeded, StepEnded, StepInput } from './executor/step-listener.ts';
/** OpenLineage RunEvents per step, delivered in the background, e.g. `createLineageEmitter({ transport: httpTransport({ url: 'http://marquez:5000' }) })`. */
export { createLineageEmitter, DAYBOOK_PRODUCER, type LineageEmitter, type LineageEmitterOptions, type LineageStats } from './lineage/emitter.ts';
export { httpTransport, fileTransport, lineageTransportFor, partialDelivery, type HttpTransportOptions, type LineageTransport } from './lineage/transport.ts';
export { runEventBuilder, JOB_NAMESPACE, OPENLINEAGE_SCHEMA_URL, type RunEvent, type RunEventBuilder, type RunEventType } from './lineage/openlineage-event.ts';
export { datasetAt, type DatasetName } from './lineage/datasets.ts';

// automation: schedules (docs/automation.md, "Schedules")
/** A cron schedule through croner, tz-aware, e.g. `cronSchedule({ name: 'nb/morning', cron: '0 5 * * 1-5', tz: 'America/New_York', selection: 'group:reference' })`. */
export { cronSchedule, type CronScheduleOptions } from './automation/schedules/cron.ts';
/** Once per session of a market calendar, e.g. `calendarSchedule({ name: 'nb/premarket', calendar: xnys(), at: '05:00', selection: 'group:northbridge', partition: 'previousSession' })`. */
export { calendarSchedule, type CalendarScheduleOptions, type SessionTime } from './automation/schedules/calendar.ts';
/** Once a week for a whole week, e.g. `weeklySchedule({ name: 'weekly/quality', weekday: 0, at: '00:00', tz: 'America/New_York', selection: 'group:weekly' })`. */
export { weeklySchedule, type WeeklyScheduleOptions } from './automation/schedules/weekly.ts';
/** What every schedule is, e.g. `schedule.nextTick(Date.parse('2026-11-20T12:00:00Z'))`. */
export type { ScheduleDefinition, ScheduleKind, ScheduleOccurrence } from './automation/schedules/schedule.ts';
/** A schedule's ticks in a time range, pure, e.g. `ticksBetween(premarket, Date.parse('2026-11-23T00:00Z'), Date.parse('2026-11-30T00:00Z'))`. */
export { ticksBetween, tickKey, type ScheduleTick } from './automation/schedules/ticks.ts';
/** Claims due ticks in the store at most once across daemons and restarts, e.g. `await createScheduleTicker({ store, schedules }).claimDue()`. */
export { createScheduleTicker, type CatchUpLimit, type ClaimedTick, type ScheduleTicker, type ScheduleTickerOptions, type TickQuery } from './automation/schedules/ticker.ts';
export { TICK_STATES, type ScheduleTickRecord, type TickState } from './automation/schedules/schedule-tables.ts';

// automation: sensors (docs/automation.md)
/** A sensor on the landing directory: new or changed source files by size and mtime, then content hash, e.g. `landingSensor({ name: 'broker-files', sources: 'northbridge/broker-executions' })`. */
export { landingSensor, type LandingSensorOptions } from './automation/sensors/landing.ts';
/** A sensor on an S3 prefix mirroring the landing directory, landing new objects whole, e.g. `s3Sensor({ name: 'drop', bucket: 'nb-landing', prefix: 'incoming/' })`. */
export { s3Sensor, type S3SensorOptions } from './automation/sensors/s3.ts';
/** One tick of a sensor: detections recorded with its cursor, and the runs to request, e.g. `await runSensor({ engine, sensor })`. */
export { runSensor, markSensorRequested, type RunSensorOptions, type MarkSensorRequestedOptions } from './automation/sensors/run-sensor.ts';
export type { SensorDefinition, SensorDetection, SensorRequest, SensorProblem, SensorResult, SensorCursor } from './automation/sensors/sensor.ts';

// automation: conditions (docs/automation.md, "Declarative conditions")
/** A condition node for `defineAsset({ automation })`, and what it reads when evaluated. */
export type { AutomationCondition, AutomationConditionSpec, ConditionContext, PreviousEvaluation } from './definitions/automation-condition.ts';
/** Materialize when missing or an input has new data, once every input is ready, e.g. `automation: eager()`. */
export { eager } from './automation/conditions/eager.ts';
/** The latest window, after each cron tick, once inputs are ready, e.g. `onCron('0 5 * * 1-5', { tz: 'America/New_York' })`. */
export { onCron } from './automation/conditions/on-cron.ts';
/** Never materialized, once inputs are ready, e.g. `automation: onMissing()`. */
export { onMissing } from './automation/conditions/on-missing.ts';
/** An input's data version changed since it was consumed, e.g. `automation: whenUpstreamChanged()`. */
export { whenUpstreamChanged } from './automation/conditions/when-upstream-changed.ts';
/** Materialized since the previous evaluation, e.g. the reset of `since(cronTickPassed('0 * * * *'), newlyUpdated())`. */
export { newlyUpdated } from './automation/conditions/newly-updated.ts';
/** A cron tick passed since the previous evaluation, e.g. `cronTickPassed('0 5 * * *', { tz: 'America/New_York' })`. */
export { cronTickPassed, type CronOptions } from './automation/conditions/cron-tick-passed.ts';
/** Combinators, e.g. `and(eager(), not(onMissing()))`, `or(onMissing(), whenUpstreamChanged())`, `since(trigger, reset)`. */
export { and } from './automation/conditions/and.ts';
export { or } from './automation/conditions/or.ts';
export { not } from './automation/conditions/not.ts';
export { since } from './automation/conditions/since.ts';
/** Evaluates every asset's condition on the planner's arrays, e.g. `evaluateConditions({ definitions, state, now, previous, inProgress })`. */
export { evaluateConditions, type ConditionEvaluation, type ConditionRequest, type AssetConditionResult, type ConditionNodeResult } from './automation/conditions/evaluate.ts';
export type { EvaluateConditionsOptions } from './automation/conditions/evaluation.ts';
/** Why a condition is true or false for one partition, node by node, e.g. `explainCondition({ …, asset: 'northbridge/pnl', partition: '2026-11-20|PF001' })`. */
export { explainCondition, type ConditionExplanation, type ExplainConditionOptions } from './automation/conditions/explain.ts';
/** The conditions' memory between evaluations, in the store, e.g. `await saveConditionCursor(store, evaluation.cursor)`. */
export { loadConditionCursor, saveConditionCursor, type ConditionCursor, type AssetConditionCursor } from './automation/conditions/cursor.ts';
export type { KeyRange } from './automation/conditions/masks.ts';

// automation: SLA risk and alerts (docs/automation.md, "SLAs and alerts")
/** Raised by an alert channel that could not deliver (`alert-delivery-failed`), or given bad options (`invalid-config`). */
export { AlertError } from './util/errors.ts';
/** Milliseconds of `45m`, `1h30m`, `8h`, e.g. `parseDuration('1h30m')` → 5_400_000. */
export { parseDuration } from './util/duration.ts';
/** An SLA's declared step estimate in ms, e.g. `slaEstimateMs(asset.sla)` for `sla: { …, estimate: '45m' }`. */
export { slaEstimateMs } from './definitions/sla.ts';
/** Predicts met / missed / at-risk / pending / on-track from the remaining critical path, e.g. `predictSlas({ definitions, state, targets, facts, now })`. */
export { predictSlas, type SlaFacts, type SlaPrediction, type SlaRiskOptions, type SlaRiskState, type SlaTarget } from './automation/sla-risk.ts';
/** The remaining critical path to some partitions, e.g. `criticalPath({ definitions, state, reasons: plan.reasons, asset, partitions, estimate, running, retrying, now })`. */
export { criticalPath, type CriticalPath, type CriticalPathOptions, type CriticalStep, type DurationBasis, type StepEstimate } from './automation/critical-path.ts';
/** The partitions under an SLA due around now, e.g. `dueSlaTargets({ definitions, now: store.now(), calendars: [xnys()] })`. */
export { dueSlaTargets, slaCalendar, type SlaTargetsOptions } from './automation/sla-targets.ts';
/** Reads the store and predicts every due SLA at the store's now, e.g. `await evaluateSlas({ store, definitions, calendars: [xnys()] })`. */
export { evaluateSlas, type EvaluateSlasOptions } from './automation/sla-monitor.ts';
/** p50/p90 of recent successful step durations per asset, and the running steps, e.g. `await readStepDurations(store)`. */
export { readStepDurations, readRunningSteps, readRetryingPartitions, type RunningStep, type StepDurationQuery, type StepDurationStats } from './automation/step-durations.ts';
/** Partitions failed now after their last retry or a blocking check, e.g. `await readPartitionFailures(store)`. */
export { readPartitionFailures, type PartitionFailure } from './automation/partition-failures.ts';
/** Alerts in the store, deduplicated by key, notified on fire, escalation and resolve, e.g. `createAlertManager({ store, channels: [webhookChannel({ url })] })`. */
export { createAlertManager, type AlertManager, type AlertManagerOptions, type AlertQuery } from './automation/alert-manager.ts';
export {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  alertJson,
  type AlertChannel,
  type AlertEventName,
  type AlertEventRecord,
  type AlertInput,
  type AlertKind,
  type AlertNotification,
  type AlertRecord,
  type AlertSeverity,
  type AlertState,
} from './automation/alert.ts';
/** A Slack-compatible JSON webhook with retries, e.g. `webhookChannel({ url: 'https://hooks.slack.com/services/…' })`. */
export { webhookChannel, webhookPayload, type WebhookChannelOptions } from './automation/channels/webhook.ts';
/** Email over SMTP (EHLO, STARTTLS, AUTH PLAIN, DATA), e.g. `smtpChannel({ host: 'smtp.example.com', from: 'daybook@example.com', to: 'oncall@example.com' })`. */
export { smtpChannel, type SmtpChannelOptions } from './automation/channels/smtp.ts';
/** Rules turning state into alerts, and applying them, e.g. `await applyAlerts(alerts, RULE_KINDS.queues, queueDepthAlerts(depths))`. */
export { applyAlerts, failureAlerts, heartbeatAlerts, queueDepthAlerts, RULE_KINDS, slaAlerts, type HeartbeatCheck, type QueueDepth, type QueueThresholds } from './automation/alert-rules.ts';
/** Every alert rule once, at the store's now: the daemon's tick, e.g. `await checkAlerts({ store, definitions, alerts, queues })`. */
export { checkAlerts, type AlertCheck, type CheckAlertsOptions } from './automation/check-alerts.ts';

// automation: the daemon (docs/automation.md, "The daemon")
/** A project's schedules, sensors, alert channels and pools: `export const automation = defineAutomation({ … })` in daybook.config.ts. */
export { defineAutomation, type AutomationConfig, type AutomationInput } from './automation/automation-config.ts';
/** Schedules, sensors, conditions and alerts on each tick, e.g. `createDaemon({ engine, schedules, sensors, alerts }).start()`. */
export { createDaemon, type Daemon, type DaemonOptions, type DaemonTick, type Launch, type LaunchRequest } from './automation/daemon.ts';
/** The daemon with in-process workers, as `daybook daemon` and `daybook serve` run it. */
/** The daemon heartbeat rule, and a watcher for processes other than the daemon, e.g. `watchHeartbeats({ store, alerts })`. */
export { checkHeartbeats, daemonHeartbeats, watchHeartbeats, type WatchHeartbeatsOptions } from './automation/heartbeat-watch.ts';
export { startAutomation, type RunningAutomation, type StartAutomationOptions } from './automation/start-automation.ts';
/** Queue state the daemon reads: partitions being run, and waiting steps per pool. */
export { inProgressPartitions, queueDepths } from './automation/queue-state.ts';

// automation: workers (docs/automation.md, "Workers")
/** Plans a run as materialize() does and queues its steps for workers, e.g. `await enqueueRun(engine, { selection: 'northbridge/pnl+', priority: 800 })`. */
export { enqueueRun, POOL_TAG, type EnqueueOptions, type EnqueuedRun } from './automation/workers/enqueue.ts';
/** A worker claiming queued steps under leases, e.g. `const worker = createWorker({ engine, concurrency: 8 }); await worker.start();`. */
export { createWorker, type Worker, type WorkerOptions, type WorkerStats, type WorkerStepEvent } from './automation/workers/worker.ts';
/** Runs a queued run to its end with in-process workers (embedded PGlite), e.g. `await runQueued(engine, run.id, { workers: 2 })`. */
export { runQueued, type RunQueuedOptions } from './automation/workers/run-queued.ts';
/** Pool slot limits across every worker, e.g. `await setPoolLimits(store, { redshift: 2 })`; an asset joins a pool with `tags: { pool: 'redshift' }`. */
export { setPoolLimits } from './automation/workers/pools.ts';
