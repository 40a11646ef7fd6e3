import type { BoundPartitionMapping } from '../partitions/mapping.ts';
import { defaultMapping } from '../partitions/mappings/default.ts';
import { DaybookError, DefinitionError } from '../util/errors.ts';
import type { AssetDefinition } from './asset.ts';
import type { DependencySpec } from './dependency.ts';
import { assertDistinctDestinations } from './publish-destinations.ts';

/** A dependency edge with its mapping bound to the two partitions definitions. */
export interface AssetEdge {
  /** Id of the upstream asset. */
  readonly upstream: number;
  /** Id of the downstream asset. */
  readonly downstream: number;
  readonly spec: DependencySpec;
  readonly mapping: BoundPartitionMapping;
  /** An asset reading its own earlier partitions (e.g. positions at D reading positions at D−1). */
  readonly self: boolean;
}

/**
 * The immutable asset graph. Assets get dense ids in a topological order (every upstream before its
 * downstream), which the planner uses to index its arrays.
 *
 * @example
 * const defs = defineDefinitions([securities, executions, positions]);
 * defs.get('northbridge/positions').partitions.size();
 */
export class Definitions {
  /** Assets in topological order; an asset's id is its position here. */
  readonly assets: readonly AssetDefinition[];
  readonly #ids: ReadonlyMap<string, number>;
  readonly #deps: readonly (readonly AssetEdge[])[];
  readonly #dependents: readonly (readonly AssetEdge[])[];

  constructor(assets: readonly AssetDefinition[], deps: readonly (readonly AssetEdge[])[]) {
    this.assets = assets;
    this.#ids = new Map(assets.map((asset, id) => [asset.key, id]));
    this.#deps = deps;
    const dependents: AssetEdge[][] = assets.map(() => []);
    for (const edges of deps) for (const edge of edges) dependents[edge.upstream]!.push(edge);
    this.#dependents = dependents;
    Object.freeze(this);
  }

  has(key: string): boolean {
    return this.#ids.has(key);
  }

  /** The id of an asset; throws a DefinitionError (`unknown-asset`) naming close matches. */
  idOf(key: string): number {
    const id = this.#ids.get(key);
    if (id === undefined) throw unknownAsset(key, [...this.#ids.keys()]);
    return id;
  }

  get(key: string): AssetDefinition {
    return this.assets[this.idOf(key)]!;
  }

  /** The edges from an asset to the assets it reads. */
  depsOf(id: number): readonly AssetEdge[] {
    return this.#deps[id]!;
  }

  /** The edges from an asset to the assets that read it. */
  dependentsOf(id: number): readonly AssetEdge[] {
    return this.#dependents[id]!;
  }
}

/**
 * Builds the asset graph: rejects duplicate keys, unknown deps, cycles (printed as `a -> b -> a`),
 * mappings that cannot apply to the two partitions definitions, and two assets publishing to one table.
 *
 * @example
 * export default defineDefinitions([...northbridgeAssets]);
 */
export function defineDefinitions(items: readonly AssetDefinition[]): Definitions {
  const byKey = new Map<string, AssetDefinition>();
  for (const item of items) {
    if (byKey.has(item.key)) {
      throw new DefinitionError('duplicate-asset', `asset "${item.key}" is defined twice`, { asset: item.key, field: 'key' });
    }
    byKey.set(item.key, item);
  }
  for (const item of items) {
    const relations = new Set<string>();
    for (const dep of item.deps) {
      if (!byKey.has(dep.asset)) {
        throw new DefinitionError(
          'unknown-asset',
          `asset "${item.key}": field "deps": unknown asset "${dep.asset}"${suggestion(dep.asset, [...byKey.keys()])}`,
          { asset: item.key, field: 'deps' },
        );
      }
      if (relations.has(dep.as)) {
        throw new DefinitionError('invalid-definition', `asset "${item.key}": field "deps": two dependencies are named "${dep.as}"; give one an "as"`, {
          asset: item.key,
          field: 'deps',
        });
      }
      relations.add(dep.as);
    }
  }
  assertDistinctDestinations(items);
  const order = topologicalOrder(items, byKey);
  const ids = new Map(order.map((asset, id) => [asset.key, id]));
  const deps = order.map((asset, id) => asset.deps.map((dep) => bindEdge(asset, id, dep, byKey.get(dep.asset)!, ids.get(dep.asset)!)));
  return new Definitions(Object.freeze(order), Object.freeze(deps.map((edges) => Object.freeze(edges))));
}

function bindEdge(asset: AssetDefinition, id: number, dep: DependencySpec, upstream: AssetDefinition, upstreamId: number): AssetEdge {
  const where = `asset "${asset.key}": dependency "${dep.asset}"`;
  let mapping: BoundPartitionMapping;
  try {
    mapping = (dep.mapping ?? defaultMapping(asset.partitions, upstream.partitions)).bind(asset.partitions, upstream.partitions);
  } catch (cause) {
    const reason = cause instanceof DaybookError ? cause.message : String(cause);
    throw new DefinitionError(
      'invalid-mapping',
      `${where}: the mapping cannot apply from ${upstream.partitions.description} to ${asset.partitions.description}: ${reason}`,
      { asset: asset.key, field: 'deps', cause },
    );
  }
  const self = upstreamId === id;
  if (self && !mapping.strictlyEarlier) {
    throw new DefinitionError(
      'dependency-cycle',
      `${where}: an asset may read itself only from strictly earlier partitions (e.g. previousSession()), which this mapping does not guarantee`,
      { asset: asset.key, field: 'deps' },
    );
  }
  return Object.freeze({ upstream: upstreamId, downstream: id, spec: dep, mapping, self });
}

/** Depth-first topological sort that keeps declaration order where it can and prints any cycle. */
function topologicalOrder(items: readonly AssetDefinition[], byKey: ReadonlyMap<string, AssetDefinition>): AssetDefinition[] {
  const order: AssetDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (asset: AssetDefinition): void => {
    const seen = state.get(asset.key);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(asset.key)), asset.key];
      throw new DefinitionError('dependency-cycle', `dependency cycle: ${cycle.join(' -> ')}`, { asset: asset.key, field: 'deps' });
    }
    state.set(asset.key, 'visiting');
    path.push(asset.key);
    for (const dep of asset.deps) if (dep.asset !== asset.key) visit(byKey.get(dep.asset)!);
    path.pop();
    state.set(asset.key, 'done');
    order.push(asset);
  };
  for (const item of items) visit(item);
  return order;
}

function unknownAsset(key: string, known: readonly string[]): DefinitionError {
  return new DefinitionError('unknown-asset', `unknown asset "${key}"${suggestion(key, known)}`, { asset: key });
}

/** A "did you mean" hint: known keys within a small edit distance, or sharing the last segment. */
function suggestion(key: string, known: readonly string[]): string {
  const last = key.slice(key.lastIndexOf('/') + 1);
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(key, candidate) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, key.length / 5) || candidate.endsWith(`/${last}`))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ candidate }) => `"${candidate}"`);
  return close.length > 0 ? `; did you mean ${close.join(' or ')}?` : '';
}

/** Levenshtein distance, for typo hints. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
