import type { PartitionsDefinition } from '../definition.ts';
import type { BoundPartitionMapping, PartitionMapping, UpstreamPartitions } from '../mapping.ts';
import type { PartitionSubset } from '../subset.ts';
import { PartitionError } from '../../util/errors.ts';
import { checkPull, checkSubset } from './guards.ts';
import { MissingKeys } from './missing-keys.ts';
import { subsetOfIndexes } from './subset-of-indexes.ts';

export interface MapWithOptions {
  /** The upstream keys one downstream key reads. Keys that are not upstream partitions are reported as missing. */
  upstreamKeys: (downstreamKey: string) => readonly string[];
  /**
   * The downstream keys one upstream key affects, the inverse of `upstreamKeys`. Without it,
   * `downstreamOf` evaluates `upstreamKeys` for every downstream key (once, then from a table).
   */
  downstreamKeys?: (upstreamKey: string) => readonly string[];
  /** Names the mapping in its spec and in messages; default the name of `upstreamKeys`. */
  name?: string;
}

/**
 * A mapping given by a function of keys, for relations the built-in mappings do not express. The
 * functions must be pure: their answers are cached per key space.
 *
 * The vector operations (`forEachUpstream`, `pullMax`, and `downstreamOf` without
 * `downstreamKeys`) need the whole relation, so the first of them calls `upstreamKeys` once per
 * downstream key and keeps the answer as index arrays; later calls are table lookups.
 *
 * @example
 * mapWith({ upstreamKeys: (month) => [`${month}-15`] }) // a monthly report reads mid-month prices
 */
export function mapWith({ upstreamKeys, downstreamKeys, name: given }: MapWithOptions): PartitionMapping {
  if (typeof upstreamKeys !== 'function') {
    throw new PartitionError('invalid-mapping', 'mapWith(): upstreamKeys must be a function from a downstream key to upstream keys', {
      field: 'upstreamKeys',
    });
  }
  const name = given ?? (upstreamKeys.name || 'anonymous');
  return {
    spec: { kind: 'function', name },
    bind: (downstream, upstream) => new FunctionBound({ downstream, upstream, upstreamKeys, downstreamKeys, name }),
  };
}

/** The relation in compressed sparse rows: downstream `d` reads `targets[starts[d] .. starts[d + 1])`. */
interface Table {
  readonly downstreamSize: number;
  readonly upstreamSize: number;
  readonly starts: Int32Array;
  readonly targets: Int32Array;
  /** The inverse, built when first needed: upstream `u` is read by `inverseTargets[inverseStarts[u] .. inverseStarts[u + 1])`. */
  inverse?: { readonly inverseStarts: Int32Array; readonly inverseTargets: Int32Array };
}

interface FunctionBoundOptions extends MapWithOptions {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly name: string;
}

class FunctionBound implements BoundPartitionMapping {
  readonly downstream: PartitionsDefinition;
  readonly upstream: PartitionsDefinition;
  readonly strictlyEarlier = false;
  readonly #options: FunctionBoundOptions;
  #table: Table | undefined;

  constructor(options: FunctionBoundOptions) {
    this.downstream = options.downstream;
    this.upstream = options.upstream;
    this.#options = options;
  }

  upstreamOf(downstream: PartitionSubset): UpstreamPartitions {
    checkSubset(downstream, this.downstream, 'downstream');
    const found: number[] = [];
    const missing = new MissingKeys();
    for (const d of downstream.indexes()) {
      for (const key of this.#upstreamKeysOf(this.downstream.keyAt(d))) {
        const u = this.upstream.tryIndexOf(key);
        if (u >= 0) found.push(u);
        else missing.add(key);
      }
    }
    return { subset: subsetOfIndexes(this.upstream.size(), found), missing: missing.result() };
  }

  downstreamOf(upstream: PartitionSubset): PartitionSubset {
    checkSubset(upstream, this.upstream, 'upstream');
    const size = this.downstream.size();
    const inverse = this.#options.downstreamKeys;
    if (inverse) {
      const found: number[] = [];
      for (const u of upstream.indexes()) {
        for (const key of checkedKeys(inverse(this.upstream.keyAt(u)), this.#options.name, 'downstreamKeys')) {
          const d = this.downstream.tryIndexOf(key);
          if (d >= 0) found.push(d);
        }
      }
      return subsetOfIndexes(size, found);
    }
    const { inverseStarts, inverseTargets } = this.#inverse();
    const found: number[] = [];
    for (const u of upstream.indexes()) {
      for (let i = inverseStarts[u]!; i < inverseStarts[u + 1]!; i++) found.push(inverseTargets[i]!);
    }
    return subsetOfIndexes(size, found);
  }

  forEachUpstream(downstreamIndex: number, visit: (upstreamIndex: number) => void): void {
    const { starts, targets, downstreamSize } = this.#current();
    if (downstreamIndex < 0 || downstreamIndex >= downstreamSize) return;
    for (let i = starts[downstreamIndex]!; i < starts[downstreamIndex + 1]!; i++) visit(targets[i]!);
  }

  pullMax(values: Float64Array, out: Float64Array): void {
    checkPull(this, values, out);
    const { starts, targets } = this.#current();
    for (let d = 0; d < out.length; d++) {
      let max = out[d]!;
      const end = starts[d + 1]!;
      for (let i = starts[d]!; i < end; i++) {
        const value = values[targets[i]!]!;
        if (value > max) max = value;
      }
      out[d] = max;
    }
  }

  /** The inverse of the current table, by counting sort, so `downstreamOf` reads only the rows of the given partitions. */
  #inverse(): { inverseStarts: Int32Array; inverseTargets: Int32Array } {
    const table = this.#current();
    if (table.inverse) return table.inverse;
    const { starts, targets, downstreamSize, upstreamSize } = table;
    const inverseStarts = new Int32Array(upstreamSize + 1);
    for (let i = 0; i < targets.length; i++) inverseStarts[targets[i]! + 1]!++;
    for (let u = 0; u < upstreamSize; u++) inverseStarts[u + 1]! += inverseStarts[u]!;
    const next = inverseStarts.slice(0, upstreamSize);
    const inverseTargets = new Int32Array(targets.length);
    for (let d = 0; d < downstreamSize; d++) {
      for (let i = starts[d]!; i < starts[d + 1]!; i++) inverseTargets[next[targets[i]!]!++] = d;
    }
    table.inverse = { inverseStarts, inverseTargets };
    return table.inverse;
  }

  #upstreamKeysOf(downstreamKey: string): readonly string[] {
    return checkedKeys(this.#options.upstreamKeys(downstreamKey), this.#options.name, 'upstreamKeys');
  }

  /** The table for the current sizes, rebuilt when a dynamic side has grown. */
  #current(): Table {
    const downstreamSize = this.downstream.size();
    const upstreamSize = this.upstream.size();
    const table = this.#table;
    if (table && table.downstreamSize === downstreamSize && table.upstreamSize === upstreamSize) return table;
    const starts = new Int32Array(downstreamSize + 1);
    let targets = new Int32Array(Math.max(16, downstreamSize));
    let count = 0;
    for (let d = 0; d < downstreamSize; d++) {
      const row: number[] = [];
      for (const key of this.#upstreamKeysOf(this.downstream.keyAt(d))) {
        const u = this.upstream.tryIndexOf(key);
        if (u >= 0) row.push(u);
      }
      row.sort((a, b) => a - b);
      for (let i = 0; i < row.length; i++) {
        if (i > 0 && row[i] === row[i - 1]) continue;
        if (count === targets.length) {
          const grown = new Int32Array(targets.length * 2);
          grown.set(targets);
          targets = grown;
        }
        targets[count++] = row[i]!;
      }
      starts[d + 1] = count;
    }
    this.#table = { downstreamSize, upstreamSize, starts, targets: targets.subarray(0, count) };
    return this.#table;
  }
}

function checkedKeys(keys: unknown, name: string, field: string): readonly string[] {
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
    const got = String(JSON.stringify(keys)).slice(0, 120);
    throw new PartitionError('invalid-mapping', `mapWith(${name}): ${field} must return an array of key strings, got ${got}`, {
      field,
    });
  }
  return keys as readonly string[];
}
