// What the API knows about assets and partitions, answered from memory: the partition index, check
// outcomes, recent step durations and SLA deadlines. It follows the store on a timer, and at once when
// this server's own runs change something.
import { createHash } from 'node:crypto';
import {
  PartitionError,
  subsetWhere,
  tryParseDay,
  type Calendar,
  type Clock,
  type Definitions,
  type MetadataStore,
} from '../../framework/index.ts';
import type { CheckSummary } from './check-status.ts';
import { CheckStatuses } from './check-status.ts';
import { StepDurations } from './durations.ts';
import { PartitionIndex, type IndexChanges, type IndexedAsset } from './partition-index.ts';
import { deadlineOf, dueOn, localDate, slaCalendar, slaState, type SlaState } from './sla.ts';
import { MISSING, STATUS_NAMES, worstStatus, type PartitionStatusName } from './status.ts';

/** The partitions one freshness answer covers: a key, a date's partitions, or all of them. */
export interface Target {
  /** The key, the date, `''` (unpartitioned) or `*` (every partition). */
  readonly label: string;
  /** Half-open index ranges. */
  readonly ranges: readonly (readonly [number, number])[];
}

/** The freshness of a target, as the API's `Freshness`. */
export interface FreshnessResult {
  asset: string;
  partition: string;
  status: PartitionStatusName;
  dataVersion: string | null;
  materializedAt: string | null;
  checks: CheckSummary;
  sla: { deadline: string; state: SlaState } | null;
  partitions: number;
}

export interface CatalogOptions {
  store: MetadataStore;
  definitions: Definitions;
  /** Calendars SLAs may name (the config's). */
  calendars?: readonly Calendar[];
  clock: Clock;
  /** How often to look for changes other processes made; default 1 s. */
  refreshMs?: number;
}

/** Checks are read for at most this many partitions of one answer; larger answers report `none`. */
const MAX_CHECKED = 100;
/** An aggregate data version is computed over at most this many partitions. */
const MAX_HASHED = 10_000;

/**
 * The catalog's state, in memory.
 *
 * @example
 * const catalog = await Catalog.open({ store, definitions, clock: systemClock });
 * await catalog.freshness('northbridge/pnl'); // { status: 'fresh', dataVersion: 'sha256:…', … }
 */
export class Catalog {
  readonly index: PartitionIndex;
  readonly checks: CheckStatuses;
  readonly durations = new StepDurations();
  readonly definitions: Definitions;
  readonly #clock: Clock;
  readonly #calendars: readonly Calendar[];
  readonly #refreshMs: number;
  readonly #listeners = new Set<(changes: IndexChanges) => void>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  /** Steps of this server's runs that finished: their partitions stop showing as running once their change is read. */
  #settling: { asset: string; partition: string }[] = [];

  private constructor(index: PartitionIndex, store: MetadataStore, { calendars = [], clock, refreshMs = 1_000 }: CatalogOptions) {
    this.index = index;
    this.definitions = index.definitions;
    this.checks = new CheckStatuses(store);
    this.#clock = clock;
    this.#calendars = calendars;
    this.#refreshMs = refreshMs;
  }

  /** Loads the index and recent step durations, and starts following the store. */
  static async open(options: CatalogOptions): Promise<Catalog> {
    const index = await PartitionIndex.load(options);
    const catalog = new Catalog(index, options.store, options);
    await catalog.durations.loadRecent(options.store);
    catalog.#timer = setInterval(() => catalog.refresh(), catalog.#refreshMs);
    catalog.#timer.unref();
    return catalog;
  }

  /** Calls `listener` after each refresh that saw changes. */
  onChange(listener: (changes: IndexChanges) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Marks a partition as running in one of this server's runs. */
  running(asset: string, partition: string): void {
    this.index.markRunning(asset, partition, 1);
  }

  /**
   * A step of this server's runs finished and its change is stored: the partition stops showing as
   * running in the same refresh that reads the change, so it never shows its old status in between.
   */
  settle(asset: string, partition: string): Promise<void> {
    this.#settling.push({ asset, partition });
    return this.refresh();
  }

  /** Applies what changed in the store; concurrent calls share one refresh and one follow-up. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#again = false;
          // Taken before reading the store, so that every settled step's change is read in this pass.
          const settled = this.#settling.splice(0);
          let changes: IndexChanges;
          try {
            changes = await this.index.refresh();
          } finally {
            for (const step of settled) this.index.markRunning(step.asset, step.partition, -1);
          }
          for (const check of changes.checks) this.checks.invalidate(check.asset, check.partition);
          const assets = [...new Set([...changes.assets, ...settled.map((step) => step.asset)])];
          if (assets.length > 0 || changes.checks.length > 0) for (const listener of this.#listeners) listener({ assets, checks: changes.checks });
        } while (this.#again);
      } catch (error) {
        console.error('daybook server: could not refresh the partition index:', error);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  now(): number {
    return this.#clock.now();
  }

  /** How many of an asset's partitions are due: those whose window has ended (all without a time dimension). */
  expected(entry: IndexedAsset): number {
    return Math.min(entry.asset.partitions.countEndedBy(this.#clock.now()), entry.state.failed.length);
  }

  /**
   * The partitions a freshness question is about: a key; a date, meaning that date's partitions of a
   * multi-partitioned asset; or, without one, the latest expected partition(s).
   */
  target(entry: IndexedAsset, partition?: string): Target {
    const definition = entry.asset.partitions;
    if (partition === undefined) return this.#latestExpected(entry);
    const exact = definition.tryIndexOf(partition);
    if (exact >= 0) return { label: partition, ranges: [[exact, exact + 1]] };
    const dimension = tryParseDay(partition) === undefined ? undefined : definition.dimensions?.find((d) => d.definition.tryIndexOf(partition) >= 0);
    if (dimension) return { label: partition, ranges: [...subsetWhere(definition, { [dimension.name]: partition }).ranges()] };
    throw new PartitionError(
      'invalid-partition-key',
      `asset "${entry.asset.key}": partition "${partition}" is not a key of ${definition.description} (expected ${definition.keyFormat})${definition.dimensions ? ' nor a date of one of its dimensions' : ''}`,
      { asset: entry.asset.key, partition, field: 'partition' },
    );
  }

  #latestExpected(entry: IndexedAsset): Target {
    const definition = entry.asset.partitions;
    const now = this.#clock.now();
    if (definition.spec.kind === 'unpartitioned') return { label: '', ranges: [[0, 1]] };
    if (definition.time) {
      const ended = this.expected(entry);
      return ended === 0 ? { label: '', ranges: [] } : { label: definition.keyAt(ended - 1), ranges: [[ended - 1, ended]] };
    }
    const first = definition.dimensions?.[0]?.definition;
    if (first?.time) {
      const ended = first.countEndedBy(now);
      if (ended === 0) return { label: '', ranges: [] };
      const stride = definition.size() / first.size();
      return { label: first.keyAt(ended - 1), ranges: [[(ended - 1) * stride, ended * stride]] };
    }
    return { label: '*', ranges: [[0, this.expected(entry)]] };
  }

  /** The freshness of an asset's partition (a key or a date), or of its latest expected one(s). */
  async freshness(key: string, partition?: string): Promise<FreshnessResult> {
    const entry = this.index.entry(key);
    const target = this.target(entry, partition);
    const counts = [0, 0, 0, 0, 0];
    let count = 0;
    let latest = 0;
    let allMaterialized = true;
    for (const [start, end] of target.ranges) {
      for (let i = start; i < end; i++) {
        counts[this.index.statusAt(entry, i)]!++;
        const at = entry.materializedAt[i]!;
        if (at > latest) latest = at;
        if (entry.state.materializedSeq[i] === 0) allMaterialized = false;
      }
      count += end - start;
    }
    const status = count === 0 ? MISSING : worstStatus(counts);
    const keys = count <= MAX_CHECKED ? this.#keys(entry, target) : [];
    const checks = keys.length === 0 ? 'none' : (this.checks.cached(key, keys) ?? (await this.checks.of(key, keys)));
    const materializedAt = latest === 0 ? null : latest;
    return {
      asset: key,
      partition: target.label,
      status: STATUS_NAMES[status]!,
      dataVersion: count === 0 || !allMaterialized ? null : this.#dataVersion(entry, target, count),
      materializedAt: materializedAt === null ? null : new Date(materializedAt).toISOString(),
      checks,
      sla: this.#sla(entry, target, STATUS_NAMES[status]!, materializedAt),
      partitions: count,
    };
  }

  /** The SLA status of a target, or null when the asset has no SLA or the target no deadline. */
  #sla(entry: IndexedAsset, target: Target, status: PartitionStatusName, materializedAt: number | null): FreshnessResult['sla'] {
    const sla = entry.asset.sla;
    if (!sla) return null;
    const date = target.label.slice(0, 10);
    const deadline = deadlineOf(sla, date, slaCalendar(entry.asset, sla, this.#calendars));
    if (deadline === undefined) return null;
    const remainingMs = status === 'fresh' ? 0 : this.durations.criticalPath(this.definitions, entry.id);
    return { deadline: new Date(deadline).toISOString(), state: slaState({ deadline, now: this.#clock.now(), status, materializedAt, remainingMs }) };
  }

  /** Every asset with an SLA and the partition due on `date` (today in the SLA's zone by default). */
  async slaBoard(date?: string): Promise<{ date: string; items: (FreshnessResult & { deadline: string; localDeadline: string; state: SlaState })[] }> {
    const items = [];
    let shown = date;
    for (const entry of this.index.entries()) {
      const sla = entry.asset.sla;
      if (!sla) continue;
      const day = date ?? localDate(sla, this.#clock.now());
      shown ??= day;
      const due = dueOn(sla, day, slaCalendar(entry.asset, sla, this.#calendars));
      if (due === undefined) continue;
      let freshness: FreshnessResult;
      try {
        freshness = await this.freshness(entry.asset.key, due);
      } catch {
        continue; // the due date is outside the asset's partitions
      }
      if (!freshness.sla) continue;
      items.push({ ...freshness, deadline: freshness.sla.deadline, localDeadline: `${sla.deadline} ${sla.tz}`, state: freshness.sla.state });
    }
    return { date: shown ?? localDateUtc(this.#clock.now()), items };
  }

  #keys(entry: IndexedAsset, target: Target): string[] {
    const keys: string[] = [];
    for (const [start, end] of target.ranges) for (let i = start; i < end; i++) keys.push(entry.asset.partitions.keyAt(i));
    return keys;
  }

  #dataVersion(entry: IndexedAsset, target: Target, count: number): string | null {
    if (count === 1) return entry.versions.get(target.ranges[0]![0]) ?? null;
    if (count > MAX_HASHED) return null;
    const hash = createHash('sha256');
    for (const [start, end] of target.ranges) {
      for (let i = start; i < end; i++) hash.update(`${entry.asset.partitions.keyAt(i)}=${entry.versions.get(i) ?? ''}\n`);
    }
    return `sha256:${hash.digest('hex')}`;
  }
}

function localDateUtc(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}
