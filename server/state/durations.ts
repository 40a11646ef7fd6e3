// How long each asset's steps take, from recent runs: the SLA's "expected remaining work".
import type { Definitions, MetadataStore } from '../../framework/index.ts';

const SAMPLES = 20;

/**
 * Recent step durations per asset. The expected remaining work of an asset partition is its own
 * average plus the slowest chain of averages upstream of it (sources take no time).
 */
export class StepDurations {
  readonly #samples = new Map<string, number[]>();

  record(asset: string, ms: number): void {
    const list = this.#samples.get(asset) ?? [];
    list.push(ms);
    if (list.length > SAMPLES) list.shift();
    this.#samples.set(asset, list);
  }

  average(asset: string): number {
    const list = this.#samples.get(asset);
    return list && list.length > 0 ? list.reduce((a, b) => a + b, 0) / list.length : 0;
  }

  /** The asset's average plus the longest chain of its upstream assets' averages, in ms. */
  criticalPath(definitions: Definitions, id: number, memo = new Map<number, number>()): number {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, 0);
    let upstream = 0;
    for (const edge of definitions.depsOf(id)) if (!edge.self) upstream = Math.max(upstream, this.criticalPath(definitions, edge.upstream, memo));
    const total = this.average(definitions.assets[id]!.key) + upstream;
    memo.set(id, total);
    return total;
  }

  /** Learns from the succeeded steps of the most recent runs. */
  async loadRecent(store: MetadataStore, runs = 20): Promise<void> {
    for (const run of (await store.listRuns({ limit: runs })).reverse()) {
      for (const step of await store.listSteps(run.id, { status: 'succeeded' })) {
        if (step.startedAt && step.finishedAt) this.record(step.asset, step.finishedAt.getTime() - step.startedAt.getTime());
      }
    }
  }
}
