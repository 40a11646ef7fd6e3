// Prometheus metrics: counters kept by the server, and gauges read from the catalog when scraped.
import type { Catalog } from './state/catalog.ts';
import type { RunManager } from './runs/run-manager.ts';
import { STATUS_NAMES } from './state/status.ts';
import { summarize } from './state/summary.ts';

/** Upper bounds of the step duration histogram, in seconds. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * The server's counters, rendered with the catalog's gauges in the Prometheus text format (0.0.4).
 *
 * @example
 * metrics.stepFinished('northbridge/pnl', 'succeeded', 1.2);
 * metrics.render(catalog, runs); // "# TYPE daybook_steps_total counter\n…"
 */
export class Metrics {
  readonly #steps = new Map<string, number>();
  readonly #durations = new Map<string, Histogram>();
  readonly #checkFailures = new Map<string, number>();
  readonly #requests = new Map<string, number>();

  stepFinished(asset: string, status: string, seconds: number | undefined): void {
    this.#steps.set(status, (this.#steps.get(status) ?? 0) + 1);
    if (seconds === undefined) return;
    let histogram = this.#durations.get(asset);
    if (!histogram) this.#durations.set(asset, (histogram = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.buckets[i]!++;
    });
    histogram.sum += seconds;
    histogram.count++;
  }

  checkFailed(asset: string): void {
    this.#checkFailures.set(asset, (this.#checkFailures.get(asset) ?? 0) + 1);
  }

  request(method: string, status: number): void {
    const key = `${method}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  /** The metrics page. Gauges over partitions are computed from the in-memory index (cached per change). */
  async render(catalog: Catalog, runs: RunManager): Promise<string> {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('daybook_steps_total', 'counter', 'Steps run by this server that reached a final status, by status.');
    for (const [status, count] of this.#steps) out.push(`daybook_steps_total{status="${status}"} ${count}`);
    family('daybook_step_duration_seconds', 'histogram', 'Duration of steps run by this server, by asset.');
    for (const [asset, histogram] of this.#durations) {
      BUCKETS.forEach((bound, i) => out.push(`daybook_step_duration_seconds_bucket{asset="${label(asset)}",le="${bound}"} ${histogram.buckets[i]}`));
      out.push(`daybook_step_duration_seconds_bucket{asset="${label(asset)}",le="+Inf"} ${histogram.count}`);
      out.push(`daybook_step_duration_seconds_sum{asset="${label(asset)}"} ${histogram.sum}`);
      out.push(`daybook_step_duration_seconds_count{asset="${label(asset)}"} ${histogram.count}`);
    }
    family('daybook_queue_depth', 'gauge', 'Steps pending (not yet started) in active runs of this server.');
    out.push(`daybook_queue_depth ${runs.queueDepth()}`);
    family('daybook_runs_active', 'gauge', 'Runs in progress in this server.');
    out.push(`daybook_runs_active ${runs.active().length}`);
    family('daybook_check_failures_total', 'counter', 'Failed check results recorded since the server started, by asset.');
    for (const [asset, count] of this.#checkFailures) out.push(`daybook_check_failures_total{asset="${label(asset)}"} ${count}`);
    family('daybook_partitions', 'gauge', 'Expected partitions by status, per asset.');
    const slaStates: string[] = [];
    for (const entry of catalog.index.entries()) {
      const summary = summarize(catalog.index, entry, catalog.expected(entry), 0);
      STATUS_NAMES.forEach((status, code) => out.push(`daybook_partitions{asset="${label(entry.asset.key)}",status="${status}"} ${summary.counts[code]}`));
      if (!entry.asset.sla) continue;
      const state = (await catalog.freshness(entry.asset.key)).sla?.state;
      for (const name of ['met', 'at-risk', 'missed', 'pending']) slaStates.push(`daybook_sla_state{asset="${label(entry.asset.key)}",state="${name}"} ${state === name ? 1 : 0}`);
    }
    family('daybook_sla_state', 'gauge', 'The SLA state of each asset\'s latest expected partition: 1 for the current state.');
    out.push(...slaStates);
    family('daybook_http_requests_total', 'counter', 'HTTP requests answered, by method and status.');
    for (const [key, count] of this.#requests) {
      const [method, status] = key.split('\u0000');
      out.push(`daybook_http_requests_total{method="${method}",status="${status}"} ${count}`);
    }
    return out.join('\n') + '\n';
  }
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
