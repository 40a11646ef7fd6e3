import type { Definitions } from '../definitions/definitions.ts';
import type { SourceObservation } from '../io/source-observer.ts';
import { hasDimensions, listedSubset, requestedSubset, type PartitionRequest } from '../planner/partition-request.ts';
import type { Observation } from '../store/writes.ts';
import { tryParseDay } from '../util/dates.ts';
import type { Engine } from './engine.ts';

/** Observes the source partitions a request covers and records the ones that arrived. */
export async function observeSources(engine: Engine, assets: readonly number[], request: PartitionRequest): Promise<Map<string, SourceObservation>> {
  const { definitions } = engine;
  const reach = new Set<number>();
  const stack = [...assets];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reach.has(id)) continue;
    reach.add(id);
    for (const edge of definitions.depsOf(id)) stack.push(edge.upstream);
  }
  const found = new Map<string, SourceObservation>();
  const key = request.partition;
  // Listed keys, or a key of a selected asset (`2026-11-20|GSCO`) that is not a date and may be no
  // key of a source by session: observe the source partitions those partitions read.
  const upstreamOfKeys = request.keys
    ? partitionsUpstreamOf(definitions, listedSeeds(definitions, assets, request.keys))
    : key && tryParseDay(key) === undefined
      ? partitionsUpstreamOf(definitions, keySeeds(definitions, assets, key))
      : undefined;
  for (const id of reach) {
    const source = definitions.assets[id]!;
    if (source.kind !== 'source') continue;
    const where = request.where ?? {};
    const keys = request.keys ? (upstreamOfKeys!.get(id) ?? new Set<number>()) : upstreamOfKeys && source.partitions.tryIndexOf(key!) < 0 ? upstreamOfKeys.get(id) : undefined;
    const subset = keys
      ? [...keys].sort((a, b) => a - b).map((index) => source.partitions.keyAt(index))
      : requestedSubset(source.partitions, hasDimensions(source.partitions, where) ? request : { ...request, where: {} });
    const observed = await engine.observer.observeAll(source, subset);
    const present = observed.filter((o) => o.status === 'present');
    for (const observation of observed) found.set(`${source.key}\u0000${observation.partition}`, observation);
    if (present.length > 0) await engine.store.recordObservations(present.map(toObservation));
  }
  return found;
}

export function toObservation(observation: SourceObservation & { status: 'present' }): Observation {
  return {
    asset: observation.asset,
    partition: observation.partition,
    dataVersion: observation.dataVersion,
    bytes: observation.bytes,
    mtime: observation.mtimeMs,
    location: observation.path,
  };
}

/** The selected assets' partition `key`, as [asset id, index] pairs. */
function keySeeds(definitions: Definitions, assets: readonly number[], key: string): [number, number][] {
  return assets.map((id): [number, number] => [id, definitions.assets[id]!.partitions.tryIndexOf(key)]).filter(([, index]) => index >= 0);
}

/** The partitions `request.keys` lists for the selected assets, as [asset id, index] pairs. */
function listedSeeds(definitions: Definitions, assets: readonly number[], keys: Readonly<Record<string, readonly string[]>>): [number, number][] {
  return assets.flatMap((id) => {
    const { key, partitions } = definitions.assets[id]!;
    return [...listedSubset(key, partitions, keys[key] ?? []).indexes()].map((index): [number, number] => [id, index]);
  });
}

/** Every partition upstream of the seeds (theirs included), by asset id, through the dependency mappings. */
function partitionsUpstreamOf(definitions: Definitions, seeds: [number, number][]): Map<number, Set<number>> {
  const reached = new Map<number, Set<number>>();
  const stack = seeds;
  while (stack.length > 0) {
    const [id, index] = stack.pop()!;
    let seen = reached.get(id);
    if (!seen) reached.set(id, (seen = new Set()));
    if (seen.has(index)) continue;
    seen.add(index);
    for (const edge of definitions.depsOf(id)) edge.mapping.forEachUpstream(index, (upstream) => stack.push([edge.upstream, upstream]));
  }
  return reached;
}
