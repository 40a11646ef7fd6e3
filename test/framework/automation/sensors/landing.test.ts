// The landing sensor on a real landing directory and a real store (PGlite, and PostgreSQL with
// DAYBOOK_TEST_DATABASE_URL): detections, the cursor across restarts, touched and re-sent files,
// bad file names, and the requests it returns.
import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { landingSensor, markSensorRequested, runSensor, type SensorResult } from '../../../../framework/index.ts';
import { openTestEngine, type TestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { EXECUTIONS, executions, land, sensorDefinitions } from './sensor-fixture.ts';

const GSCO_20 = 'executions/GSCO/2026-11-20.csv';

/** Marks every request of a tick as launched, as the daemon does once it has started their runs. */
async function markAll(engine: TestEngine, tick: SensorResult, sensor = 'landing'): Promise<void> {
  for (const request of tick.requests) await markSensorRequested({ store: engine.store, sensor, events: request.events });
}

describe.each(storeKinds('landing sensor'))('landing sensor (%s)', (kind) => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await openTestEngine({ definitions: sensorDefinitions, store: kind });
  });
  afterEach(async () => {
    await engine.close();
  });

  it('detects a new file once, records its observation and requests the source and its downstream for its partition', async () => {
    await land(engine.landing, GSCO_20, executions(100, 200));
    const sensor = landingSensor({ name: 'landing' });
    const first = await runSensor({ engine, sensor });
    expect(first.detected).toEqual([{ path: GSCO_20, asset: EXECUTIONS, partition: '2026-11-20|GSCO', change: 'new', dataVersion: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expect(first.problems).toEqual([]);
    expect(first.requests).toEqual([
      { selection: `${EXECUTIONS}+`, partitions: { from: '2026-11-20', to: '2026-11-20', where: { broker: 'GSCO' } }, events: [expect.any(String)] },
    ]);
    expect(first.cursor).toMatchObject({ generation: 1, files: 1 });
    const observations = await engine.store.listObservations(EXECUTIONS);
    expect(observations.map((o) => [o.partition, o.dataVersion])).toEqual([['2026-11-20|GSCO', first.detected[0]!.dataVersion]]);

    // Until the run is marked requested, the request stands; the file is not detected again.
    const second = await runSensor({ engine, sensor });
    expect(second.detected).toEqual([]);
    expect(second.requests).toEqual(first.requests);
    expect(second.cursor.generation).toBe(1);
    await markAll(engine, second);
    const third = await runSensor({ engine, sensor });
    expect(third).toMatchObject({ detected: [], requests: [], problems: [] });
  });

  it('neither repeats nor misses a file across a restart, and detects a file that arrived while it was down', async () => {
    await land(engine.landing, GSCO_20, executions(100));
    const before = landingSensor({ name: 'landing' });
    await markAll(engine, await runSensor({ engine, sensor: before }));

    // Down: a new file arrives and the existing one is touched without a change.
    await land(engine.landing, 'executions/MSCO/2026-11-20.csv', executions(5));
    await utimes(join(engine.landing, GSCO_20), new Date('2026-11-21T00:00:00Z'), new Date('2026-11-21T00:00:00Z'));
    const after = landingSensor({ name: 'landing' });
    const tick = await runSensor({ engine, sensor: after });
    expect(tick.detected.map((d) => [d.path, d.change])).toEqual([['executions/MSCO/2026-11-20.csv', 'new']]);
    expect(tick.requests.map((r) => r.partitions)).toEqual([{ from: '2026-11-20', to: '2026-11-20', where: { broker: 'MSCO' } }]);
    expect(tick.cursor).toMatchObject({ generation: 2, files: 2 });
    expect((await engine.store.listObservations(EXECUTIONS)).map((o) => o.partition).sort()).toEqual(['2026-11-20|GSCO', '2026-11-20|MSCO']);
  });

  it('returns the request of a detection again after a restart when its run was never marked requested', async () => {
    await land(engine.landing, GSCO_20, executions(100));
    const detected = await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) });
    // A crash here: the detection is recorded, its run never launched.
    const restarted = await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) });
    expect(restarted.detected).toEqual([]);
    expect(restarted.requests).toEqual(detected.requests);
    expect(await markSensorRequested({ store: engine.store, sensor: 'landing', events: restarted.requests[0]!.events, runId: 'run-1' })).toBe(1);
    expect((await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) })).requests).toEqual([]);
  });

  it('detects new bytes as a change but not a touched file with the same bytes', async () => {
    const sensor = landingSensor({ name: 'landing' });
    await land(engine.landing, GSCO_20, executions(100));
    const first = await runSensor({ engine, sensor });
    await markAll(engine, first);

    await utimes(join(engine.landing, GSCO_20), new Date('2026-11-22T00:00:00Z'), new Date('2026-11-22T00:00:00Z'));
    const touched = await runSensor({ engine, sensor });
    expect(touched.detected).toEqual([]);
    expect(touched.requests).toEqual([]);
    // The new fingerprint is kept, so the next tick does not hash the file again.
    expect(touched.cursor.generation).toBe(2);
    expect((await runSensor({ engine, sensor })).cursor.generation).toBe(2);

    await land(engine.landing, GSCO_20, executions(100, 1));
    const resent = await runSensor({ engine, sensor });
    expect(resent.detected).toEqual([{ path: GSCO_20, asset: EXECUTIONS, partition: '2026-11-20|GSCO', change: 'changed', dataVersion: expect.any(String) }]);
    expect(resent.detected[0]!.dataVersion).not.toBe(first.detected[0]!.dataVersion);
    expect(resent.requests).toHaveLength(1);
    const versions = (await engine.store.listObservations(EXECUTIONS)).map((o) => o.dataVersion);
    expect(versions.sort()).toEqual([first.detected[0]!.dataVersion, resent.detected[0]!.dataVersion].sort());
  });

  it('reports files whose names are no partition key or match no pattern, naming each, and still detects the good ones', async () => {
    await land(engine.landing, GSCO_20, executions(1));
    await land(engine.landing, 'executions/GSCO/2026-13-45.csv', executions(2));
    await land(engine.landing, 'executions/XXXX/2026-11-20.csv', executions(3));
    await land(engine.landing, 'executions/GSCO/notes.txt', 'hello');
    await land(engine.landing, 'executions/GSCO/.2026-11-21.csv.partial', executions(4));
    const tick = await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) });
    expect(tick.detected.map((d) => d.path)).toEqual([GSCO_20]);
    const problems = new Map(tick.problems.map((p) => [p.path, p.message]));
    expect([...problems.keys()].sort()).toEqual(['executions/GSCO/2026-13-45.csv', 'executions/GSCO/notes.txt', 'executions/XXXX/2026-11-20.csv']);
    expect(problems.get('executions/GSCO/2026-13-45.csv')).toMatch(/^executions\/GSCO\/2026-13-45\.csv is not a partition of source "t\/executions".*2026-13-45/);
    expect(problems.get('executions/XXXX/2026-11-20.csv')).toMatch(/^executions\/XXXX\/2026-11-20\.csv is not a partition of source "t\/executions".*XXXX/);
    expect(problems.get('executions/GSCO/notes.txt')).toMatch(/^executions\/GSCO\/notes\.txt matches no source pattern \(executions\/\{broker\}\/\{date\}\.csv/);
    // Reported, not recorded: they stay out of the cursor and are reported again until fixed.
    expect(tick.cursor.files).toBe(1);
    expect((await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) })).problems).toHaveLength(3);
  });

  it('groups detections into one request per broker and run of consecutive dates, and reads any extension of a .* pattern', async () => {
    for (const path of ['executions/GSCO/2026-11-20.csv', 'executions/GSCO/2026-11-21.csv', 'executions/GSCO/2026-11-23.csv', 'executions/MSCO/2026-11-20.csv']) {
      await land(engine.landing, path, executions(7));
    }
    await land(engine.landing, 'prices/2026-11-20.jsonl', '{"symbol":"A","px":1}\n');
    await land(engine.landing, 'prices/2026-11-21.csv', 'symbol,px\nA,2\n');
    const tick = await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) });
    expect(tick.detected).toHaveLength(6);
    const requests = tick.requests.map((r) => ({ selection: r.selection, partitions: r.partitions, events: r.events.length }));
    expect(requests).toEqual(
      expect.arrayContaining([
        { selection: 't/executions+', partitions: { from: '2026-11-20', to: '2026-11-21', where: { broker: 'GSCO' } }, events: 2 },
        { selection: 't/executions+', partitions: { from: '2026-11-23', to: '2026-11-23', where: { broker: 'GSCO' } }, events: 1 },
        { selection: 't/executions+', partitions: { from: '2026-11-20', to: '2026-11-20', where: { broker: 'MSCO' } }, events: 1 },
        { selection: 't/prices+', partitions: { from: '2026-11-20', to: '2026-11-21' }, events: 2 },
      ]),
    );
    expect(requests).toHaveLength(4);
  });

  it('lets only one of two processes running the same sensor record a file, and the other finds nothing left', async () => {
    await land(engine.landing, GSCO_20, executions(1));
    const ticks = await Promise.allSettled([runSensor({ engine, sensor: landingSensor({ name: 'landing' }) }), runSensor({ engine, sensor: landingSensor({ name: 'landing' }) })]);
    const done = ticks.flatMap((tick) => (tick.status === 'fulfilled' ? [tick.value] : []));
    const failed = ticks.flatMap((tick) => (tick.status === 'rejected' ? [(tick.reason as Error).message] : []));
    expect(done.map((tick) => tick.detected.length)).toEqual([1]);
    expect(failed).toEqual([expect.stringMatching(/^sensor "landing": its cursor moved past generation 0 in another process/)]);
    expect(await engine.store.listObservations(EXECUTIONS)).toHaveLength(1);
    expect((await runSensor({ engine, sensor: landingSensor({ name: 'landing' }) })).detected).toEqual([]);
  });

  it('watches only the selected sources, and drops deleted files from the cursor', async () => {
    await land(engine.landing, GSCO_20, executions(1));
    await land(engine.landing, 'prices/2026-11-20.csv', 'symbol,px\nA,2\n');
    const sensor = landingSensor({ name: 'prices-only', sources: 't/prices' });
    const tick = await runSensor({ engine, sensor });
    expect(tick.detected.map((d) => d.asset)).toEqual(['t/prices']);
    await rm(join(engine.landing, 'prices/2026-11-20.csv'));
    expect((await runSensor({ engine, sensor })).cursor).toMatchObject({ generation: 2, files: 0 });
    expect(() => landingSensor({ name: 'bad name!' })).toThrow(/landing sensor "bad name!": invalid name/);
    await expect(runSensor({ engine, sensor: landingSensor({ name: 'none', sources: 't/trades' }) })).rejects.toThrow(/landing sensor "none": "t\/trades" selects no source/);
  });
});
