// Planner benchmark: 200 assets over XNYS sessions 2000–2026, half of them by 50 portfolios
// (≈ 35M asset partitions), with a generated mix of fresh, missing, stale, code-changed and failed
// partitions. Prints the figures; the last line is JSON.
import {
  createPlan,
  defineAsset,
  defineDefinitions,
  defineSource,
  dimensions,
  identity,
  multi,
  previousSession,
  replan,
  selectAssets,
  sessions,
  staticKeys,
  window,
  type AssetDefinition,
  type AssetState,
  type DependencyInput,
  type PlannerState,
} from '../../framework/index.ts';
import { xnys } from '../../calendars/index.ts';

const ASSETS = 200;
const SOURCES = 10;
let seed = 42;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

const days = sessions(xnys(), { start: '2000-01-01', end: '2026-12-31' });
const portfolios = staticKeys(Array.from({ length: 50 }, (_, i) => `PF${String(i + 1).padStart(3, '0')}`));
const byPortfolio = multi({ date: days, portfolio: portfolios });

function buildGraph(): AssetDefinition[] {
  const assets: AssetDefinition[] = [];
  for (let id = 0; id < ASSETS; id++) {
    const isMulti = id % 2 === 1;
    const key = `bench/a${String(id).padStart(3, '0')}`;
    const partitions = isMulti ? byPortfolio : days;
    if (id < SOURCES) {
      assets.push(defineSource({ key, partitions, location: { pattern: isMulti ? `f/{date}/{portfolio}.csv` : `f/{date}.csv` } }));
      continue;
    }
    const deps: DependencyInput[] = [];
    const upstreams = new Set<number>();
    const count = 1 + random(3);
    while (upstreams.size < count) upstreams.add(random(id));
    for (const upstream of upstreams) {
      const upstreamKey = `bench/a${String(upstream).padStart(3, '0')}`;
      // Every tenth single-to-single edge reads a window of the last 5 sessions.
      if (!isMulti && upstream % 2 === 0 && random(10) === 0) deps.push({ asset: upstreamKey, mapping: window({ size: 5 }), as: `w${upstream}` });
      else deps.push(upstreamKey);
    }
    if (id % 10 === 3) {
      deps.push({
        asset: key,
        mapping: isMulti ? dimensions({ date: previousSession(), portfolio: identity() }) : previousSession(),
        as: 'previous',
      });
    }
    assets.push(defineAsset({ key, partitions, deps, codeVersion: id % 67 === 5 ? 'v2' : 'v1' }));
  }
  return assets;
}

/** State where asset k's partitions were materialized after everything upstream of them. */
function generateState(assets: readonly AssetDefinition[], order: (key: string) => number): Map<string, AssetState> {
  const states = new Map<string, AssetState>();
  for (const asset of assets) {
    const n = asset.partitions.size();
    const base = (order(asset.key) + 1) * 1e9;
    const materializedSeq = new Float64Array(n);
    const versionSeq = new Float64Array(n);
    const codeVersion = new Uint16Array(n).fill(1);
    const failed = new Uint8Array(n);
    for (let i = 0; i < n; i++) materializedSeq[i] = base + i;
    versionSeq.set(materializedSeq);
    // The newest five sessions are not materialized yet for a third of the assets.
    const perDate = asset.partitions.dimensions ? 50 : 1;
    if (order(asset.key) % 3 === 0) materializedSeq.fill(0, n - 5 * perDate);
    for (let f = 0; f < n / 10_000; f++) failed[random(n)] = 1;
    states.set(asset.key, { materializedSeq, versionSeq, codeVersion, codeVersions: ['', 'v1'], failed });
  }
  // Ten re-sent source files, anywhere in history.
  for (let r = 0; r < 10; r++) {
    const source = states.get(assets[random(SOURCES)]!.key)!;
    (source.versionSeq as Float64Array)[random(source.versionSeq.length)] = 1e15 + r;
  }
  return states;
}

const rss = () => process.memoryUsage().rss / 2 ** 20;
let peakRss = rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 5);

const assets = buildGraph();
const definitions = defineDefinitions(assets);
const states = generateState(definitions.assets, (key) => definitions.idOf(key));
const state: PlannerState = { asset: (key) => states.get(key) };
const assetPartitions = definitions.assets.reduce((sum, asset) => sum + asset.partitions.size(), 0);
console.log(`graph: ${ASSETS} assets, ${days.size()} sessions, ${assetPartitions.toLocaleString('en-US')} asset partitions`);

// Baseline: one plain pass over every materialization sequence, the floor for touching the state once.
let start = performance.now();
let never = 0;
for (const assetState of states.values()) {
  const seqs = assetState.materializedSeq;
  for (let i = 0; i < seqs.length; i++) if (seqs[i] === 0) never++;
}
const baselineScanMs = performance.now() - start;
console.log(`baseline: one scan of the state in ${baselineScanMs.toFixed(1)} ms (${never} never materialized)`);

const all = selectAssets(definitions, '*');
const runs: number[] = [];
let plan = createPlan({ definitions, state, assets: all });
for (let run = 0; run < 3; run++) {
  start = performance.now();
  plan = createPlan({ definitions, state, assets: all });
  runs.push(performance.now() - start);
}
const fullPlanMs = Math.min(...runs);
const counts = plan.countsByReason();
console.log(`full plan: ${runs.map((ms) => ms.toFixed(0)).join(' / ')} ms; ${plan.stepCount().toLocaleString('en-US')} steps ${JSON.stringify(counts)}`);

// Incremental: a source file of the last session is re-sent; then one from 250 sessions ago.
function resend(sourceId: number, sessionsAgo: number): { ms: number; changed: number } {
  const source = definitions.assets[sourceId]!;
  const sourceState = states.get(source.key)!;
  const perDate = source.partitions.dimensions ? 50 : 1;
  const index = source.partitions.size() - sessionsAgo * perDate - 1;
  (sourceState.materializedSeq as Float64Array)[index] = 2e15 + sessionsAgo;
  (sourceState.versionSeq as Float64Array)[index] = 2e15 + sessionsAgo;
  const t0 = performance.now();
  const changed = replan(plan, [{ asset: source.key, indexes: [index] }]);
  return { ms: performance.now() - t0, changed };
}
resend(4, 1); // warm-up: the first call also compiles the code path
const recent = resend(0, 0);
const older = resend(2, 250);
console.log(`incremental re-plan: last session ${recent.ms.toFixed(2)} ms (${recent.changed} partitions changed reason); 250 sessions back ${older.ms.toFixed(2)} ms (${older.changed} changed)`);

clearInterval(sampler);
peakRss = Math.max(peakRss, rss(), process.resourceUsage().maxRSS / 1024);
console.log(
  JSON.stringify({
    assetPartitions,
    fullPlanMs: Math.round(fullPlanMs),
    incrementalPlanMs: Number(recent.ms.toFixed(2)),
    incrementalDeepPlanMs: Number(older.ms.toFixed(2)),
    baselineScanMs: Math.round(baselineScanMs),
    peakRssMb: Math.round(peakRss),
  }),
);
