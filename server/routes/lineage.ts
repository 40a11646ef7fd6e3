// Lineage: the asset graph, one asset's neighbourhood, and one partition's exact inputs and readers.
import { z } from 'zod';
import { PartitionError, PartitionSubset, type Definitions, type InputVersions, type MetadataStore } from '../../framework/index.ts';
import type { AssetLineage, LineageEdge, LineageNode, PartitionLineage, PartitionLineageEdge, PartitionLineageNode } from '../api-types.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { assetLineageSchema, partitionLineageSchema } from '../schemas/lineage.ts';
import { intParam, keyParams } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import type { Catalog } from '../state/catalog.ts';
import { STATUS_NAMES } from '../state/status.ts';
import { mappingSpec } from '../views.ts';

const lineageQuery = z
  .object({
    partition: z.string().max(400).optional(),
    depth: intParam(1, 10, 2),
    direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
    limit: intParam(1, 5_000, 500),
  })
  .strict();

/** GET /api/lineage and GET /api/lineage/{key}. */
export function lineageRoutes({ catalog, engine }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/lineage',
      summary: 'The whole asset graph',
      tag: 'lineage',
      role: 'viewer',
      responses: { 200: { description: 'every asset and dependency', schema: assetLineageSchema } },
      async handle(c) {
        const ids = catalog.definitions.assets.map((_, id) => id);
        return c.json(await assetGraph(catalog, null, new Map(ids.map((id) => [id, 0]))));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/lineage/{key}',
      summary: "An asset's upstream and downstream within depth; with partition, that partition's exact input partitions and data versions, and what reads it",
      tag: 'lineage',
      role: 'viewer',
      params: keyParams,
      query: lineageQuery,
      responses: {
        200: { description: 'the lineage (AssetLineage, or PartitionLineage with ?partition)', schema: z.union([assetLineageSchema, partitionLineageSchema]) },
        400: { description: 'malformed parameters, or a partition that is not a key of the asset' },
        404: { description: 'unknown asset' },
      },
      async handle(c, { params, query }) {
        const id = catalog.definitions.idOf(params.key);
        if (query.partition !== undefined) return c.json(await partitionLineage(catalog, engine.store, params.key, query.partition, query));
        return c.json(await assetGraph(catalog, params.key, neighbourhood(catalog.definitions, id, query.depth, query.direction)));
      },
    }),
  ];
}

/** Asset ids within `depth` hops, with their signed distance (negative upstream). */
function neighbourhood(definitions: Definitions, root: number, depth: number, direction: 'upstream' | 'downstream' | 'both'): Map<number, number> {
  const found = new Map([[root, 0]]);
  const walk = (sign: -1 | 1) => {
    let frontier = [root];
    for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
      const next: number[] = [];
      for (const id of frontier) {
        const edges = sign < 0 ? definitions.depsOf(id) : definitions.dependentsOf(id);
        for (const edge of edges) {
          const other = sign < 0 ? edge.upstream : edge.downstream;
          if (found.has(other)) continue;
          found.set(other, sign * hop);
          next.push(other);
        }
      }
      frontier = next;
    }
  };
  if (direction !== 'downstream') walk(-1);
  if (direction !== 'upstream') walk(1);
  return found;
}

async function assetGraph(catalog: Catalog, root: string | null, ids: Map<number, number>): Promise<AssetLineage> {
  const { definitions } = catalog;
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  for (const [id, depth] of [...ids].sort((a, b) => a[0] - b[0])) {
    const asset = definitions.assets[id]!;
    const { status } = await catalog.freshness(asset.key);
    nodes.push({ key: asset.key, kind: asset.kind, group: asset.group, status, depth });
    for (const edge of definitions.depsOf(id)) {
      if (!ids.has(edge.upstream)) continue;
      edges.push({ from: definitions.assets[edge.upstream]!.key, to: asset.key, as: edge.spec.as, mapping: mappingSpec(definitions, edge) });
    }
  }
  return { root, nodes, edges };
}

interface Node {
  readonly id: number;
  readonly index: number;
  readonly key: string;
}

/**
 * One partition's lineage: upstream through what its current materialization consumed (or, never
 * materialized, what its mappings would read), downstream through the mappings of its readers.
 */
async function partitionLineage(
  catalog: Catalog,
  store: MetadataStore,
  assetKey: string,
  partition: string,
  { depth, direction, limit }: { depth: number; direction: 'upstream' | 'downstream' | 'both'; limit: number },
): Promise<PartitionLineage> {
  const { definitions, index } = catalog;
  const rootId = definitions.idOf(assetKey);
  const rootAsset = definitions.assets[rootId]!;
  const rootIndex = rootAsset.partitions.tryIndexOf(partition);
  if (rootIndex < 0) {
    throw new PartitionError('invalid-partition-key', `asset "${assetKey}": partition "${partition}" is not a key of ${rootAsset.partitions.description} (expected ${rootAsset.partitions.keyFormat})`, {
      asset: assetKey,
      partition,
      field: 'partition',
    });
  }
  const nodes = new Map<string, PartitionLineageNode>();
  const edges: PartitionLineageEdge[] = [];
  const seen = new Set<string>();
  /** Adds an edge between two included nodes, once: two dependency edges may read the same partition. */
  const link = (edge: PartitionLineageEdge) => {
    const name = `${edge.from.asset}\u0000${edge.from.partition}\u0000${edge.to.asset}\u0000${edge.to.partition}`;
    if (seen.has(name) || !nodes.has(`${edge.from.asset}\u0000${edge.from.partition}`) || !nodes.has(`${edge.to.asset}\u0000${edge.to.partition}`)) return;
    seen.add(name);
    edges.push(edge);
  };
  let truncated = false;
  const nameOf = (node: Node) => `${definitions.assets[node.id]!.key}\u0000${node.key}`;
  const add = (node: Node, hop: number): boolean => {
    if (nodes.has(nameOf(node))) return false;
    if (nodes.size >= limit) {
      truncated = true;
      return false;
    }
    const entry = index.entries()[node.id]!;
    const at = entry.materializedAt[node.index]!;
    nodes.set(nameOf(node), {
      asset: entry.asset.key,
      partition: node.key,
      status: STATUS_NAMES[index.statusAt(entry, node.index)]!,
      dataVersion: entry.versions.get(node.index) ?? null,
      materializedAt: at === 0 ? null : new Date(at).toISOString(),
      depth: hop,
    });
    return true;
  };
  const version = (node: Node) => index.entries()[node.id]!.versions.get(node.index) ?? null;
  /** What the nodes' current materializations consumed, read per asset. */
  const consumedOf = async (batch: readonly Node[]): Promise<Map<string, InputVersions>> => {
    const byAsset = new Map<number, string[]>();
    for (const node of batch) byAsset.set(node.id, [...(byAsset.get(node.id) ?? []), node.key]);
    const found = new Map<string, InputVersions>();
    for (const [id, keys] of byAsset) {
      const key = definitions.assets[id]!.key;
      for (const record of await store.currentMaterializations(key, { partitions: keys, limit: keys.length })) found.set(`${key}\u0000${record.partition}`, record.consumed);
    }
    return found;
  };
  const root: Node = { id: rootId, index: rootIndex, key: partition };
  add(root, 0);

  if (direction !== 'downstream') {
    let frontier = [root];
    for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
      const consumed = await consumedOf(frontier);
      const next: Node[] = [];
      for (const node of frontier) {
        const asset = definitions.assets[node.id]!;
        const inputs = consumed.get(nameOf(node));
        for (const edge of definitions.depsOf(node.id)) {
          const upstream = definitions.assets[edge.upstream]!;
          const visit = (upstreamIndex: number, upstreamKey: string, consumedVersion: string | null) => {
            const from: Node = { id: edge.upstream, index: upstreamIndex, key: upstreamKey };
            if (add(from, -hop)) next.push(from);
            link({ from: { asset: upstream.key, partition: upstreamKey }, to: { asset: asset.key, partition: node.key }, consumedVersion, currentVersion: version(from) });
          };
          if (inputs) {
            for (const [upstreamKey, consumedVersion] of Object.entries(inputs[upstream.key] ?? {})) {
              const upstreamIndex = upstream.partitions.tryIndexOf(upstreamKey);
              if (upstreamIndex >= 0) visit(upstreamIndex, upstreamKey, consumedVersion);
            }
          } else {
            edge.mapping.forEachUpstream(node.index, (u) => visit(u, upstream.partitions.keyAt(u), null));
          }
        }
      }
      frontier = next;
    }
  }

  if (direction !== 'upstream') {
    let frontier = [root];
    for (let hop = 1; hop <= depth && frontier.length > 0 && !truncated; hop++) {
      const readers: { node: Node; from: Node }[] = [];
      for (const node of frontier) {
        for (const edge of definitions.dependentsOf(node.id)) {
          const downstream = definitions.assets[edge.downstream]!;
          const read = edge.mapping.downstreamOf(PartitionSubset.range(definitions.assets[node.id]!.partitions.size(), node.index, node.index + 1));
          for (const d of read.indexes()) {
            if (readers.length >= limit) {
              truncated = true;
              break;
            }
            readers.push({ node: { id: edge.downstream, index: d, key: downstream.partitions.keyAt(d) }, from: node });
          }
        }
      }
      const consumed = await consumedOf(readers.map((reader) => reader.node));
      const next: Node[] = [];
      for (const { node, from } of readers) {
        const fromAsset = definitions.assets[from.id]!.key;
        const consumedVersion = consumed.get(nameOf(node))?.[fromAsset]?.[from.key] ?? null;
        if (add(node, hop)) next.push(node);
        link({ from: { asset: fromAsset, partition: from.key }, to: { asset: definitions.assets[node.id]!.key, partition: node.key }, consumedVersion, currentVersion: version(from) });
      }
      frontier = next;
    }
  }
  return { root: { asset: assetKey, partition }, nodes: [...nodes.values()], edges, truncated };
}
