// From a detected file to the run it requests, on real DuckDB and a real store: the request the
// sensor returns, given to materialize(), runs exactly the downstream partitions the file feeds.
import { describe, expect, it } from 'vitest';
import { landingSensor, markSensorRequested, materialize, runSensor } from '../../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { executions, land, sensorDefinitions } from './sensor-fixture.ts';

/**
 * Runs every request of a sensor tick and marks it; returns each run's steps as `asset[partition]`,
 * sorted. A step may wait only for a broker's file that a later request of the same tick brings.
 */
async function launch(engine: TestEngine, sensor: ReturnType<typeof landingSensor>): Promise<string[][]> {
  const tick = await runSensor({ engine, sensor });
  const ran: string[][] = [];
  for (const [k, request] of tick.requests.entries()) {
    const run = await materialize(engine, { selection: request.selection, partitions: request.partitions, trigger: 'sensor' });
    const last = k === tick.requests.length - 1;
    expect(run.problems.filter((problem) => last || problem.status !== 'waiting')).toEqual([]);
    await markSensorRequested({ store: engine.store, sensor: sensor.name, events: request.events, runId: run.runId });
    const steps = await engine.store.listSteps(run.runId);
    ran.push(steps.map((step) => `${step.asset}[${step.partition}]`).sort());
  }
  return ran;
}

describe.each(storeKinds('sensor end to end'))('sensor end to end (%s)', (kind) => {
  it('materializes exactly the downstream partitions of a detected and of a re-sent executions file', async () => {
    const engine = await openTestEngine({ definitions: sensorDefinitions, store: kind });
    try {
      const sensor = landingSensor({ name: 'landing' });
      for (const date of ['2026-11-20', '2026-11-21']) {
        await land(engine.landing, `executions/GSCO/${date}.csv`, executions(100, 200));
        await land(engine.landing, `executions/MSCO/${date}.csv`, executions(5));
      }
      const first = await launch(engine, sensor);
      expect(first.flat().sort()).toEqual(
        [
          't/trades[2026-11-20|GSCO]',
          't/trades[2026-11-21|GSCO]',
          't/trades[2026-11-20|MSCO]',
          't/trades[2026-11-21|MSCO]',
          // Each run rebuilds the day's totals over the brokers it has so far.
          't/daily-totals[2026-11-20]',
          't/daily-totals[2026-11-21]',
          't/daily-totals[2026-11-20]',
          't/daily-totals[2026-11-21]',
        ].sort(),
      );
      expect(first).toHaveLength(2);
      const totals = async () => {
        const current = await engine.store.currentMaterializations('t/daily-totals');
        const sums = await Promise.all(
          current.map(async (m) => [m.partition, Number((await engine.query<{ qty: bigint }>(`select qty from read_parquet('${m.location!}')`))[0]!.qty)] as const),
        );
        return sums.sort(([a], [b]) => a.localeCompare(b)).map(([, qty]) => qty);
      };
      expect(await totals()).toEqual([305, 305]);

      // GSCO re-sends a corrected file for the 21st: only its trades and that day's totals run.
      await land(engine.landing, 'executions/GSCO/2026-11-21.csv', executions(100, 200, 1_000));
      expect(await launch(engine, sensor)).toEqual([['t/daily-totals[2026-11-21]', 't/trades[2026-11-21|GSCO]']]);
      expect(await totals()).toEqual([305, 1_305]);

      // Nothing new: no request, no run.
      expect(await launch(engine, sensor)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
