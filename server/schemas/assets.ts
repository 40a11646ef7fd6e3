// The asset catalog: list, detail and partitions.
import { z } from 'zod';
import { consumedSchema, instantSchema, jsonObjectSchema, partitionStatusSchema, reasonSchema, statusCountsSchema } from './common.ts';
import { freshnessSchema, slaStatusSchema } from './freshness.ts';

/** One asset in the catalog. `freshness` is that of its latest expected partition (for sessions, the latest ended session). */
export const assetSummarySchema = z
  .object({
    key: z.string(),
    kind: z.enum(['asset', 'source']),
    description: z.string(),
    group: z.string(),
    owners: z.array(z.string()),
    tags: z.record(z.string(), z.string()),
    partitionsKind: z.enum(['sessions', 'time-window', 'static', 'dynamic', 'multi', 'unpartitioned']),
    /** Dimension names of a multi-partitioned asset, in key order; empty otherwise. */
    dimensions: z.array(z.string()),
    partitions: z.object({
      /** Keys in the key space. */
      total: z.number().int(),
      /** Keys whose window has ended by now (all of them without a time dimension): the ones counted. */
      expected: z.number().int(),
      counts: statusCountsSchema,
    }),
    freshness: freshnessSchema,
  })
  .meta({ id: 'AssetSummary' });

export const assetListSchema = z.object({ assets: z.array(assetSummarySchema), total: z.number().int() }).meta({ id: 'AssetList' });

/** A dependency edge as seen from one end. */
export const edgeViewSchema = z.object({
  /** The asset at the other end. */
  asset: z.string(),
  /** The relation name the downstream's SQL reads the upstream as. */
  as: z.string(),
  /** The mapping's spec, e.g. `{ kind: 'offset', by: -1 }`. */
  mapping: jsonObjectSchema,
  /** False when the mapping was inferred from the two partitions definitions. */
  declared: z.boolean(),
});

export const materializationViewSchema = z
  .object({
    seq: z.number().int(),
    partition: z.string(),
    dataVersion: z.string(),
    codeVersion: z.string().nullable(),
    rowCount: z.number().nullable(),
    bytes: z.number().nullable(),
    location: z.string().nullable(),
    runId: z.string().nullable(),
    stepId: z.string().nullable(),
    createdAt: instantSchema,
    consumed: consumedSchema,
  })
  .meta({ id: 'Materialization' });

export const checkResultViewSchema = z
  .object({
    id: z.number().int(),
    partition: z.string(),
    check: z.string(),
    passed: z.boolean(),
    severity: z.string(),
    blocking: z.boolean(),
    message: z.string(),
    metrics: jsonObjectSchema,
    /** A few failing rows. */
    sample: z.array(jsonObjectSchema),
    runId: z.string().nullable(),
    stepId: z.string().nullable(),
    createdAt: instantSchema,
  })
  .meta({ id: 'CheckResult' });

export const publishViewSchema = z.object({
  partition: z.string(),
  target: z.string(),
  uri: z.string(),
  dataVersion: z.string(),
  /** False when the target already held this version. */
  published: z.boolean(),
  runId: z.string().nullable(),
  at: instantSchema,
});

export const assetDetailSchema = assetSummarySchema
  .extend({
    codeVersion: z.string().nullable(),
    compute: z.object({ kind: z.enum(['sql', 'function', 'none']), sql: z.string().nullable() }),
    partitionsSpec: jsonObjectSchema,
    /** e.g. `XNYS sessions from 2026-11-16 × 5 portfolios`. */
    partitionsDescription: z.string(),
    keyFormat: z.string(),
    /** Sources only: where their files land. */
    location: z.object({ pattern: z.string(), format: z.string().nullable() }).nullable(),
    deps: z.array(edgeViewSchema),
    dependents: z.array(edgeViewSchema),
    /** The 20 most recent current materializations. */
    materializations: z.array(materializationViewSchema),
    checks: z.object({
      definitions: z.array(z.object({ name: z.string(), severity: z.string(), blocking: z.boolean(), description: z.string().nullable() })),
      /** The 50 most recent results. */
      latest: z.array(checkResultViewSchema),
    }),
    /** Target names, e.g. `warehouse`. */
    publish: z.array(z.string()),
    /** The 20 most recent publishes. */
    publishes: z.array(publishViewSchema),
    sla: z
      .object({
        deadline: z.string(),
        tz: z.string(),
        calendar: z.string().nullable(),
        partition: z.string(),
        weekday: z.number().int().nullable(),
        /** The SLA of the latest expected partition. */
        status: slaStatusSchema.nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'AssetDetail' });

/** One partition with its status and why. */
export const partitionViewSchema = z
  .object({
    index: z.number().int(),
    partition: z.string(),
    status: partitionStatusSchema,
    reason: reasonSchema,
    /** Why it is stale or failed, e.g. which input changed from which version to which. */
    detail: z.string(),
    dataVersion: z.string().nullable(),
    materializedAt: instantSchema.nullable(),
  })
  .meta({ id: 'PartitionView' });

/** A run of consecutive partition indexes with one status: `[start, end)`. */
export const statusRangeSchema = z.object({ start: z.number().int(), end: z.number().int(), status: partitionStatusSchema });

export const partitionsResponseSchema = z
  .object({
    asset: z.string(),
    total: z.number().int(),
    expected: z.number().int(),
    counts: statusCountsSchema,
    /** The key space's dimensions (one, named after the kind, when not multi); `keys` when it has at most 1,000. */
    dimensions: z.array(z.object({ name: z.string(), size: z.number().int(), keys: z.array(z.string()).nullable() })),
    /** Run-length statuses over the expected indexes, at most `maxRanges` of them. */
    ranges: z.array(statusRangeSchema),
    rangesTruncated: z.boolean(),
    page: z.object({
      offset: z.number().int(),
      limit: z.number().int(),
      /** Partitions matching the status filter. */
      total: z.number().int(),
      order: z.enum(['asc', 'desc']),
      items: z.array(partitionViewSchema),
    }),
  })
  .meta({ id: 'Partitions' });

/**
 * Statuses of consecutive partitions, one character each: `f` fresh, `s` stale, `m` missing, `x`
 * failed, `r` running, `-` not yet due. For a date × portfolio asset, row d of the heat map is
 * `codes.slice(d * portfolios, (d + 1) * portfolios)` (the first dimension is the most significant).
 */
export const partitionGridSchema = z
  .object({
    asset: z.string(),
    offset: z.number().int(),
    count: z.number().int(),
    total: z.number().int(),
    codes: z.string(),
  })
  .meta({ id: 'PartitionGrid' });
