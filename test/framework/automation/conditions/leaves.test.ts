// onMissing() and whenUpstreamChanged() end to end: missing partitions once their file arrives, and
// readers of a broker file that is re-sent corrected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAsset, defineDefinitions, defineSource, materialize, onMissing, whenUpstreamChanged } from '../../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { D2, D3, DAYS, evaluate, explain, land, NOV_4_0400, requested } from './harness.ts';

const definitions = defineDefinitions([
  defineSource({ key: 'k/trades-file', partitions: DAYS, location: { pattern: 'trades/{partition}.csv' } }),
  defineAsset({ key: 'k/fill', partitions: DAYS, deps: ['k/trades-file'], compute: 'select cast(qty as bigint) as qty from trades_file', automation: onMissing() }),
  defineAsset({ key: 'k/sync', partitions: DAYS, deps: ['k/trades-file'], compute: 'select sum(cast(qty as bigint)) as qty from trades_file', automation: whenUpstreamChanged() }),
]);

for (const kind of storeKinds('leaf conditions')) {
  describe(`onMissing() and whenUpstreamChanged() on ${kind}`, () => {
    let engine: TestEngine;
    let now = NOV_4_0400;
    const next = () => (now += 60_000);
    beforeAll(async () => {
      engine = await openTestEngine({ definitions, store: kind });
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('requests nothing before any file has arrived', async () => {
      expect(requested(await evaluate(engine, next()))).toEqual([]);
      expect((await explain(engine, 'k/fill', D3, now)).detail).toBe(`never materialized, but k/trades-file[${D3}] has not arrived`);
    });

    it('onMissing() requests the missing partitions whose files arrived, and only those', async () => {
      await land(engine, `trades/${D2}.csv`, 'qty\n5\n');
      await land(engine, `trades/${D3}.csv`, 'qty\n7\n');
      expect(requested(await evaluate(engine, next()))).toEqual([`k/fill[${D2}]`, `k/fill[${D3}]`]);
      expect((await explain(engine, 'k/sync', D3, now)).detail).toBe('never materialized, so no input changed since');
      await materialize(engine, { partitions: { from: D2, to: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([]);
      expect(await explain(engine, 'k/fill', D3, now)).toMatchObject({ value: false, detail: 'already materialized' });
      expect((await explain(engine, 'k/sync', D3, now)).detail).toBe('no input has new data since it was materialized');
    });

    it('whenUpstreamChanged() requests the reader of a corrected file, and onMissing() does not', async () => {
      await land(engine, `trades/${D3}.csv`, 'qty\n7\n8\n');
      expect(requested(await evaluate(engine, next()))).toEqual([`k/sync[${D3}]`]);
      const tree = await explain(engine, 'k/sync', D3, now);
      expect(tree.value).toBe(true);
      expect(tree.detail).toMatch(new RegExp(`^k/trades-file\\[${D3}\\] has new data \\(consumed \\S+, now \\S+\\)$`));
      await materialize(engine, { selection: 'k/sync', partitions: { partition: D3 } });
      expect(requested(await evaluate(engine, next()))).toEqual([]);
    });
  });
}
