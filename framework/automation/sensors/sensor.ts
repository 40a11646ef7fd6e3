import type { AssetDefinition } from '../../definitions/asset.ts';
import type { Engine } from '../../executor/engine.ts';
import { userKeyProblem } from '../../partitions/definitions/keys.ts';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import { DefinitionError } from '../../util/errors.ts';

/** What a sensor's cursor remembers of one file or object it has seen. */
export interface SensorFile {
  readonly asset: string;
  readonly partition: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The S3 ETag, for objects. */
  readonly etag: string | undefined;
  /** The data version of the content, as the source observer hashed it. */
  readonly dataVersion: string;
}

/** A file or object whose fingerprint differs from the cursor's: the runner hashes it to decide. */
export interface SensorCandidate {
  /** The cursor's key: the path relative to the landing directory, or the S3 object key. */
  readonly path: string;
  /** The landed file, relative to the landing directory, that the source observer reads. */
  readonly file: string;
  readonly source: AssetDefinition;
  readonly partition: string;
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * The ETag of an S3 object, whose listing gives its fingerprint; undefined for a file in the
   * landing directory, whose fingerprint is then the size and mtime its hash was taken at.
   */
  readonly etag?: string | undefined;
}

/** A file a sensor cannot take: a name that is no partition key, no source's pattern, an unreadable file. */
export interface SensorProblem {
  readonly path: string;
  readonly message: string;
}

/** What one scan found against the cursor. */
export interface SensorScan {
  readonly candidates: readonly SensorCandidate[];
  /** Cursor paths that are gone (deleted files, deleted objects): dropped from the cursor. */
  readonly gone: readonly string[];
  readonly problems: readonly SensorProblem[];
}

/** What a scan is given: the engine, the sources to look for, and the cursor's files by path. */
export interface SensorScanContext {
  readonly engine: Engine;
  readonly sources: readonly AssetDefinition[];
  readonly files: ReadonlyMap<string, SensorFile>;
}

/** A sensor: a name (its cursor's key in the store), the sources it watches, and how it finds changes. */
export interface SensorDefinition {
  readonly name: string;
  readonly kind: 'landing' | 's3';
  /** Selection of the sources to watch (selection syntax); assets that are not sources are ignored. */
  readonly sources: string;
  /** Lists what differs from the cursor by a cheap fingerprint; hashes nothing. */
  scan(context: SensorScanContext): Promise<SensorScan>;
}

/** A file whose content is new to the sensor. */
export interface SensorDetection {
  readonly path: string;
  readonly asset: string;
  readonly partition: string;
  readonly change: 'new' | 'changed';
  readonly dataVersion: string;
}

/** A run to launch: `materialize(engine, { selection, partitions })`, then `markSensorRequested()` with its events. */
export interface SensorRequest {
  /** The source and everything downstream of it, e.g. `northbridge/broker-executions+`. */
  readonly selection: string;
  readonly partitions: PartitionRequest;
  /** The detections (sensor_events ids) this request covers. */
  readonly events: readonly string[];
}

/** The cursor's state after a tick. */
export interface SensorCursor {
  /** Bumped by every advance; 0 before the first. */
  readonly generation: number;
  /** Files (or objects) the cursor holds. */
  readonly files: number;
  /** When the cursor last advanced, epoch ms. */
  readonly updatedAt: number | undefined;
}

/** What one tick of a sensor did. */
export interface SensorResult {
  readonly detected: readonly SensorDetection[];
  /** Runs to launch for every detection not yet marked requested, this tick's and any left by a crash. */
  readonly requests: readonly SensorRequest[];
  readonly problems: readonly SensorProblem[];
  readonly cursor: SensorCursor;
}

/** Refuses a sensor name that cannot key a cursor: the same rule as user-chosen partition keys. */
export function assertSensorName(name: unknown, kind: string): asserts name is string {
  const problem = userKeyProblem(name);
  if (problem !== undefined) {
    throw new DefinitionError('invalid-definition', `${kind} sensor ${JSON.stringify(name)}: invalid name: ${problem}`, { field: 'name' });
  }
}
