// The audit log, read through the API.
import { z } from 'zod';
import { instantSchema, jsonObjectSchema } from './common.ts';

export const auditEventViewSchema = z
  .object({
    seq: z.number().int(),
    at: instantSchema,
    actor: z.string(),
    action: z.string(),
    asset: z.string().nullable(),
    partition: z.string().nullable(),
    runId: z.string().nullable(),
    payload: jsonObjectSchema,
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

/** A page of events in chain order; pass `nextAfterSeq` as `afterSeq` for the next page (null at the end). */
export const auditPageSchema = z
  .object({ events: z.array(auditEventViewSchema), nextAfterSeq: z.number().int().nullable() })
  .meta({ id: 'AuditPage' });

/** A session, `YYYY-MM-DD`. */
const daySchema = z.string().meta({ format: 'date' });

/** A partition computed again after its first materialization, with why and by whom. */
export const auditRerunSchema = z
  .object({
    partition: z.string(),
    at: instantSchema.nullable(),
    status: z.string(),
    /** The planner's reason: `forced`, `upstream-changed`, `code-changed` or `failed`. */
    reason: z.string(),
    /** The operator's own words, when they gave a reason. */
    note: z.string().nullable(),
    runId: z.string(),
    trigger: z.string(),
    triggeredBy: z.string(),
  })
  .meta({ id: 'AuditRerun' });

/** Met when the last of a session's partitions was first materialized by the deadline; pending before it. */
export const auditSlaOutcomeSchema = z
  .object({ deadline: instantSchema, readyAt: instantSchema.nullable(), outcome: z.enum(['met', 'missed', 'pending']) })
  .meta({ id: 'AuditSlaOutcome' });

/** One asset and session of the auditor's report (docs/audit.md). */
export const auditReportRowSchema = z
  .object({
    asset: z.string(),
    session: daySchema,
    partitions: z.number().int(),
    materializations: z.number().int(),
    failures: z.number().int(),
    checksPassed: z.number().int(),
    checksFailed: z.number().int(),
    checksFailedBlocking: z.number().int(),
    reruns: z.array(auditRerunSchema),
    rerunReasons: z.record(z.string(), z.number().int()),
    triggeredBy: z.array(z.string()),
    firstMaterializedAt: instantSchema.nullable(),
    lastMaterializedAt: instantSchema.nullable(),
    /** Null for an asset without an SLA. */
    sla: auditSlaOutcomeSchema.nullable(),
  })
  .meta({ id: 'AuditReportRow' });

/** GET /api/audit/report: what `auditReport()` returns, rows sorted by asset and session. */
export const auditReportSchema = z
  .object({ from: daySchema, to: daySchema, generatedAt: instantSchema, rows: z.array(auditReportRowSchema) })
  .meta({ id: 'AuditReport' });
