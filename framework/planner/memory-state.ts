import type { Definitions } from '../definitions/definitions.ts';
import type { AssetState, PlannerState } from '../definitions/asset-state.ts';

interface MutableAssetState {
  materializedSeq: Float64Array;
  versionSeq: Float64Array;
  codeVersion: Uint16Array;
  codeVersions: string[];
  failed: Uint8Array;
  dataVersions: Map<number, string>;
  consumed: Map<number, Map<string, string>>;
  failures: Map<number, string>;
}

/** What a materialization consumed: upstream asset → upstream partition key → data version. */
export type ConsumedVersions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * A planner state held in memory, for tests and for planning before anything is stored. It records
 * materializations, observations and failures with a monotonic sequence, as the store does.
 *
 * @example
 * const state = new MemoryState(definitions);
 * state.observe('northbridge/broker-executions', '2026-11-20|GSCO', 'v1');
 * state.materialize('northbridge/executions', '2026-11-20', { dataVersion: 'a1' });
 */
export class MemoryState implements PlannerState {
  readonly #definitions: Definitions;
  readonly #assets = new Map<string, MutableAssetState>();
  #sequence = 0;

  constructor(definitions: Definitions) {
    this.#definitions = definitions;
  }

  asset(key: string): AssetState | undefined {
    return this.#assets.get(key);
  }

  /**
   * Records a materialization. Without `consumed`, it records the current data versions of every
   * input partition, as a real step would.
   */
  materialize(asset: string, partition: string, options: { dataVersion: string; codeVersion?: string; consumed?: ConsumedVersions }): number {
    const definition = this.#definitions.get(asset);
    const index = definition.partitions.indexOf(partition);
    const record = this.#record(asset, index, options.dataVersion);
    const codeVersion = options.codeVersion ?? definition.codeVersion ?? '';
    let code = record.codeVersions.indexOf(codeVersion);
    if (code < 0) code = record.codeVersions.push(codeVersion) - 1;
    record.codeVersion[index] = code;
    record.failed[index] = 0;
    record.failures.delete(index);
    record.consumed.set(index, this.#consumedMap(asset, index, options.consumed));
    return record.materializedSeq[index]!;
  }

  /** Records an observation of a source partition (e.g. a landed file's content hash). */
  observe(source: string, partition: string, dataVersion: string): number {
    const index = this.#definitions.get(source).partitions.indexOf(partition);
    return this.#record(source, index, dataVersion).materializedSeq[index]!;
  }

  /** Records a failed attempt. */
  fail(asset: string, partition: string, error: string): void {
    const index = this.#definitions.get(asset).partitions.indexOf(partition);
    const record = this.#ensure(asset, index);
    record.failed[index] = 1;
    record.failures.set(index, error);
  }

  dataVersion(asset: string, index: number): string | undefined {
    return this.#assets.get(asset)?.dataVersions.get(index);
  }

  consumedVersion(asset: string, index: number, upstream: string, upstreamKey: string): string | undefined {
    return this.#assets.get(asset)?.consumed.get(index)?.get(`${upstream}\u0000${upstreamKey}`);
  }

  failure(asset: string, index: number): string | undefined {
    return this.#assets.get(asset)?.failures.get(index);
  }

  #record(asset: string, index: number, dataVersion: string): MutableAssetState {
    const record = this.#ensure(asset, index);
    const seq = ++this.#sequence;
    record.materializedSeq[index] = seq;
    if (record.dataVersions.get(index) !== dataVersion) record.versionSeq[index] = seq;
    record.dataVersions.set(index, dataVersion);
    return record;
  }

  #consumedMap(asset: string, index: number, consumed: ConsumedVersions | undefined): Map<string, string> {
    const result = new Map<string, string>();
    if (consumed) {
      for (const [upstream, versions] of Object.entries(consumed)) {
        for (const [key, version] of Object.entries(versions)) result.set(`${upstream}\u0000${key}`, version);
      }
      return result;
    }
    const id = this.#definitions.idOf(asset);
    for (const edge of this.#definitions.depsOf(id)) {
      const upstream = this.#definitions.assets[edge.upstream]!;
      edge.mapping.forEachUpstream(index, (u) => {
        const version = this.dataVersion(upstream.key, u);
        if (version !== undefined) result.set(`${upstream.key}\u0000${upstream.partitions.keyAt(u)}`, version);
      });
    }
    return result;
  }

  #ensure(asset: string, index: number): MutableAssetState {
    let record = this.#assets.get(asset);
    const size = Math.max(index + 1, this.#definitions.get(asset).partitions.size());
    if (!record) {
      record = {
        materializedSeq: new Float64Array(size),
        versionSeq: new Float64Array(size),
        codeVersion: new Uint16Array(size),
        codeVersions: [''],
        failed: new Uint8Array(size),
        dataVersions: new Map(),
        consumed: new Map(),
        failures: new Map(),
      };
      this.#assets.set(asset, record);
    } else if (record.materializedSeq.length < size) {
      record.materializedSeq = grow(record.materializedSeq, new Float64Array(size));
      record.versionSeq = grow(record.versionSeq, new Float64Array(size));
      record.codeVersion = grow(record.codeVersion, new Uint16Array(size));
      record.failed = grow(record.failed, new Uint8Array(size));
    }
    return record;
  }
}

function grow<T extends Float64Array | Uint16Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}
