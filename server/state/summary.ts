// Status counts and run-length ranges of an asset's expected partitions, computed in one pass over
// the typed arrays and cached until the asset's statuses change.
import type { IndexedAsset, PartitionIndex } from './partition-index.ts';
import { FAILED, NOT_DUE, RUNNING, STATUS_CHARS, STATUS_OF_REASON } from './status.ts';

/** Counts by status code, and runs of equal status over `[0, expected)`. */
export interface StatusSummary {
  readonly expected: number;
  /** Indexed by status code: fresh, stale, missing, failed, running. */
  readonly counts: readonly number[];
  /** `[start, end, status, start, end, status, …]`, at most `maxRanges` runs. */
  readonly ranges: readonly number[];
  readonly truncated: boolean;
}

/** Per asset and range limit: the summary, and the asset generation and plan it was computed from. */
const cache = new WeakMap<IndexedAsset, Map<number, { generation: number; plan: unknown; expected: number; summary: StatusSummary }>>();

/** The summary of an asset's first `expected` partitions; one scan per change, then cached. */
export function summarize(index: PartitionIndex, entry: IndexedAsset, expected: number, maxRanges: number): StatusSummary {
  let byLimit = cache.get(entry);
  if (!byLimit) cache.set(entry, (byLimit = new Map()));
  const cached = byLimit.get(maxRanges);
  if (cached && cached.generation === entry.generation && cached.plan === index.plan && cached.expected === expected) return cached.summary;
  const reasons = index.plan.reasons[entry.id]!;
  const failed = entry.state.failed;
  const counts = [0, 0, 0, 0, 0];
  const ranges: number[] = [];
  let truncated = false;
  let runStart = 0;
  let runStatus = -1;
  for (let i = 0; i < expected; i++) {
    const status = entry.running.size > 0 && entry.running.has(i) ? RUNNING : failed[i] === 1 ? FAILED : STATUS_OF_REASON[reasons[i]!]!;
    counts[status]!++;
    if (status !== runStatus) {
      if (runStatus >= 0) truncated = pushRange(ranges, runStart, i, runStatus, maxRanges) || truncated;
      runStart = i;
      runStatus = status;
    }
  }
  if (runStatus >= 0) truncated = pushRange(ranges, runStart, expected, runStatus, maxRanges) || truncated;
  const summary = { expected, counts, ranges, truncated };
  if (byLimit.size > 8) byLimit.clear();
  byLimit.set(maxRanges, { generation: entry.generation, plan: index.plan, expected, summary });
  return summary;
}

function pushRange(ranges: number[], start: number, end: number, status: number, maxRanges: number): boolean {
  if (ranges.length / 3 >= maxRanges) return true;
  ranges.push(start, end, status);
  return false;
}

/** One status character per partition from `offset` (`-` past `expected`: not due yet). */
export function statusCodes(index: PartitionIndex, entry: IndexedAsset, expected: number, offset: number, count: number): string {
  const bytes = Buffer.allocUnsafe(count);
  const chars = [...STATUS_CHARS].map((char) => char.charCodeAt(0));
  for (let i = 0; i < count; i++) {
    const at = offset + i;
    bytes[i] = chars[at < expected ? index.statusAt(entry, at) : NOT_DUE]!;
  }
  return bytes.toString('latin1');
}
