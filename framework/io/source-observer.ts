import { stat } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { AssetDefinition } from '../definitions/asset.ts';
import { PartitionSubset } from '../partitions/subset.ts';
import { DefinitionError, MaterializationError, type DaybookErrorCode } from '../util/errors.ts';
import { fileDataVersion } from './content-hash.ts';
import { partitionValues, SINGLE_DIMENSION } from './partition-values.ts';

/** The formats a source file can have. */
export type SourceFormat = 'csv' | 'jsonl' | 'parquet';

/** A source partition whose file is there, with the data version of its content. */
export interface PresentSource {
  readonly status: 'present';
  readonly asset: string;
  readonly partition: string;
  readonly path: string;
  readonly format: SourceFormat;
  /** The file's content hash (fileDataVersion: `sha256:…`, or `sha256-chunked:…` over 16 MiB): a corrected re-send is a new version. */
  readonly dataVersion: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** A source partition whose file has not arrived (or is still arriving): its step waits. */
export interface MissingSource {
  readonly status: 'missing';
  readonly asset: string;
  readonly partition: string;
  /** The expected path; for a `.*` pattern, with `.*` as the extension. */
  readonly path: string;
  /** `file not arrived: <path>`, or `file still being written: <path>`. */
  readonly message: string;
}

/** A source partition that cannot be observed: two files for one `.*` pattern, or an unreadable file. */
export interface InvalidSource {
  readonly status: 'invalid';
  readonly asset: string;
  readonly partition: string;
  readonly path: string;
  readonly error: MaterializationError;
}

/** What observing one source partition found. */
export type SourceObservation = PresentSource | MissingSource | InvalidSource;

/** A source asset: its key, partitions and landing location. */
export type ObservedSource = Pick<AssetDefinition, 'key' | 'partitions' | 'location'>;

export interface SourceObserverOptions {
  /** The landing directory that source patterns are relative to. */
  landing: string;
  /** How many files are hashed at once. */
  concurrency?: number;
}

export interface SourceObserver {
  readonly landing: string;
  /** The path a partition's file is expected at (for a `.*` pattern, ending in `.*`). Throws a PartitionError for a bad key. */
  expectedPath(source: ObservedSource, partition: string): string;
  /** Observes one partition. Throws a PartitionError for a key the source does not have. */
  observe(source: ObservedSource, partition: string): Promise<SourceObservation>;
  /** Observes the given partitions (every partition by default), in the order given; bad keys throw before any file is read. */
  observeAll(source: ObservedSource, partitions?: Iterable<string> | PartitionSubset): Promise<SourceObservation[]>;
}

/** The extensions a `.*` pattern tries, and what each means. */
const EXTENSIONS: readonly (readonly [string, SourceFormat])[] = [
  ['.csv', 'csv'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.parquet', 'parquet'],
];

/**
 * Observes source partitions in a landing directory: fills the source's pattern from each key,
 * finds the file and hashes its content into a data version.
 *
 * @example
 * const observer = createSourceObserver({ landing: 'landing' });
 * const seen = await observer.observe(brokerExecutions, '2026-11-20|GSCO');
 * if (seen.status === 'missing') console.log(seen.message); // file not arrived: landing/executions/GSCO/2026-11-20.csv
 */
export function createSourceObserver({ landing, concurrency = 8 }: SourceObserverOptions): SourceObserver {
  const root = resolve(landing);

  const expectedPath = (source: ObservedSource, partition: string): string => {
    const location = source.location;
    if (location === undefined) {
      throw new DefinitionError('invalid-definition', `asset "${source.key}" is not a source: it has no location to observe`, {
        asset: source.key,
        field: 'location',
      });
    }
    const values = new Map(partitionValues(source, partition).map(({ name, value }) => [name, value]));
    // A single-dimension source may name its placeholder {date} or {partition}.
    if (values.has(SINGLE_DIMENSION)) values.set('date', values.get(SINGLE_DIMENSION)!);
    const filled = location.pattern.replace(/\{([^}]*)\}/g, (_, name: string) => {
      const value = values.get(name);
      if (value === undefined) {
        throw new DefinitionError('invalid-definition', `asset "${source.key}": placeholder {${name}} in "${location.pattern}" is not a partition dimension`, {
          asset: source.key,
          partition,
          field: 'location.pattern',
        });
      }
      return value;
    });
    const path = join(landing, filled);
    const inside = relative(root, resolve(path));
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new DefinitionError('invalid-definition', `asset "${source.key}" partition ${JSON.stringify(partition)}: ${path} is outside the landing directory ${root}`, {
        asset: source.key,
        partition,
        field: 'location.pattern',
      });
    }
    return path;
  };

  const observe = async (source: ObservedSource, partition: string): Promise<SourceObservation> => {
    const path = expectedPath(source, partition);
    const base = { asset: source.key, partition };
    const invalid = (message: string, field: string, cause?: unknown, code: DaybookErrorCode = 'materialization-failed'): InvalidSource => ({
      status: 'invalid',
      ...base,
      path: field,
      error: new MaterializationError(code, `asset "${source.key}" partition ${JSON.stringify(partition)}: ${message}`, {
        ...base,
        field,
        cause,
      }),
    });

    const candidates: (readonly [string, SourceFormat])[] = path.endsWith('.*')
      ? EXTENSIONS.map(([extension, format]) => [path.slice(0, -2) + extension, format] as const)
      : [[path, source.location!.format ?? 'csv']];
    const found: { path: string; format: SourceFormat }[] = [];
    for (const [candidate, format] of candidates) {
      try {
        const stats = await stat(candidate);
        if (!stats.isFile()) return invalid(`${candidate} is not a regular file`, candidate);
        found.push({ path: candidate, format });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return invalid(`cannot read ${candidate}: ${(error as Error).message}`, candidate, error);
      }
    }
    if (found.length === 0) return { status: 'missing', ...base, path, message: `file not arrived: ${path}` };
    if (found.length > 1) {
      const paths = found.map((file) => file.path);
      return invalid(`${paths.join(' and ')} both match ${path}; remove all but one`, paths[0]!, undefined, 'ambiguous-source');
    }
    const { path: file, format } = found[0]!;
    try {
      const before = await stat(file);
      const { dataVersion, bytes } = await fileDataVersion(file);
      const after = await stat(file);
      // A file still being copied in would get a version of half its content: wait for it instead.
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytes !== after.size) {
        return { status: 'missing', ...base, path: file, message: `file still being written: ${file}` };
      }
      return { status: 'present', ...base, path: file, format, dataVersion, bytes, mtimeMs: after.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', ...base, path, message: `file not arrived: ${path}` };
      return invalid(`cannot read ${file}: ${(error as Error).message}`, file, error);
    }
  };

  return {
    landing,
    expectedPath,
    observe,
    async observeAll(source, partitions) {
      const keys = keysOf(source, partitions);
      for (const key of keys) expectedPath(source, key);
      return mapBounded(keys, concurrency, (key) => observe(source, key));
    },
  };
}

function keysOf(source: ObservedSource, partitions: Iterable<string> | PartitionSubset | undefined): string[] {
  const definition = source.partitions;
  if (partitions === undefined) return Array.from({ length: definition.size() }, (_, index) => definition.keyAt(index));
  if (partitions instanceof PartitionSubset) return Array.from(partitions.indexes(), (index) => definition.keyAt(index));
  return [...partitions];
}

/** Maps with at most `limit` calls in flight, keeping the input order in the result. */
async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
