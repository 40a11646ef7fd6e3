// Runs, their steps, and the requests that launch them.
import { z } from 'zod';
import { instantSchema, jsonObjectSchema } from './common.ts';
import { checkResultViewSchema } from './assets.ts';

export const runStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export const stepStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'upstream-failed', 'waiting', 'blocked-by-check', 'cancelled']);

export const runViewSchema = z
  .object({
    id: z.string(),
    status: runStatusSchema,
    selection: z.string(),
    partitionRequest: jsonObjectSchema,
    trigger: z.string(),
    triggeredBy: z.string(),
    backfillId: z.string().nullable(),
    createdAt: instantSchema,
    startedAt: instantSchema.nullable(),
    finishedAt: instantSchema.nullable(),
    durationMs: z.number().nullable(),
    message: z.string().nullable(),
    /** Running in this server, so it can be cancelled here. */
    active: z.boolean(),
  })
  .meta({ id: 'Run' });

export const runListSchema = z.object({ runs: z.array(runViewSchema) }).meta({ id: 'RunList' });

export const stepViewSchema = z
  .object({
    id: z.string(),
    asset: z.string(),
    partition: z.string(),
    status: stepStatusSchema,
    reason: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: instantSchema,
    startedAt: instantSchema.nullable(),
    finishedAt: instantSchema.nullable(),
    durationMs: z.number().nullable(),
    /** The error, or why it waits or was skipped. */
    error: z.string().nullable(),
    /** The step's log tail: only for steps that did not succeed or skip (the others' are in GET /api/runs/{id}/steps/{stepId}). */
    logTail: z.string().nullable(),
    /** The input partitions and versions it read, from its log: only with `logTail`. */
    inputs: z.array(z.object({ asset: z.string(), partition: z.string(), version: z.string() })),
    /** For `blocked-by-check`: the results of its checks. */
    checks: z.array(checkResultViewSchema),
  })
  .meta({ id: 'Step' });

export const runDetailSchema = z
  .object({
    run: runViewSchema,
    counts: z.record(z.string(), z.number().int()),
    steps: z.array(stepViewSchema),
  })
  .meta({ id: 'RunDetail' });

const selectionField = z
  .string()
  .min(1)
  .max(2_000)
  .describe('assets: key, +key, key+, group:NAME, tag:K=V, * ; commas for a union');
const dateField = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const whereField = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a dimension name'), z.string().min(1).max(200))
  .describe('dimension filters, e.g. { "portfolio": "PF001" }');

/** POST /api/materialize: a selection, plus one partition (a key or a date) or a date range, optionally filtered by dimension. */
export const materializeRequestSchema = z
  .object({
    selection: selectionField,
    partition: z.string().min(1).max(400).optional(),
    from: dateField.optional(),
    to: dateField.optional(),
    where: whereField.optional(),
    /** Run requested partitions even when fresh: what "rematerialize" means. */
    force: z.boolean().default(false),
  })
  .strict()
  .refine((body) => body.partition === undefined || (body.from === undefined && body.to === undefined), {
    message: 'give either partition or from/to, not both',
    path: ['partition'],
  })
  .meta({ id: 'MaterializeRequest' });

/** POST /api/backfills: a selection over a date range, recorded as a backfill. */
export const backfillRequestSchema = z
  .object({
    selection: selectionField,
    from: dateField,
    to: dateField,
    where: whereField.optional(),
    force: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'BackfillRequest' });

/** What launching a run answers (202): the run runs in the background; follow it on GET /api/events or GET /api/runs/{id}. */
export const launchedRunSchema = z
  .object({
    runId: z.string(),
    /** Steps planned. */
    steps: z.number().int(),
    backfillId: z.string().nullable(),
    /** For retry-failed: the run retried. */
    retryOf: z.string().nullable(),
  })
  .meta({ id: 'LaunchedRun' });

export const cancelResponseSchema = z.object({ runId: z.string(), cancelling: z.boolean() }).meta({ id: 'CancelResponse' });

export const backfillViewSchema = z.object({
  id: z.string(),
  selection: z.string(),
  partitionRequest: jsonObjectSchema,
  status: z.enum(['requested', 'running', 'completed', 'failed', 'cancelled']),
  triggeredBy: z.string(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  finishedAt: instantSchema.nullable(),
  message: z.string().nullable(),
  runIds: z.array(z.string()),
});

export const backfillListSchema = z.object({ backfills: z.array(backfillViewSchema) }).meta({ id: 'BackfillList' });
