// Shapes shared by several endpoints: statuses, errors and the small records that appear everywhere.
import { z } from 'zod';

/** A partition's status as the API reports it; `running` when a step for it is pending or running now. */
export const partitionStatusSchema = z.enum(['fresh', 'stale', 'missing', 'failed', 'running']).meta({ id: 'PartitionStatus' });

/** Why a partition would run: the planner's reason; null when fresh. */
export const reasonSchema = z.enum(['missing', 'code-changed', 'upstream-changed', 'failed', 'forced']).nullable().meta({ id: 'Reason' });

/** Partition counts per status. */
export const statusCountsSchema = z
  .object({
    fresh: z.number().int(),
    stale: z.number().int(),
    missing: z.number().int(),
    failed: z.number().int(),
    running: z.number().int(),
  })
  .meta({ id: 'StatusCounts' });

/** One problem the request had, as zod reports it. */
export const issueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
});

/** Every error response: 400 (with the zod issues), 401, 403, 404, 409, 500. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(issueSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** Any JSON object, e.g. a check's metrics or a partitions spec. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

/** ISO-8601 UTC instant with milliseconds, e.g. `2026-11-20T11:02:03.456Z`. */
export const instantSchema = z.string().meta({ format: 'date-time' });

/** Data versions a materialization consumed: upstream asset → upstream partition key → data version. */
export const consumedSchema = z.record(z.string(), z.record(z.string(), z.string()));
