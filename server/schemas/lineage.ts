// The asset graph, and the lineage of one asset or one partition.
import { z } from 'zod';
import { instantSchema, jsonObjectSchema, partitionStatusSchema } from './common.ts';

export const lineageNodeSchema = z.object({
  key: z.string(),
  kind: z.enum(['asset', 'source']),
  group: z.string(),
  status: partitionStatusSchema,
  /** Hops from the asset asked about: negative upstream, positive downstream, 0 for it (0 for all in the whole graph). */
  depth: z.number().int(),
});

export const lineageEdgeSchema = z.object({
  /** Upstream asset. */
  from: z.string(),
  /** Downstream asset. */
  to: z.string(),
  as: z.string(),
  mapping: jsonObjectSchema,
});

/** The whole graph, or an asset's neighbourhood within `depth`. */
export const assetLineageSchema = z
  .object({
    root: z.string().nullable(),
    nodes: z.array(lineageNodeSchema),
    edges: z.array(lineageEdgeSchema),
  })
  .meta({ id: 'AssetLineage' });

export const partitionRefSchema = z.object({ asset: z.string(), partition: z.string() });

export const partitionLineageNodeSchema = z.object({
  asset: z.string(),
  partition: z.string(),
  status: partitionStatusSchema,
  dataVersion: z.string().nullable(),
  materializedAt: instantSchema.nullable(),
  depth: z.number().int(),
});

/** Upstream edges carry the versions: what the downstream's current materialization consumed, and what the input holds now. */
export const partitionLineageEdgeSchema = z.object({
  from: partitionRefSchema,
  to: partitionRefSchema,
  /** The data version of `from` that `to`'s current materialization read; null when `to` was never materialized. */
  consumedVersion: z.string().nullable(),
  /** `from`'s data version now. */
  currentVersion: z.string().nullable(),
});

/** One partition's inputs (exactly the partitions and versions that fed it) and what reads it, within `depth`. */
export const partitionLineageSchema = z
  .object({
    root: partitionRefSchema,
    nodes: z.array(partitionLineageNodeSchema),
    edges: z.array(partitionLineageEdgeSchema),
    /** True when more than `limit` nodes were reachable and the rest were left out. */
    truncated: z.boolean(),
  })
  .meta({ id: 'PartitionLineage' });
