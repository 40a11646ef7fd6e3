import { join } from 'node:path';
import { formatDay, timeWindows, tryParseDay } from '../../../framework/index.ts';
import { createRandom, type Random } from '../../northbridge/generator/random.ts';
import { csvField, writeTextFile } from '../../northbridge/generator/text-file.ts';
import { DATASETS, REQUEST_FIELDS, RULES, SCAN_FIELDS, TIME_ZONE, type PRIORITIES } from '../partitions.ts';

export interface GenerateWeeklyOptions {
  /** The landing directory; files go under `weekly/` in it, as the sources expect them. */
  root: string;
  /** First and last New York days, inclusive: each gets a scan-results file and its 15-minute request files. */
  from: string;
  to: string;
  /** Volume: scans run 4 × scale times a day per dataset and rule; about 3 × scale requests a quarter hour in office hours. */
  scale?: number;
  seed?: number;
  /** Only the request windows that ended by this instant (epoch ms), and scan files of the days that ended; default all. */
  endedBy?: number;
  onFile?: (file: LandedFile) => void;
}

/** One file written, with its path relative to the root. */
export interface LandedFile {
  readonly path: string;
  readonly kind: 'scans' | 'requests';
  /** The source partition: a day, or a window key (`2026-11-20T14:15`). */
  readonly partition: string;
  readonly rows: number;
}

/** One request as the queue job should see it, once. */
export interface QueuedRequest {
  readonly requestId: string;
  readonly window: string;
  readonly status: 'accepted' | 'rejected';
}

export interface WeeklySummary {
  readonly root: string;
  readonly days: readonly string[];
  readonly files: readonly LandedFile[];
  readonly requests: readonly QueuedRequest[];
}

/** The path of a day's scan results, relative to the landing directory. */
export const scansPath = (date: string): string => `weekly/scans/${date}.csv`;
/** The path of a request window's file, relative to the landing directory. */
export const requestsPath = (window: string): string => `weekly/requests/${window}.csv`;

const ANALYSTS = ['ana.lima', 'ben.ortiz', 'chloe.wu', 'dev.patel', 'eva.nagy', 'farid.aziz', 'grace.kim', 'hugo.berg'];
const TYPOS: readonly string[] = ['sales.ordrs', 'crm.acounts', 'web.page_views'];

/**
 * Writes seeded, deterministic landing data for the weekly quality job: each New York day's scan
 * results, and one request file per 15-minute window of the day (23, 24 or 25 hours of them across
 * daylight-saving changes). A file depends only on the seed, the scale and its day or window.
 *
 * @example
 * await generateWeeklyLanding({ root: 'landing', from: '2026-11-15', to: '2026-11-21' });
 */
export async function generateWeeklyLanding({ root, from, to, scale = 1, seed = 1, endedBy = Infinity, onFile }: GenerateWeeklyOptions): Promise<WeeklySummary> {
  const first = tryParseDay(from);
  const last = tryParseDay(to);
  if (first === undefined || last === undefined) throw new Error(`from and to: expected dates YYYY-MM-DD, got ${JSON.stringify(from)} and ${JSON.stringify(to)}`);
  if (first > last) throw new Error(`from (${from}) is after to (${to})`);
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`scale: expected a positive number, got ${scale}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  const end = formatDay(last + 1);
  const days = timeWindows({ cadence: 'daily', start: from, end, timeZone: TIME_ZONE });
  const windows = timeWindows({ cadence: '15-minute', start: `${from}T00:00`, end, timeZone: TIME_ZONE });
  const files: LandedFile[] = [];
  const requests: QueuedRequest[] = [];
  const land = async (file: LandedFile, lines: readonly string[]) => {
    await writeTextFile(join(root, file.path), lines);
    files.push(file);
    onFile?.(file);
  };
  for (let index = 0; index < days.size(); index++) {
    if (days.time!.windowEnd(index) > endedBy) break;
    const date = days.keyAt(index);
    const rows = dayScans({ seed, scale, date, start: days.time!.windowStart(index), end: days.time!.windowEnd(index) });
    await land({ path: scansPath(date), kind: 'scans', partition: date, rows: rows.length }, [SCAN_FIELDS.join(','), ...rows]);
  }
  for (let index = 0; index < windows.size(); index++) {
    const start = windows.time!.windowStart(index);
    if (windows.time!.windowEnd(index) > endedBy) break;
    const window = windows.keyAt(index);
    const queued = windowRequests(seed, scale, window, start);
    requests.push(...queued.requests);
    await land({ path: requestsPath(window), kind: 'requests', partition: window, rows: queued.lines.length }, [REQUEST_FIELDS.join(','), ...queued.lines]);
  }
  return { root, days: Array.from({ length: days.size() }, (_, k) => days.keyAt(k)), files, requests };
}

/** A scan of every dataset by every rule, 4 × scale times a day (a day of `start` to `end`, epoch ms); each dataset fails at its own typical rate. */
function dayScans({ seed, scale, date, start, end }: { seed: number; scale: number; date: string; start: number; end: number }): string[] {
  const random = createRandom(seed, `scans/${date}`);
  const runs = Math.max(1, Math.round(4 * scale));
  const lines: string[] = [];
  DATASETS.forEach((dataset, d) => {
    const profile = createRandom(seed, `dataset/${dataset}`);
    const size = 10_000 + profile.int(2_000_000);
    const failureRate = [0.0001, 0.002, 0.02, 0.08][profile.int(4)]!;
    for (const rule of RULES) {
      for (let run = 0; run < runs; run++) {
        const scanned = Math.round(size * (0.9 + 0.2 * random.next()));
        const failed = random.chance(0.6) ? 0 : Math.min(scanned, Math.round(scanned * failureRate * 2 * random.next()));
        const at = Math.min(end - 1_000, start + Math.floor(((run + random.next()) * (end - start)) / runs));
        const id = `scan-${date.replaceAll('-', '')}-${String(lines.length + 1).padStart(5, '0')}`;
        lines.push([id, d % 3 === 0 ? dataset.toUpperCase() : dataset, rule, scanned, failed, utcText(at)].join(','));
      }
    }
  });
  return lines;
}

/** The requests of one window: office hours in New York are busy, nights mostly empty. */
function windowRequests(seed: number, scale: number, window: string, start: number): { lines: string[]; requests: QueuedRequest[] } {
  const random = createRandom(seed, `requests/${window}`);
  const hour = Number(window.slice(11, 13));
  const mean = 3 * scale * (hour >= 9 && hour < 18 ? 1 : 0.1);
  const count = Math.floor(mean * 2 * random.next() + random.next());
  const stamp = new Date(start).toISOString().slice(0, 16).replaceAll(/[-:T]/g, '');
  const lines: string[] = [];
  const requests: QueuedRequest[] = [];
  const times = Array.from({ length: count }, () => start + random.int(15 * 60_000)).sort((a, b) => a - b);
  times.forEach((at, n) => {
    const requestId = `rq-${stamp}-${String(n + 1).padStart(3, '0')}`;
    const typo = random.chance(0.05);
    const dataset = typo ? random.pick(TYPOS) : random.pick(DATASETS);
    const rule = random.chance(0.5) ? '' : random.chance(0.04) ? 'uniq' : random.pick(RULES);
    const line = [requestId, dataset, rule, ` ${random.pick(ANALYSTS)}@example.com`, pickPriority(random), utcText(at)].map((value) => csvField(String(value))).join(',');
    lines.push(line);
    // The intake service sometimes writes a request twice when the analyst clicks twice.
    if (random.chance(0.02)) lines.push(line);
    requests.push({ requestId, window, status: typo || rule === 'uniq' ? 'rejected' : 'accepted' });
  });
  return { lines, requests };
}

function pickPriority(random: Random): (typeof PRIORITIES)[number] {
  const roll = random.int(10);
  return roll === 0 ? 'high' : roll < 3 ? 'low' : 'normal';
}

/** UTC without an offset, as the scanners and the intake service write times. */
function utcText(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}
