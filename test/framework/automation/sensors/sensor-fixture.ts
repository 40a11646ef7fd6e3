// A small pipeline for the sensor tests: broker execution files per (date, broker), trades per
// (date, broker) and daily totals per date, on real DuckDB and a real store.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defineAsset, defineDefinitions, defineSource, dimensions, identity, multi, staticKeys, timeWindows } from '../../../../framework/index.ts';

const days = timeWindows({ cadence: 'daily', timeZone: 'UTC', start: '2026-11-01', end: '2026-12-01' });
const brokers = staticKeys(['GSCO', 'MSCO']);

export const EXECUTIONS = 't/executions';

export const sensorDefinitions = defineDefinitions([
  defineSource({ key: EXECUTIONS, partitions: multi({ date: days, broker: brokers }), location: { pattern: 'executions/{broker}/{date}.csv' } }),
  defineSource({ key: 't/prices', partitions: days, location: { pattern: 'prices/{date}.*' } }),
  defineAsset({
    key: 't/trades',
    partitions: multi({ date: days, broker: brokers }),
    deps: [{ asset: EXECUTIONS, as: 'raw' }],
    compute: 'select cast(exec_id as varchar) as exec_id, cast(qty as bigint) as qty from raw',
  }),
  defineAsset({
    key: 't/daily-totals',
    partitions: days,
    deps: [{ asset: 't/trades', mapping: dimensions({ date: identity() }) }],
    compute: 'select count(*) as trades, sum(qty) as qty from trades',
  }),
]);

/** Writes a file under the landing directory, creating its directories. */
export async function land(landing: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(landing, path)), { recursive: true });
  await writeFile(join(landing, path), content);
}

/** An execution file's content: one trade per quantity. */
export const executions = (...quantities: number[]): string => `exec_id,qty\n${quantities.map((qty, k) => `${k + 1},${qty}`).join('\n')}\n`;
