/** Why a step is in a plan. */
export type StepReason = 'missing' | 'code-changed' | 'upstream-changed' | 'failed' | 'forced';

/** Reason codes as stored in a plan's Uint8Array per asset; 0 means the partition is fresh. */
export const FRESH = 0;
export const MISSING = 1;
export const CODE_CHANGED = 2;
export const UPSTREAM_CHANGED = 3;
export const FAILED = 4;
export const FORCED = 5;

const NAMES: readonly (StepReason | undefined)[] = [undefined, 'missing', 'code-changed', 'upstream-changed', 'failed', 'forced'];

export function reasonName(code: number): StepReason | undefined {
  return NAMES[code];
}
