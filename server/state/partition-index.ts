// The server's in-memory index of every asset partition's latest state: the planner's typed arrays,
// data versions and materialization times, and a plan over everything, so that freshness and status
// questions are answered without a store query. It follows the store through the audit log: events
// after the last seen seq name the partitions that changed, and only those are read again.
import {
  createPlan,
  replan,
  selectAssets,
  type AssetDefinition,
  type AssetState,
  type AuditEventRecord,
  type Definitions,
  type MetadataStore,
  type PartitionChange,
  type PartitionStateRecord,
  type Plan,
  type PlannerState,
} from '../../framework/index.ts';
import { DataVersions } from './data-versions.ts';
import { FAILED, RUNNING, STATUS_OF_REASON } from './status.ts';

/** One asset's arrays, indexed by partition index. */
export interface IndexedAsset {
  readonly id: number;
  readonly asset: AssetDefinition;
  readonly state: AssetState & { codeVersions: string[] };
  readonly versions: DataVersions;
  /** Epoch ms of the current materialization (a source's latest changed observation); 0 = none. */
  readonly materializedAt: Float64Array;
  /** The error of the latest failed attempt, for failed partitions. */
  readonly failures: Map<number, string>;
  /** Steps pending or running in this server's active runs, per partition index. */
  readonly running: Map<number, number>;
  readonly codeIndexes: Map<string, number>;
  /** Bumped on every change to the asset's statuses; caches key on it. */
  generation: number;
}

/** What one refresh saw. */
export interface IndexChanges {
  /** Assets whose partition statuses may have changed (the changed ones and everything downstream). */
  readonly assets: readonly string[];
  /** Check results recorded since the last refresh. */
  readonly checks: readonly { asset: string; partition: string; passed: boolean }[];
}

/** Changes beyond this many partitions are planned again from scratch rather than incrementally. */
const REPLAN_LIMIT = 20_000;
/** Rows read per store query when loading. */
const PAGE = 50_000;

/**
 * The latest state of every asset partition, kept in memory and updated from the store's audit log.
 *
 * @example
 * const index = await PartitionIndex.load({ store, definitions });
 * index.statusAt(index.entry('northbridge/pnl'), 12); // FRESH, STALE, MISSING, FAILED or RUNNING
 */
export class PartitionIndex implements PlannerState {
  readonly definitions: Definitions;
  readonly #store: MetadataStore;
  #entries: IndexedAsset[] = [];
  #plan!: Plan;
  #seq = 0;

  private constructor(store: MetadataStore, definitions: Definitions) {
    this.#store = store;
    this.definitions = definitions;
  }

  /** Reads every asset's partition states from the store and plans over them. */
  static async load({ store, definitions }: { store: MetadataStore; definitions: Definitions }): Promise<PartitionIndex> {
    const index = new PartitionIndex(store, definitions);
    await index.#loadAll();
    return index;
  }

  get plan(): Plan {
    return this.#plan;
  }

  /** The indexed asset; throws the definitions' `unknown-asset` error (a 404) for an unknown key. */
  entry(key: string): IndexedAsset {
    return this.#entries[this.definitions.idOf(key)]!;
  }

  entries(): readonly IndexedAsset[] {
    return this.#entries;
  }

  asset(key: string): AssetState | undefined {
    return this.#entries[this.definitions.idOf(key)]?.state;
  }

  dataVersion(asset: string, index: number): string | undefined {
    return this.entry(asset).versions.get(index);
  }

  failure(asset: string, index: number): string | undefined {
    return this.entry(asset).failures.get(index);
  }

  /** The status code of one partition: running, failed, then what the plan says. */
  statusAt(entry: IndexedAsset, index: number): number {
    if (entry.running.size > 0 && entry.running.has(index)) return RUNNING;
    if (entry.state.failed[index] === 1) return FAILED;
    return STATUS_OF_REASON[this.#plan.reasons[entry.id]![index]!]!;
  }

  /** The planner's reason code of one partition (0 when fresh). */
  reasonAt(entry: IndexedAsset, index: number): number {
    return this.#plan.reasons[entry.id]![index]!;
  }

  /** Counts a step of an active run in (`+1`) or out (`-1`) of the partition's running state. */
  markRunning(asset: string, partition: string, delta: 1 | -1): void {
    if (!this.definitions.has(asset)) return;
    const entry = this.entry(asset);
    const index = entry.asset.partitions.tryIndexOf(partition);
    if (index < 0) return;
    const count = (entry.running.get(index) ?? 0) + delta;
    if (count > 0) entry.running.set(index, count);
    else entry.running.delete(index);
    entry.generation++;
  }

  /** Reads the audit events after the last seen seq and applies the partition changes they name. */
  async refresh(): Promise<IndexChanges> {
    const touched = new Map<string, Set<string>>();
    const checks: { asset: string; partition: string; passed: boolean }[] = [];
    let reloadAll = false;
    for (;;) {
      const events = await this.#store.listAuditEvents({ afterSeq: this.#seq, limit: 10_000 });
      for (const event of events) reloadAll = this.#note(event, touched, checks) || reloadAll;
      if (events.length > 0) this.#seq = events.at(-1)!.seq;
      if (events.length < 10_000) break;
    }
    if (reloadAll) {
      await this.#loadAll();
      return { assets: this.definitions.assets.map((asset) => asset.key), checks };
    }
    if (touched.size === 0) return { assets: [], checks };
    const changes: PartitionChange[] = [];
    let count = 0;
    for (const [key, partitions] of touched) {
      const entry = this.entry(key);
      const keys = [...partitions];
      const indexes: number[] = [];
      for (let i = 0; i < keys.length; i += 1_000) {
        for (const row of await this.#store.partitionStates(key, keys.slice(i, i + 1_000))) {
          const index = this.#apply(entry, row);
          if (index >= 0) indexes.push(index);
        }
      }
      changes.push({ asset: key, indexes });
      count += indexes.length;
    }
    if (count > REPLAN_LIMIT) this.#plan = this.#planAll();
    else replan(this.#plan, changes);
    const affected = selectAssets(this.definitions, [...touched.keys()].map((key) => `${key}+`).join(','));
    for (const id of affected) this.#entries[id]!.generation++;
    return { assets: affected.map((id) => this.definitions.assets[id]!.key), checks };
  }

  /** Notes what an audit event changed; true when the whole index must be read again (dynamic keys were added). */
  #note(event: AuditEventRecord, touched: Map<string, Set<string>>, checks: { asset: string; partition: string; passed: boolean }[]): boolean {
    if (event.action === 'partitions.added') return true;
    if (event.asset === null || event.partition === null || !this.definitions.has(event.asset)) return false;
    if (event.action === 'check.passed' || event.action === 'check.failed') {
      checks.push({ asset: event.asset, partition: event.partition, passed: event.action === 'check.passed' });
      return false;
    }
    if (event.action.startsWith('run.')) return false;
    let set = touched.get(event.asset);
    if (!set) touched.set(event.asset, (set = new Set()));
    set.add(event.partition);
    return false;
  }

  async #loadAll(): Promise<void> {
    // The head first: whatever commits while the states are read is applied again by the next refresh.
    const head = await this.#store.auditHead();
    await this.#store.restoreDynamicKeys(this.definitions);
    const entries = this.definitions.assets.map((asset, id) => emptyEntry(asset, id));
    for (const entry of entries) {
      let afterKey: string | undefined;
      for (;;) {
        const rows = await this.#store.scanPartitionStates(entry.asset.key, { ...(afterKey === undefined ? {} : { afterKey }), limit: PAGE });
        for (const row of rows) this.#apply(entry, row);
        if (rows.length < PAGE) break;
        afterKey = rows.at(-1)!.partition;
      }
    }
    const running = this.#entries;
    this.#entries = entries;
    // Active runs' partitions stay marked across a reload.
    for (const previous of running) for (const [index, count] of previous.running) entries[previous.id]!.running.set(index, count);
    this.#plan = this.#planAll();
    this.#seq = head.seq;
  }

  #planAll(): Plan {
    return createPlan({ definitions: this.definitions, state: this, assets: this.definitions.assets.map((_, id) => id) });
  }

  /** Writes one stored row into the arrays; returns its index, or -1 when the key is not (or no longer) one of the asset's. */
  #apply(entry: IndexedAsset, row: PartitionStateRecord): number {
    const index = entry.asset.partitions.tryIndexOf(row.partition);
    if (index < 0 || index >= entry.state.materializedSeq.length) return -1;
    const { state } = entry;
    state.materializedSeq[index] = row.currentSeq;
    state.versionSeq[index] = row.versionSeq;
    state.failed[index] = row.failed ? 1 : 0;
    state.codeVersion[index] = intern(entry, row.codeVersion ?? '');
    entry.versions.set(index, row.dataVersion);
    entry.materializedAt[index] = row.materializedAt?.getTime() ?? 0;
    if (row.failed && row.failure !== null) entry.failures.set(index, row.failure);
    else entry.failures.delete(index);
    return index;
  }
}

function emptyEntry(asset: AssetDefinition, id: number): IndexedAsset {
  const size = asset.partitions.size();
  return {
    id,
    asset,
    state: {
      materializedSeq: new Float64Array(size),
      versionSeq: new Float64Array(size),
      codeVersion: new Uint16Array(size),
      codeVersions: [''],
      failed: new Uint8Array(size),
    },
    versions: new DataVersions(size),
    materializedAt: new Float64Array(size),
    failures: new Map(),
    running: new Map(),
    codeIndexes: new Map([['', 0]]),
    generation: 0,
  };
}

function intern(entry: IndexedAsset, version: string): number {
  let index = entry.codeIndexes.get(version);
  if (index === undefined) {
    index = entry.state.codeVersions.push(version) - 1;
    entry.codeIndexes.set(version, index);
  }
  return index;
}
