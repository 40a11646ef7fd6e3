import type { SourceObservation } from '../io/source-observer.ts';
import { hasDimensions, requestedSubset, type PartitionRequest } from '../planner/partition-request.ts';
import type { Observation } from '../store/writes.ts';
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
  for (const id of reach) {
    const source = definitions.assets[id]!;
    if (source.kind !== 'source') continue;
    const where = request.where ?? {};
    const subset = requestedSubset(source.partitions, hasDimensions(source.partitions, where) ? request : { ...request, where: {} });
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

