// The project the worker benchmark's `daybook worker` processes load: BENCH_STEPS no-op partitions.
import { defineAsset, defineConfig, defineDefinitions, staticKeys } from '../../framework/index.ts';

export const noopDefinitions = (steps: number) =>
  defineDefinitions([defineAsset({ key: 'bench/noop', partitions: staticKeys(Array.from({ length: steps }, (_, n) => `p${n}`)), compute: 'select 1 as x' })]);

export default defineConfig({ definitions: noopDefinitions(Number(process.env.BENCH_STEPS ?? 20_000)), execution: { concurrency: 32, attempts: 1, retryDelayMs: 0 } });
