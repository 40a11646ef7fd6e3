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
