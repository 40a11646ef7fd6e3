// eager() end to end on real DuckDB and the store: it waits for every input, fires after an upstream
// materialization with new data, requests a chain of eager assets at once, and holds a failing partition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAsset, defineDefinitions, defineSource, eager, materialize } from '../../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { D3, DAYS, evaluate, explain, land, NOV_4_0400, requested } from './harness.ts';

const valuation = defineDefinitions([
  defineSource({ key: 't/prices-file', partitions: DAYS, location: { pattern: 'prices/{partition}.csv' } }),
  defineSource({ key: 't/fx-file', partitions: DAYS, location: { pattern: 'fx/{partition}.csv' } }),
  defineAsset({ key: 't/prices', partitions: DAYS, deps: ['t/prices-file'], compute: 'select cast(px as double) as px from prices_file' }),
  defineAsset({ key: 't/fx', partitions: DAYS, deps: ['t/fx-file'], compute: 'select cast(rate as double) as rate from fx_file' }),
  defineAsset({ key: 't/value', partitions: DAYS, deps: ['t/prices', 't/fx'], compute: 'select p.px * f.rate as value from prices p, fx f', automation: eager() }),
]);

const chain = defineDefinitions([
  defineSource({ key: 'c/counts-file', partitions: DAYS, location: { pattern: 'counts/{partition}.csv' } }),
  defineAsset({ key: 'c/counts', partitions: DAYS, deps: ['c/counts-file'], compute: 'select cast(n as bigint) as n from counts_file', automation: eager() }),
  defineAsset({ key: 'c/total', partitions: DAYS, deps: ['c/counts'], compute: 'select sum(n) as n from counts', automation: eager() }),
  defineAsset({ key: 'c/broken', partitions: DAYS, deps: ['c/counts'], compute: 'select no_such_column from counts', automation: eager() }),
]);

for (const kind of storeKinds('eager() conditions')) {
  describe(`eager() on ${kind}`, () => {
    let engine: TestEngine;
    let now = NOV_4_0400;
    const next = () => (now += 60_000);
    beforeAll(async () => {
      engine = await openTestEngine({ definitions: valuation, store: kind });
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('does not fire while an input partition is missing, and the tester names it', async () => {
      await land(engine, `prices/${D3}.csv`, 'px\n10\n');
      await materialize(engine, { selection: 't/prices', partitions: { partition: D3 } });
      const evaluation = await evaluate(engine, next());
      expect(requested(evaluation)).toEqual([]);
      expect(evaluation.results).toEqual([{ asset: 't/value', trueCount: 0, requestedCount: 0, nodes: [{ path: '0', label: 'eager()', trueCount: 0 }] }]);
      expect(await explain(engine, 't/value', D3, now)).toEqual({
        label: 'eager()',
        value: false,
        detail: `never materialized, but t/fx[${D3}] is missing`,
        children: [],
      });
    });

    it('fires for the partitions whose inputs are all ready once the last upstream is materialized', async () => {
      await land(engine, `fx/${D3}.csv`, 'rate\n2\n');
      await materialize(engine, { selection: 't/fx', partitions: { partition: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([`t/value[${D3}]`]);
      expect((await explain(engine, 't/value', D3, now)).detail).toBe('never materialized, and every input is ready');
    });

    it('does not request a partition that is being run', async () => {
      const running = [`t/value|${D3}`];
      expect(requested(await evaluate(engine, next(), running))).toEqual([]);
      expect((await explain(engine, 't/value', D3, now, running)).detail).toBe('it is being run');
    });

    it('stays quiet once materialized, even when an input is rerun with the same data', async () => {
      await materialize(engine, { selection: 't/value', partitions: { partition: D3 } });
      await materialize(engine, { selection: 't/prices', partitions: { partition: D3 }, force: true });
      expect(requested(await evaluate(engine, next()))).toEqual([]);
      expect((await explain(engine, 't/value', D3, now)).detail).toBe('materialized, and no input has new data since');
    });

    it('fires after an upstream materialization with new data, naming the input and both versions', async () => {
      await land(engine, `prices/${D3}.csv`, 'px\n11\n');
      await materialize(engine, { selection: 't/prices', partitions: { partition: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([`t/value[${D3}]`]);
      const { detail } = await explain(engine, 't/value', D3, now);
      expect(detail).toMatch(new RegExp(`^t/prices\\[${D3}\\] has new data \\(consumed (\\S+), now (\\S+)\\), and every input is ready$`));
      const [, consumed, current] = /consumed (\S+), now (\S+)\)/.exec(detail)!;
      expect(consumed).not.toBe(current);
    });
  });

  describe(`a chain of eager() assets on ${kind}`, () => {
    let engine: TestEngine;
    let now = NOV_4_0400;
    const next = () => (now += 60_000);
    beforeAll(async () => {
      engine = await openTestEngine({ definitions: chain, store: kind });
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('requests the upstream and its readers in one evaluation, the readers counting the requested upstream as ready', async () => {
      expect(requested(await evaluate(engine, next()))).toEqual([]);
      await land(engine, `counts/${D3}.csv`, 'n\n1\n2\n');
      expect(requested(await evaluate(engine, next()))).toEqual([`c/counts[${D3}]`, `c/total[${D3}]`, `c/broken[${D3}]`]);
    });

    it('holds a partition whose last attempt failed until an input has new data', async () => {
      const run = await materialize(engine, { partitions: { partition: D3 } });
      expect(run.byStatus).toEqual({ succeeded: 2, failed: 1 });
      expect(requested(await evaluate(engine, next()))).toEqual([]);
      const { detail } = await explain(engine, 'c/broken', D3, now);
      expect(detail).toMatch(/^the last attempt failed \(.*no_such_column.*\); waiting for new input data$/s);

      await land(engine, `counts/${D3}.csv`, 'n\n1\n2\n3\n');
      // Only the counts: their readers wait until the counts have the new data.
      expect(requested(await evaluate(engine, next()))).toEqual([`c/counts[${D3}]`]);
      await materialize(engine, { selection: 'c/counts', partitions: { partition: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([`c/total[${D3}]`, `c/broken[${D3}]`]);
      await materialize(engine, { selection: 'c/total,c/broken', partitions: { partition: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([]);
    });
  });
}
