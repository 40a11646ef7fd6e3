// onCron() with a clock the test moves: nothing on the first evaluation, the latest day after each
// 05:00 tick, once per tick, and a tick remembered until the late file arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAsset, defineDefinitions, defineSource, materialize, onCron, onMissing } from '../../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { D2, D3, D4, DAYS, evaluate, explain, land, requested } from './harness.ts';

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour, minute);

const definitions = defineDefinitions([
  defineSource({ key: 'r/rates-file', partitions: DAYS, location: { pattern: 'rates/{partition}.csv' } }),
  defineAsset({ key: 'r/report', partitions: DAYS, deps: ['r/rates-file'], compute: 'select cast(rate as double) as rate from rates_file', automation: onCron('0 5 * * *') }),
  defineAsset({ key: 'r/backfill', partitions: DAYS, deps: ['r/rates-file'], compute: 'select cast(rate as double) as rate from rates_file', automation: onMissing() }),
]);

for (const kind of storeKinds('onCron() conditions')) {
  describe(`onCron() on ${kind}`, () => {
    let engine: TestEngine;
    beforeAll(async () => {
      engine = await openTestEngine({ definitions, store: kind });
      await land(engine, `rates/${D2}.csv`, 'rate\n1.1\n');
      await land(engine, `rates/${D3}.csv`, 'rate\n1.2\n');
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('does not fire on the first evaluation, nor before the next tick', async () => {
      expect(requested(await evaluate(engine, at(4, 4)))).toEqual([`r/backfill[${D2}]`, `r/backfill[${D3}]`]);
      expect((await explain(engine, 'r/report', D3, at(4, 4, 30))).detail).toBe(
        'no tick since it was last materialized or requested; next at 2026-11-04T05:00:00.000Z',
      );
      expect(requested(await evaluate(engine, at(4, 4, 30)))).toEqual([`r/backfill[${D2}]`, `r/backfill[${D3}]`]);
    });

    it('fires for the latest ended day only, once the tick has passed', async () => {
      const evaluation = await evaluate(engine, at(4, 5, 1), [`r/backfill|${D2}`, `r/backfill|${D3}`]);
      expect(requested(evaluation)).toEqual([`r/report[${D3}]`]);
      expect(await explain(engine, 'r/report', D2, at(4, 5, 1))).toMatchObject({ value: false, detail: 'not in the latest time window' });
    });

    it('fires once per tick: a partition requested at the previous evaluation is handled', async () => {
      expect(requested(await evaluate(engine, at(4, 5, 2), [`r/backfill|${D2}`, `r/backfill|${D3}`]))).toEqual([]);
      await materialize(engine, { partitions: { from: D2, to: D3 } });
      expect(requested(await evaluate(engine, at(4, 12)))).toEqual([]);
      expect((await explain(engine, 'r/report', D3, at(4, 12, 1))).detail).toBe('no tick since it was last materialized or requested; next at 2026-11-05T05:00:00.000Z');
    });

    it('remembers the next tick until the late file of the new latest day arrives', async () => {
      expect(requested(await evaluate(engine, at(5, 5, 1)))).toEqual([]);
      expect((await explain(engine, 'r/report', D4, at(5, 5, 2))).detail).toBe(`a tick passed, but r/rates-file[${D4}] has not arrived`);
      await land(engine, `rates/${D4}.csv`, 'rate\n1.3\n');
      expect(requested(await evaluate(engine, at(5, 6)))).toEqual([`r/report[${D4}]`, `r/backfill[${D4}]`]);
    });
  });
}
