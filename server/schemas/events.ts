// What GET /api/events sends: Server-Sent Events, `event: <type>` then `data: <json>`.
import { z } from 'zod';
import { instantSchema } from './common.ts';
import { runStatusSchema, stepStatusSchema } from './runs.ts';

/** `event: run`: a run started (with its planned step count) or finished. */
export const runEventSchema = z
  .object({
    type: z.literal('run'),
    runId: z.string(),
    status: runStatusSchema,
    steps: z.number().int(),
    selection: z.string(),
    triggeredBy: z.string(),
    at: instantSchema,
  })
  .meta({ id: 'RunEvent' });

/** `event: step`: a step changed status, after the change was stored. */
export const stepEventSchema = z
  .object({
    type: z.literal('step'),
    runId: z.string(),
    asset: z.string(),
    partition: z.string(),
    status: stepStatusSchema,
    attempt: z.number().int(),
    message: z.string().nullable(),
    at: instantSchema,
  })
  .meta({ id: 'StepEvent' });

/** `event: partitions`: the server's partition state changed for these assets; refetch what shows them. */
export const partitionsEventSchema = z
  .object({
    type: z.literal('partitions'),
    assets: z.array(z.string()),
    at: instantSchema,
  })
  .meta({ id: 'PartitionsEvent' });

export const serverEventSchema = z.discriminatedUnion('type', [runEventSchema, stepEventSchema, partitionsEventSchema]).meta({ id: 'ServerEvent' });
