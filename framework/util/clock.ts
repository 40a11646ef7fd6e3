/** The one source of the current time, so that tests can move it. Pure code takes times as arguments instead. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stays where it is set; for tests. */
export function fixedClock(epochMs: number): Clock & { set(epochMs: number): void } {
  let current = epochMs;
  return {
    now: () => current,
    set: (next) => {
      current = next;
    },
  };
}
