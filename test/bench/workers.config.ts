// The project the worker benchmark's `daybook worker` processes load: BENCH_STEPS no-op partitions
// (their compute stores nothing) and the latency assets (latency.ts).
import { defineAsset, defineConfig, defineDefinitions, staticKeys } from '../../framework/index.ts';
import { latencyAssets } from './latency.ts';

export const benchDefinitions = (steps: number) =>
  defineDefinitions([
    defineAsset({ key: 'bench/noop', partitions: staticKeys(Array.from({ length: steps }, (_, n) => `p${n}`)), compute: () => undefined }),
    ...latencyAssets(),
  ]);

export default defineConfig({ definitions: benchDefinitions(Number(process.env.BENCH_STEPS ?? 20_000)), execution: { concurrency: 32, attempts: 1, retryDelayMs: 0 } });
