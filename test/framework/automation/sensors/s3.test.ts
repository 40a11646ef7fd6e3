// The S3 sensor against a real S3 server (s3rver on 127.0.0.1) and a real store: paged listing,
// objects landed whole at the path their source pattern expects, changes by content, bad keys.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSensorRequested, runSensor, s3Sensor, type SensorResult } from '../../../../framework/index.ts';
import { startS3Server, type TestS3Server } from '../../../support/s3-server.ts';
import { openTestEngine } from '../../../support/test-engine.ts';
import { storeKinds } from '../../../support/test-stores.ts';
import { EXECUTIONS, executions, sensorDefinitions } from './sensor-fixture.ts';

const BUCKET = 'nb-landing';

/** Every file under a directory, hidden ones included, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1)).sort();
}

describe.each(storeKinds('s3 sensor'))('s3 sensor (%s)', (kind) => {
  let server: TestS3Server;
  beforeAll(async () => {
    server = await startS3Server([BUCKET]);
  });
  afterAll(async () => {
    await server.dispose();
  });
  const put = (key: string, body: string) => server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from(body) }));

  it('lands new objects whole where their source expects them, detects changes by content, and reports bad keys', async () => {
    const engine = await openTestEngine({ definitions: sensorDefinitions, store: kind });
    const prefix = `incoming-${kind}/`;
    const sensor = () => s3Sensor({ name: 'drop', bucket: BUCKET, prefix, clientConfig: server.clientConfig, pageSize: 2 });
    const markAll = async (tick: SensorResult) => {
      for (const request of tick.requests) await markSensorRequested({ store: engine.store, sensor: 'drop', events: request.events });
    };
    try {
      const dates = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
      for (const date of dates) await put(`${prefix}executions/GSCO/${date}.csv`, executions(1, 2));
      await put(`${prefix}executions/GSCO/2026-11-99.csv`, executions(3));
      await put(`${prefix}readme.txt`, 'see executions/');
      await put(`${prefix}executions/`, '');

      const first = await runSensor({ engine, sensor: sensor() });
      // Five objects over three pages of two keys.
      expect(first.detected.map((d) => [d.path, d.partition, d.change])).toEqual(
        dates.map((date) => [`s3://${BUCKET}/${prefix}executions/GSCO/${date}.csv`, `${date}|GSCO`, 'new']),
      );
      expect(first.requests.map((r) => r.partitions)).toEqual([{ from: '2026-11-16', to: '2026-11-20', where: { broker: 'GSCO' } }]);
      expect(await filesUnder(engine.landing)).toEqual(dates.map((date) => `executions/GSCO/${date}.csv`));
      expect(await readFile(join(engine.landing, 'executions/GSCO/2026-11-20.csv'), 'utf8')).toBe(executions(1, 2));
      expect(first.problems.map((p) => p.path).sort()).toEqual([`s3://${BUCKET}/${prefix}executions/GSCO/2026-11-99.csv`, `s3://${BUCKET}/${prefix}readme.txt`]);
      expect(first.problems.find((p) => p.path.endsWith('2026-11-99.csv'))!.message).toMatch(/executions\/GSCO\/2026-11-99\.csv is not a partition of source "t\/executions"/);
      expect(first.problems.find((p) => p.path.endsWith('readme.txt'))!.message).toMatch(/readme\.txt matches no source pattern/);
      expect((await engine.store.listObservations(EXECUTIONS)).map((o) => o.location)).toContain(join(engine.landing, 'executions/GSCO/2026-11-20.csv'));
      await markAll(first);

      // A restarted sensor: nothing new. The same bytes uploaded again: landed again, but no change.
      expect((await runSensor({ engine, sensor: sensor() })).detected).toEqual([]);
      await put(`${prefix}executions/GSCO/2026-11-17.csv`, executions(1, 2));
      const same = await runSensor({ engine, sensor: sensor() });
      expect(same).toMatchObject({ detected: [], requests: [] });

      // New bytes for one day, an object deleted, and a new broker's file.
      await put(`${prefix}executions/GSCO/2026-11-18.csv`, executions(1, 2, 3));
      await server.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}executions/GSCO/2026-11-16.csv` }));
      await put(`${prefix}executions/MSCO/2026-11-18.csv`, executions(9));
      const changed = await runSensor({ engine, sensor: sensor() });
      expect(changed.detected.map((d) => [d.partition, d.change]).sort()).toEqual([
        ['2026-11-18|GSCO', 'changed'],
        ['2026-11-18|MSCO', 'new'],
      ]);
      expect(changed.cursor.files).toBe(5);
      expect(await readFile(join(engine.landing, 'executions/GSCO/2026-11-18.csv'), 'utf8')).toBe(executions(1, 2, 3));
      // No temporary download is left behind, and nothing was written outside the sources' paths.
      expect((await filesUnder(engine.landing)).filter((path) => path.includes('/.') || !path.startsWith('executions/'))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('refuses a bucket name S3 would refuse, naming the sensor', () => {
    expect(() => s3Sensor({ name: 'drop', bucket: 'x' })).toThrow(/s3 sensor "drop": invalid bucket "x"/);
  });
});
