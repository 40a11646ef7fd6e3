import type { Dirent, Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSensorName, type SensorCandidate, type SensorDefinition, type SensorProblem } from './sensor.ts';
import { sourcePatterns } from './source-patterns.ts';

export interface LandingSensorOptions {
  /** Names the sensor's cursor in the store: letters, digits, `.`, `_` and `-`. */
  name: string;
  /** The sources to watch (selection syntax); default every source. */
  sources?: string;
}

/**
 * Stats synchronously, yielding to the event loop every this many files: a synchronous stat is two
 * to three times as fast as a promise's round trip through the thread pool, and yielding keeps the
 * daemon responsive during a long scan.
 */
const YIELD_EVERY = 2_000;

/**
 * A sensor on the engine's landing directory. Each tick walks the directories of the sources'
 * patterns (`executions/` for `executions/{broker}/{date}.csv`), stats every file, and hands on the
 * ones whose size or mtime differs from the cursor; the runner hashes those to tell a real change
 * from a touch. Hidden files (`.name`, such as the S3 sensor's and rsync's temporary files) are
 * skipped. A file that matches no pattern, or whose name is no partition key, is reported each tick
 * as a problem naming the file.
 *
 * @example
 * const sensor = landingSensor({ name: 'broker-files', sources: 'northbridge/broker-executions' });
 * const tick = await runSensor({ engine, sensor });
 */
export function landingSensor({ name, sources = '*' }: LandingSensorOptions): SensorDefinition {
  assertSensorName(name, 'landing');
  const sensor: SensorDefinition = {
    name,
    kind: 'landing',
    sources,
    async scan({ engine, sources: watched, files }) {
      const patterns = sourcePatterns(watched, engine.observer);
      const candidates: SensorCandidate[] = [];
      const problems: SensorProblem[] = [];
      let known = 0;
      const visit = (path: string, stats: Stats) => {
        const file = files.get(path);
        if (file !== undefined) {
          known++;
          if (file.size === stats.size && file.mtimeMs === stats.mtimeMs) return;
        }
        const match = patterns.match(path);
        if (match.problem !== undefined) problems.push({ path, message: `${path} ${match.problem}` });
        else candidates.push({ path, file: path, source: match.source, partition: match.partition, size: stats.size, mtimeMs: stats.mtimeMs });
      };
      const walkAll = async (each: (path: string, stats: Stats) => void) => {
        for (const root of patterns.roots) await walk(join(engine.observer.landing, root), root, each);
      };
      await walkAll(visit);
      // Every cursor file was there: nothing is gone. Otherwise (rarely: after a deletion) a second
      // walk tells which; keeping a set of every path on each tick would cost more than the walk.
      let gone: string[] = [];
      if (known !== files.size) {
        const present = new Set<string>();
        await walkAll((path) => present.add(path));
        gone = [...files.keys()].filter((path) => !present.has(path));
      }
      return { candidates, gone, problems };
    },
  };
  return Object.freeze(sensor);
}

/** Visits every regular file under a directory (none when it does not exist), with its path relative to the landing directory. */
async function walk(directory: string, prefix: string, visit: (path: string, stats: Stats) => void): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw error;
  }
  let statted = 0;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      await walk(`${directory}/${entry.name}`, path, visit);
      continue;
    }
    // A file removed since the listing is simply not there.
    const stats = statSync(`${directory}/${entry.name}`, { throwIfNoEntry: false });
    if (stats?.isFile()) visit(path, stats);
    if (++statted % YIELD_EVERY === 0) await new Promise((resume) => setImmediate(resume));
  }
}
