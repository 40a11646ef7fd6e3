// Whether a partition's latest check results passed: read from the store once, then cached until a
// check event for the partition arrives.
import type { MetadataStore } from '../../framework/index.ts';

export type CheckSummary = 'passed' | 'failed' | 'none';

/** Partitions kept; past this the cache starts over rather than growing without bound. */
const MAX_ENTRIES = 200_000;

/**
 * The check outcome of partitions: `failed` when the latest result of any check failed, `passed`
 * when every check's latest result passed, `none` without results.
 */
export class CheckStatuses {
  readonly #store: MetadataStore;
  readonly #cache = new Map<string, CheckSummary>();

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  /** The combined outcome of the partitions' checks, when every one of them is cached. */
  cached(asset: string, partitions: readonly string[]): CheckSummary | undefined {
    let combined: CheckSummary = 'none';
    for (const partition of partitions) {
      const one = this.#cache.get(cacheKey(asset, partition));
      if (one === undefined) return undefined;
      combined = combine(combined, one);
    }
    return combined;
  }

  /** The combined outcome, reading uncached partitions from the store. */
  async of(asset: string, partitions: readonly string[]): Promise<CheckSummary> {
    const missing = partitions.filter((partition) => !this.#cache.has(cacheKey(asset, partition)));
    if (missing.length > 0) {
      const latest = new Map<string, boolean>();
      for (const result of await this.#store.listCheckResults({ asset, partitions: missing, limit: 10_000 })) {
        const key = `${result.partition}\u0000${result.check}`;
        if (!latest.has(key)) latest.set(key, result.passed);
      }
      if (this.#cache.size + missing.length > MAX_ENTRIES) this.#cache.clear();
      for (const partition of missing) this.#cache.set(cacheKey(asset, partition), 'none');
      for (const [key, passed] of latest) {
        const partition = key.slice(0, key.indexOf('\u0000'));
        const name = cacheKey(asset, partition);
        this.#cache.set(name, combine(this.#cache.get(name)!, passed ? 'passed' : 'failed'));
      }
    }
    return this.cached(asset, partitions) ?? 'none';
  }

  /** Forgets a partition's outcome: a new result arrived. */
  invalidate(asset: string, partition: string): void {
    this.#cache.delete(cacheKey(asset, partition));
  }
}

function cacheKey(asset: string, partition: string): string {
  return `${asset}\u0000${partition}`;
}

function combine(a: CheckSummary, b: CheckSummary): CheckSummary {
  if (a === 'failed' || b === 'failed') return 'failed';
  if (a === 'passed' || b === 'passed') return 'passed';
  return 'none';
}
