// The freshness contract downstream teams code against: keep it small and stable.
import { z } from 'zod';
import { instantSchema, partitionStatusSchema } from './common.ts';

export const slaStateSchema = z.enum(['met', 'at-risk', 'missed', 'pending']).meta({ id: 'SlaState' });

/** The SLA of one partition: its deadline as an instant, and whether it was met. */
export const slaStatusSchema = z
  .object({
    deadline: instantSchema,
    state: slaStateSchema,
  })
  .meta({ id: 'SlaStatus' });

/** Is this asset partition ready? `partition` is a key, a date covering several keys, or '' when unpartitioned. */
export const freshnessSchema = z
  .object({
    asset: z.string(),
    partition: z.string(),
    status: partitionStatusSchema,
    /** The data version (content hash); for several partitions, a hash of theirs; null when not all are materialized. */
    dataVersion: z.string().nullable(),
    /** When the (latest of the) partition(s) was materialized. */
    materializedAt: instantSchema.nullable(),
    checks: z.enum(['passed', 'failed', 'none']),
    /** Null when the asset has no SLA, or the partition has no deadline. */
    sla: slaStatusSchema.nullable(),
    /** How many partitions the answer covers: 1 for a key, e.g. 5 for a date of a date × portfolio asset. */
    partitions: z.number().int(),
  })
  .meta({ id: 'Freshness' });

export const freshnessBatchSchema = z.object({ results: z.array(freshnessSchema) }).meta({ id: 'FreshnessBatch' });

/** One deadline on the SLA board. */
export const slaBoardItemSchema = z.object({
  asset: z.string(),
  /** The partition due (a key, or a date for several). */
  partition: z.string(),
  deadline: instantSchema,
  /** The deadline as written in the asset's SLA, e.g. `06:30 America/New_York`. */
  localDeadline: z.string(),
  state: slaStateSchema,
  status: partitionStatusSchema,
  materializedAt: instantSchema.nullable(),
});

/** Today's deadlines (or a given day's), one per asset with an SLA that has a deadline that day. */
export const slaBoardSchema = z.object({ date: z.string(), now: instantSchema, items: z.array(slaBoardItemSchema) }).meta({ id: 'SlaBoard' });
