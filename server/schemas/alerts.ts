// Alerts, read through the API.
import { z } from 'zod';
import { ALERT_KINDS, ALERT_SEVERITIES } from '../../framework/index.ts';
import { instantSchema, jsonObjectSchema } from './common.ts';

export const alertViewSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    kind: z.enum(ALERT_KINDS),
    severity: z.enum(ALERT_SEVERITIES),
    state: z.enum(['firing', 'resolved']),
    asset: z.string().nullable(),
    partition: z.string().nullable(),
    summary: z.string(),
    details: jsonObjectSchema,
    firstSeen: instantSchema,
    lastSeen: instantSchema,
    resolvedAt: instantSchema.nullable(),
    notifyCount: z.number().int(),
  })
  .meta({ id: 'Alert' });

export const alertListSchema = z.object({ alerts: z.array(alertViewSchema) }).meta({ id: 'AlertList' });

export const alertEventViewSchema = z
  .object({
    at: instantSchema,
    event: z.enum(['fired', 'repeated', 'escalated', 'resolved', 'notified', 'notify-failed']),
    channel: z.string().nullable(),
    error: z.string().nullable(),
    details: jsonObjectSchema,
  })
  .meta({ id: 'AlertEvent' });

/** An alert with its history, oldest first. */
export const alertDetailSchema = z.object({ alert: alertViewSchema, history: z.array(alertEventViewSchema) }).meta({ id: 'AlertDetail' });
