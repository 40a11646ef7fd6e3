import { resolve } from 'node:path';
import type { AssetDefinition } from '../../definitions/asset.ts';
import { selectAssets } from '../../definitions/selection.ts';
import type { Engine } from '../../executor/engine.ts';
import { toObservation } from '../../executor/observe-sources.ts';
import type { PresentSource, SourceObservation } from '../../io/source-observer.ts';
import { newId } from '../../store/ids.ts';
import type { MetadataStore } from '../../store/store.ts';
import { DefinitionError } from '../../util/errors.ts';
import type { SensorCandidate, SensorDefinition, SensorFile, SensorProblem, SensorRequest, SensorResult } from './sensor.ts';
import { groupRequests } from './sensor-requests.ts';
import { advanceSensor, loadSensorState, markDetectionsRequested, pendingDetections, type RecordedDetection, type SensorState } from './sensor-state.ts';

export interface RunSensorOptions {
  engine: Engine;
  sensor: SensorDefinition;
  /** The store holding the cursor; default the engine's. */
  store?: MetadataStore;
  /** Now, epoch ms; default the store's clock. */
  now?: number;
}

/** Each sensor definition's cursor, as last loaded or advanced, and the store it came from. */
const cursors = new WeakMap<SensorDefinition, { store: MetadataStore; state: SensorState }>();

/**
 * Runs one tick of a sensor: scans for files whose size or mtime (or ETag) differs from its cursor,
 * hashes only those through the engine's source observer, and records what is new in one
 * transaction: the source observations, a sensor_events row per detection, and the cursor. A file
 * with the same bytes as before (touched, or re-uploaded) moves the cursor and is no detection.
 * Returns the detections, problems (bad names, unreadable files), and the runs to request for every
 * detection not yet marked requested: after a crash between detection and launch they come back.
 *
 * @example
 * const tick = await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) });
 * for (const request of tick.requests) {
 *   const run = await materialize(engine, { selection: request.selection, partitions: request.partitions, trigger: 'sensor' });
 *   await markSensorRequested({ store: engine.store, sensor: 'landing', events: request.events, runId: run.runId });
 * }
 */
export async function runSensor({ engine, sensor, store = engine.store, now = store.now() }: RunSensorOptions): Promise<SensorResult> {
  const sources = sensorSources(engine, sensor);
  const cached = cursors.get(sensor);
  const state = await loadSensorState(store, sensor.name, cached?.store === store ? cached.state : undefined, now);
  cursors.set(sensor, { store, state });
  const scan = await sensor.scan({ engine, sources, files: state.files });
  const problems: SensorProblem[] = [...scan.problems];
  const observed = await observeCandidates(engine, scan.candidates);

  const detections: RecordedDetection[] = [];
  const present: PresentSource[] = [];
  const files = new Map<string, SensorFile>();
  for (const candidate of scan.candidates) {
    const observation = observed.get(partitionId(candidate.source.key, candidate.partition))!;
    // Not arrived after all, or still being written: looked at again next tick.
    if (observation.status === 'missing') continue;
    if (observation.status === 'invalid') {
      problems.push({ path: candidate.path, message: observation.error.message });
      continue;
    }
    if (resolve(observation.path) !== resolve(engine.observer.landing, candidate.file)) {
      problems.push({ path: candidate.path, message: `${candidate.file}: source "${candidate.source.key}" reads ${observation.path} for partition ${JSON.stringify(candidate.partition)}, not this file` });
      continue;
    }
    const before = state.files.get(candidate.path);
    const landing = candidate.etag === undefined;
    files.set(candidate.path, {
      asset: candidate.source.key,
      partition: candidate.partition,
      // A landed file's fingerprint is the one its hash was taken at; an object's is its listing's.
      size: landing ? observation.bytes : candidate.size,
      mtimeMs: landing ? observation.mtimeMs : candidate.mtimeMs,
      etag: candidate.etag,
      dataVersion: observation.dataVersion,
    });
    if (before?.dataVersion === observation.dataVersion && before.asset === candidate.source.key && before.partition === candidate.partition) continue;
    present.push(observation);
    detections.push({
      id: newId(now),
      path: candidate.path,
      asset: candidate.source.key,
      partition: candidate.partition,
      change: before === undefined ? 'new' : 'changed',
      dataVersion: observation.dataVersion,
    });
  }

  if (files.size > 0 || scan.gone.length > 0) {
    const count = state.files.size + [...files.keys()].filter((path) => !state.files.has(path)).length - scan.gone.length;
    await advanceSensor(store, state, {
      observations: present.map(toObservation),
      detections,
      files,
      gone: scan.gone,
      summary: { kind: sensor.kind, files: count, ...(detections.length > 0 ? { lastDetectionAt: new Date(now).toISOString() } : {}) },
      now,
    });
  }
  const requests: SensorRequest[] = groupRequests(engine.definitions, await pendingDetections(store, sensor.name));
  return {
    detected: detections.map(({ path, asset, partition, change, dataVersion }) => ({ path, asset, partition, change, dataVersion })),
    requests,
    problems,
    cursor: { generation: state.generation, files: state.files.size, updatedAt: state.updatedAt },
  };
}

export interface MarkSensorRequestedOptions {
  store: MetadataStore;
  /** The sensor's name. */
  sensor: string;
  /** The request's `events`. */
  events: readonly string[];
  /** The run launched for them, when there is one. */
  runId?: string;
  now?: number;
}

/** Marks detections as requested, once their run is launched, so that later ticks stop returning them; returns how many it marked. */
export async function markSensorRequested({ store, sensor, events, runId, now = store.now() }: MarkSensorRequestedOptions): Promise<number> {
  if (events.length === 0) return 0;
  return markDetectionsRequested(store, sensor, events, runId, now);
}

/** The sources a sensor watches: its selection's assets that are sources with a location. */
function sensorSources({ definitions }: Engine, sensor: SensorDefinition): AssetDefinition[] {
  const sources = selectAssets(definitions, sensor.sources)
    .map((id) => definitions.assets[id]!)
    .filter((asset) => asset.kind === 'source' && asset.location !== undefined);
  if (sources.length === 0) {
    throw new DefinitionError('invalid-definition', `${sensor.kind} sensor "${sensor.name}": "${sensor.sources}" selects no source with a location to watch`, {
      field: 'sources',
    });
  }
  return sources;
}

/** Observes (hashes) each candidate's source partition once, a source's partitions together. */
async function observeCandidates(engine: Engine, candidates: readonly SensorCandidate[]): Promise<Map<string, SourceObservation>> {
  const bySource = new Map<AssetDefinition, Set<string>>();
  for (const { source, partition } of candidates) {
    const keys = bySource.get(source) ?? new Set();
    bySource.set(source, keys.add(partition));
  }
  const observed = new Map<string, SourceObservation>();
  for (const [source, keys] of bySource) {
    for (const observation of await engine.observer.observeAll(source, keys)) observed.set(partitionId(source.key, observation.partition), observation);
  }
  return observed;
}

const partitionId = (asset: string, partition: string) => `${asset}\u0000${partition}`;
