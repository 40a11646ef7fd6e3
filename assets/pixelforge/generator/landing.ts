import { join } from 'node:path';
import { DAY_MS, formatDay, tryParseDay } from '../../../framework/index.ts';
import { createRandom } from '../../northbridge/generator/random.ts';
import { writeTextFile } from '../../northbridge/generator/text-file.ts';
import { CONTROL_FIELDS, FORMATS } from '../partitions.ts';
import { uploaders, WINDOW_MS, windowUploads, type Upload } from './uploads.ts';

export interface GenerateUploadsOptions {
  /** The landing directory; files go under `pixelforge/` in it, as the sources expect them. */
  root: string;
  /** First and last UTC days, inclusive; each gets 96 manifests and a control file. */
  from: string;
  to: string;
  /** Volume: about 40 × scale uploads in a quarter hour at the afternoon peak, some 2,400 × scale a day. */
  scale?: number;
  seed?: number;
  /**
   * Uploads per day whose manifest lines are held back, to land later with `deliverLate()`: the
   * control file counts them, so the day does not reconcile until they land. Default 0.
   */
  late?: number;
  /** Only the windows that ended by this instant (epoch ms), and control files of the days that ended; default every window. */
  endedBy?: number;
  /** Called after each file is in place. */
  onFile?: (file: LandedFile) => void;
}

/** One file written, with its path relative to the root. */
export interface LandedFile {
  readonly path: string;
  readonly kind: 'manifest' | 'control';
  /** The source partition: a window key (`2026-11-20T14:15`) or a day. */
  readonly partition: string;
  /** Manifest lines, or control rows. */
  readonly rows: number;
}

export interface UploadsSummary {
  readonly root: string;
  readonly days: readonly string[];
  readonly files: readonly LandedFile[];
  /** Every file uploaded in the windows written, late ones included, in upload order. */
  readonly uploads: readonly Upload[];
  /** The uploads held back, by window key. */
  readonly held: ReadonlyMap<string, readonly Upload[]>;
}

/** The path of a window's manifest, relative to the landing directory. */
export const manifestPath = (window: string): string => `pixelforge/uploads/${window}.jsonl`;
/** The path of a day's control file, relative to the landing directory. */
export const controlPath = (date: string): string => `pixelforge/control/${date}.csv`;

/**
 * Writes seeded, deterministic upload manifests, one per 15-minute window of each UTC day in
 * [from, to], and each day's control file. A window's manifest depends only on the seed, the scale
 * and the window, so a range and its parts give the same bytes. Files are written under hidden
 * names and renamed into place.
 *
 * @example
 * await generateUploads({ root: 'landing', from: '2026-11-20', to: '2026-11-21' });
 */
export async function generateUploads({ root, from, to, scale = 1, seed = 1, late = 0, endedBy = Infinity, onFile }: GenerateUploadsOptions): Promise<UploadsSummary> {
  const days = daysBetween(from, to);
  checkOptions({ scale, seed, late });
  const users = uploaders(seed, scale);
  const files: LandedFile[] = [];
  const uploads: Upload[] = [];
  const held = new Map<string, readonly Upload[]>();
  const land = async (file: LandedFile, lines: readonly string[]) => {
    await writeTextFile(join(root, file.path), lines);
    files.push(file);
    onFile?.(file);
  };
  for (const date of days) {
    const { windows, lateWindows } = dayUploads({ date, seed, scale, late, users });
    for (const [window, { start, uploads: landed }] of windows) {
      if (start + WINDOW_MS > endedBy) break;
      const back = lateWindows.has(window) ? landed.slice(-1) : [];
      const lines = landed.slice(0, landed.length - back.length).flatMap((upload) => upload.lines);
      await land({ path: manifestPath(window), kind: 'manifest', partition: window, rows: lines.length }, lines);
      uploads.push(...landed);
      if (back.length > 0) held.set(window, back);
    }
    if (Date.parse(`${date}T00:00:00Z`) + DAY_MS > endedBy) continue;
    const all = [...windows.values()].flatMap((window) => window.uploads);
    const rows = FORMATS.map((format) => {
      const ofFormat = all.filter((upload) => upload.format === format);
      return [date, format, ofFormat.length, ofFormat.reduce((sum, upload) => sum + upload.bytes, 0)].join(',');
    });
    await land({ path: controlPath(date), kind: 'control', partition: date, rows: rows.length }, [CONTROL_FIELDS.join(','), ...rows]);
  }
  return { root, days, files, uploads, held };
}

export interface DeliverLateOptions {
  root: string;
  from: string;
  to: string;
  scale?: number;
  seed?: number;
  /** The `late` the days were generated with. */
  late: number;
}

/**
 * Lands the lines `generateUploads({ late })` held back: each affected window's manifest is written
 * again, complete, with the late line last, as the upload service appends it. Returns the files written.
 */
export async function deliverLate({ root, from, to, scale = 1, seed = 1, late }: DeliverLateOptions): Promise<LandedFile[]> {
  checkOptions({ scale, seed, late });
  const users = uploaders(seed, scale);
  const files: LandedFile[] = [];
  for (const date of daysBetween(from, to)) {
    const { windows, lateWindows } = dayUploads({ date, seed, scale, late, users });
    for (const window of lateWindows) {
      const lines = windows.get(window)!.uploads.flatMap((upload) => upload.lines);
      await writeTextFile(join(root, manifestPath(window)), lines);
      files.push({ path: manifestPath(window), kind: 'manifest', partition: window, rows: lines.length });
    }
  }
  return files;
}

/** A day's windows with their uploads, and which windows hold back their last upload. */
function dayUploads({ date, seed, scale, late, users }: { date: string; seed: number; scale: number; late: number; users: readonly string[] }) {
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const windows = new Map<string, { start: number; uploads: Upload[] }>();
  for (let start = dayStart; start < dayStart + DAY_MS; start += WINDOW_MS) {
    windows.set(new Date(start).toISOString().slice(0, 16), { start, uploads: windowUploads({ seed, scale, start, users }) });
  }
  // A window keeps at least one line, so its manifest is never empty.
  const candidates = [...windows].filter(([, window]) => window.uploads.length > 1).map(([key]) => key);
  const random = createRandom(seed, `late/${date}`);
  const lateWindows = new Set<string>();
  while (lateWindows.size < Math.min(late, candidates.length)) lateWindows.add(random.pick(candidates));
  return { windows, lateWindows: new Set([...windows.keys()].filter((key) => lateWindows.has(key))) };
}

function daysBetween(from: string, to: string): string[] {
  const first = tryParseDay(from);
  const last = tryParseDay(to);
  if (first === undefined) throw new Error(`from: expected a date YYYY-MM-DD, got ${JSON.stringify(from)}`);
  if (last === undefined) throw new Error(`to: expected a date YYYY-MM-DD, got ${JSON.stringify(to)}`);
  if (first > last) throw new Error(`from (${from}) is after to (${to})`);
  return Array.from({ length: last - first + 1 }, (_, k) => formatDay(first + k));
}

function checkOptions({ scale, seed, late }: { scale: number; seed: number; late: number }): void {
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`scale: expected a positive number, got ${scale}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  if (!Number.isInteger(late) || late < 0) throw new Error(`late: expected a whole number, got ${late}`);
}
