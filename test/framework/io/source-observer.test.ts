import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSourceObserver,
  defineSource,
  DefinitionError,
  MaterializationError,
  multi,
  PartitionError,
  PartitionSubset,
  sessions,
  staticKeys,
  type SourceObservation,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('landing');
const days = sessions(xnys(), { start: '2026-11-16', end: '2026-11-20' });
const executions = defineSource({
  key: 'northbridge/broker-executions',
  partitions: multi({ date: days, broker: staticKeys(['GSCO', 'MSCO', 'JPMS']) }),
  location: { pattern: 'executions/{broker}/{date}.*' },
});
const prices = defineSource({ key: 'northbridge/vendor-prices', partitions: days, location: { pattern: 'prices/{date}.csv' } });
const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function land(landing: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(landing, path)), { recursive: true });
  await writeFile(join(landing, path), content);
}

describe('createSourceObserver', () => {
  afterEach(scratch.removeAll);

  it('observes a present file with its format, size, time and content hash', async () => {
    const landing = await scratch.make();
    await land(landing, 'prices/2026-11-20.csv', 'security,close\nAAPL,231.5\n');
    const seen = await createSourceObserver({ landing }).observe(prices, '2026-11-20');
    expect(seen).toMatchObject({
      status: 'present',
      asset: 'northbridge/vendor-prices',
      partition: '2026-11-20',
      path: join(landing, 'prices/2026-11-20.csv'),
      format: 'csv',
      dataVersion: sha('security,close\nAAPL,231.5\n'),
      bytes: 26,
    });
    expect(seen.status === 'present' && seen.mtimeMs > 0).toBe(true);
  });

  it('reports a file that has not arrived as missing, with the path it waits for', async () => {
    const landing = await scratch.make();
    const seen = await createSourceObserver({ landing }).observe(prices, '2026-11-19');
    expect(seen).toEqual({
      status: 'missing',
      asset: 'northbridge/vendor-prices',
      partition: '2026-11-19',
      path: join(landing, 'prices/2026-11-19.csv'),
      message: `file not arrived: ${join(landing, 'prices/2026-11-19.csv')}`,
    });
  });

  it('fills each dimension of a multi-partition key and takes the format from the extension of a .* pattern', async () => {
    const landing = await scratch.make();
    await land(landing, 'executions/GSCO/2026-11-20.csv', 'a\n1\n');
    await land(landing, 'executions/MSCO/2026-11-20.ndjson', '{"a":1}\n');
    await land(landing, 'executions/JPMS/2026-11-20.parquet', 'PAR1');
    const observer = createSourceObserver({ landing });
    const formats = await Promise.all(
      ['GSCO', 'MSCO', 'JPMS'].map(async (broker) => {
        const seen = await observer.observe(executions, `2026-11-20|${broker}`);
        return seen.status === 'present' ? [broker, seen.format, seen.path] : [broker, seen.status];
      }),
    );
    expect(formats).toEqual([
      ['GSCO', 'csv', join(landing, 'executions/GSCO/2026-11-20.csv')],
      ['MSCO', 'jsonl', join(landing, 'executions/MSCO/2026-11-20.ndjson')],
      ['JPMS', 'parquet', join(landing, 'executions/JPMS/2026-11-20.parquet')],
    ]);
  });

  it('reports a .* partition with no file as missing at the .* path', async () => {
    const landing = await scratch.make();
    const seen = await createSourceObserver({ landing }).observe(executions, '2026-11-20|GSCO');
    expect(seen.status === 'missing' && seen.message).toBe(`file not arrived: ${join(landing, 'executions/GSCO/2026-11-20.*')}`);
  });

  it('marks a partition invalid when two files match its .* pattern, naming both', async () => {
    const landing = await scratch.make();
    await land(landing, 'executions/GSCO/2026-11-20.csv', 'a\n1\n');
    await land(landing, 'executions/GSCO/2026-11-20.jsonl', '{"a":1}\n');
    const seen = await createSourceObserver({ landing }).observe(executions, '2026-11-20|GSCO');
    expect(seen.status).toBe('invalid');
    const error = (seen as Extract<SourceObservation, { status: 'invalid' }>).error;
    expect(error).toBeInstanceOf(MaterializationError);
    expect(error.code).toBe('ambiguous-source');
    expect(error.message).toContain('asset "northbridge/broker-executions" partition "2026-11-20|GSCO"');
    expect(error.message).toContain(join(landing, 'executions/GSCO/2026-11-20.csv'));
    expect(error.message).toContain(join(landing, 'executions/GSCO/2026-11-20.jsonl'));
  });

  it('gives a re-sent, corrected file a new data version and an identical copy the same one', async () => {
    const landing = await scratch.make();
    const observer = createSourceObserver({ landing });
    await land(landing, 'prices/2026-11-20.csv', 'security,close\nAAPL,231.5\n');
    const first = await observer.observe(prices, '2026-11-20');
    await land(landing, 'prices/2026-11-20.csv', 'security,close\nAAPL,231.6\n');
    const corrected = await observer.observe(prices, '2026-11-20');
    await land(landing, 'prices/2026-11-19.csv', 'security,close\nAAPL,231.6\n');
    const copy = await observer.observe(prices, '2026-11-19');
    expect(first.status === 'present' && corrected.status === 'present' && copy.status === 'present').toBe(true);
    if (first.status !== 'present' || corrected.status !== 'present' || copy.status !== 'present') return;
    expect(corrected.dataVersion).not.toBe(first.dataVersion);
    expect(copy.dataVersion).toBe(corrected.dataVersion);
  });

  it('hashes a file larger than its read buffer to the same version as hashing it whole', async () => {
    const landing = await scratch.make();
    const content = 'x'.repeat(9 * 1024 * 1024 + 17);
    await land(landing, 'prices/2026-11-20.csv', content);
    const seen = await createSourceObserver({ landing }).observe(prices, '2026-11-20');
    expect(seen).toMatchObject({ status: 'present', dataVersion: sha(content), bytes: content.length });
  });

  it('observes every partition by default, in key order, present and missing alike', async () => {
    const landing = await scratch.make();
    await land(landing, 'prices/2026-11-17.csv', 'a\n1\n');
    await land(landing, 'prices/2026-11-19.csv', 'a\n2\n');
    const seen = await createSourceObserver({ landing, concurrency: 2 }).observeAll(prices);
    expect(seen.map((s) => [s.partition, s.status])).toEqual([
      ['2026-11-16', 'missing'],
      ['2026-11-17', 'present'],
      ['2026-11-18', 'missing'],
      ['2026-11-19', 'present'],
      ['2026-11-20', 'missing'],
    ]);
  });

  it('observes only the partitions of a subset or a key list when given one', async () => {
    const landing = await scratch.make();
    const observer = createSourceObserver({ landing });
    const subset = PartitionSubset.range(days.size(), days.indexOf('2026-11-19'), days.size());
    expect((await observer.observeAll(prices, subset)).map((s) => s.partition)).toEqual(['2026-11-19', '2026-11-20']);
    expect((await observer.observeAll(executions, ['2026-11-18|JPMS'])).map((s) => s.path)).toEqual([
      join(landing, 'executions/JPMS/2026-11-18.*'),
    ]);
  });

  it('rejects a bad key before reading any file, naming the source', async () => {
    const landing = await scratch.make();
    const observer = createSourceObserver({ landing });
    await expect(observer.observeAll(executions, ['2026-11-20|GSCO', '2026-11-20|../../etc'])).rejects.toThrow(PartitionError);
    await expect(observer.observe(prices, '../../etc/passwd')).rejects.toThrow(/asset "northbridge\/vendor-prices": .*"..\/..\/etc\/passwd" is not a partition key/);
  });

  it('keeps every filled path inside the landing directory', async () => {
    const landing = await scratch.make();
    const observer = createSourceObserver({ landing });
    const anything = { ...staticKeys(['x']), indexOf: () => 0, tryIndexOf: () => 0 };
    const lax = defineSource({ key: 'lax/files', partitions: anything, location: { pattern: '{partition}.csv' } });
    expect(() => observer.expectedPath(lax, '..')).toThrow(PartitionError);
    expect(() => observer.expectedPath(lax, 'a/../../b')).toThrow(PartitionError);
    expect(observer.expectedPath(lax, 'ok')).toBe(join(landing, 'ok.csv'));
  });

  it('refuses to observe an asset that has no landing location', async () => {
    const observer = createSourceObserver({ landing: await scratch.make() });
    const notASource = { key: 'northbridge/pnl', partitions: days, location: undefined };
    await expect(observer.observe(notASource, '2026-11-20')).rejects.toThrow(DefinitionError);
  });

  it('reports a directory where a file should be as invalid rather than present', async () => {
    const landing = await scratch.make();
    await mkdir(join(landing, 'prices/2026-11-20.csv'), { recursive: true });
    const seen = await createSourceObserver({ landing }).observe(prices, '2026-11-20');
    expect(seen.status).toBe('invalid');
    expect(seen.status === 'invalid' && seen.error.message).toMatch(/is not a regular file/);
  });
});
