/** Every failure code Daybook raises. Only `server/` maps these to HTTP statuses. */
export type DaybookErrorCode =
  | 'invalid-definition'
  | 'unknown-asset'
  | 'duplicate-asset'
  | 'dependency-cycle'
  | 'invalid-mapping'
  | 'invalid-selection'
  | 'invalid-partition-key'
  | 'invalid-partitions-definition'
  | 'invalid-calendar'
  | 'date-out-of-range'
  | 'invalid-plan-request'
  | 'invalid-config'
  | 'materialization-failed'
  | 'malformed-input'
  | 'missing-column'
  | 'ambiguous-source'
  | 'partition-not-stored'
  | 'sql-failed'
  | 'storage-failed'
  | 'store-failed'
  | 'store-locked'
  | 'store-not-found'
  | 'store-invalid-write'
  | 'publish-failed'
  | 'publish-invalid-target'
  | 'audit-invalid-request'
  | 'audit-archive-failed'
  | 'audit-refused'
  | 'alert-delivery-failed'
  | 'lease-lost';

export interface DaybookErrorOptions {
  cause?: unknown;
  /** The asset involved, when there is one. */
  asset?: string;
  /** The partition key involved, when there is one. */
  partition?: string;
  /** The field, file or parameter involved, when there is one. */
  field?: string;
}

/** The one error type of Daybook: a code from a literal union, a message that names what and where, and a cause. */
export class DaybookError extends Error {
  readonly code: DaybookErrorCode;
  readonly asset: string | undefined;
  readonly partition: string | undefined;
  readonly field: string | undefined;

  constructor(code: DaybookErrorCode, message: string, options: DaybookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.asset = options.asset;
    this.partition = options.partition;
    this.field = options.field;
  }
}

/** Raised while assets, sources and the graph are being defined. */
export class DefinitionError extends DaybookError {}
/** Raised for bad partition keys, bad partitions definitions and bad calendars. */
export class PartitionError extends DaybookError {}
/** Raised for an invalid plan request (bad selection, bad range). */
export class PlanError extends DaybookError {}
/** Raised when a step cannot be materialized. */
export class MaterializationError extends DaybookError {}
/** Raised by the metadata store. */
export class StoreError extends DaybookError {}
/** Raised by publishers. */
export class PublishError extends DaybookError {}
/** Raised by audit export, archive verification, prune and reports (framework/audit). */
export class AuditError extends DaybookError {}
/** Raised by an alert channel that could not deliver (framework/automation); the alert manager records it, never throws it. */
export class AlertError extends DaybookError {}
