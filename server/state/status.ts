// Partition statuses as the API reports them, as small integer codes in typed arrays.
import { reasonName } from '../../framework/index.ts';

export type PartitionStatusName = 'fresh' | 'stale' | 'missing' | 'failed' | 'running';

export const FRESH = 0;
export const STALE = 1;
export const MISSING = 2;
export const FAILED = 3;
export const RUNNING = 4;
/** Not a status of a partition: its window has not ended, so it is not due yet (grid only). */
export const NOT_DUE = 5;

export const STATUS_NAMES: readonly PartitionStatusName[] = ['fresh', 'stale', 'missing', 'failed', 'running'];
/** One character per status code, for the grid: fresh, stale, missing, failed (x), running, not due (-). */
export const STATUS_CHARS = 'fsmxr-';

/** The status code each planner reason code stands for (fresh, missing, code or upstream changed, failed, forced). */
export const STATUS_OF_REASON: Uint8Array = Uint8Array.from({ length: 16 }, (_, code) => {
  const name = reasonName(code);
  if (name === undefined) return FRESH;
  if (name === 'missing') return MISSING;
  if (name === 'failed') return FAILED;
  return STALE;
});

/** Combines the statuses of several partitions: failed, then running, missing, stale, fresh. */
export function worstStatus(counts: readonly number[]): number {
  for (const status of [FAILED, RUNNING, MISSING, STALE]) if (counts[status]! > 0) return status;
  return FRESH;
}
