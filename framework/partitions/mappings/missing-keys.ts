/** How many missing keys a mapping names before it only counts the rest. */
export const NAMED_MISSING = 20;

// Keys that can only be enumerated one by one (per-dimension products, user functions) are
// deduplicated through a Set, so their exact count is bounded to keep memory bounded.
const COUNTED_MISSING = 100_000;

/**
 * Collects the upstream keys a mapping needs but that do not exist: the first NAMED_MISSING are
 * named, and the rest become one closing note, `… and 41 more`.
 */
export class MissingKeys {
  readonly #named: string[] = [];
  readonly #seen = new Set<string>();
  #unnamed = 0;
  #lowerBound = false;

  /** Adds a key, ignoring repeats. Returns false once the collector is full and further keys are not counted exactly. */
  add(key: string): boolean {
    if (this.#lowerBound) return false;
    if (this.#seen.has(key)) return true;
    if (this.#seen.size >= COUNTED_MISSING) {
      this.#lowerBound = true;
      return false;
    }
    this.#seen.add(key);
    if (this.#named.length < NAMED_MISSING) this.#named.push(key);
    else this.#unnamed++;
    return true;
  }

  /** Counts keys known to be distinct from every other key added, without naming them. */
  addUnnamed(count: number): void {
    this.#unnamed += count;
  }

  /** Marks the count as a lower bound (some missing keys could not be enumerated). */
  markIncomplete(): void {
    this.#lowerBound = true;
  }

  get size(): number {
    return this.#named.length;
  }

  result(): string[] {
    if (this.#unnamed === 0 && !this.#lowerBound) return this.#named;
    const note = this.#lowerBound ? `… and at least ${this.#unnamed} more` : `… and ${this.#unnamed} more`;
    return [...this.#named, note];
  }
}

/**
 * The missing keys of a mapping over an ordered axis, from the positions it needs. Positions are
 * upstream indexes that may fall outside `[0, size)`; `intervals` are half-open and sorted by start.
 * Positions are counted arithmetically, so a range of a million missing positions costs nothing.
 */
export function missingFromPositions(
  intervals: readonly number[],
  size: number,
  name: (position: number) => string,
): string[] {
  const missing = new MissingKeys();
  let covered = -Infinity;
  for (let i = 0; i < intervals.length; i += 2) {
    const start = Math.max(intervals[i]!, covered);
    const end = intervals[i + 1]!;
    if (end <= start) continue;
    covered = end;
    addOutside(missing, start, Math.min(end, 0), name);
    addOutside(missing, Math.max(start, size), end, name);
  }
  return missing.result();
}

function addOutside(missing: MissingKeys, start: number, end: number, name: (position: number) => string): void {
  let position = start;
  for (; position < end && missing.size < NAMED_MISSING; position++) missing.add(name(position));
  if (position < end) missing.addUnnamed(end - position);
}
