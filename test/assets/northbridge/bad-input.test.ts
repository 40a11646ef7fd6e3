import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding } from '../../../assets/northbridge/generator/index.ts';
import { createHarness, type Harness } from './harness.ts';

const DATE = '2026-11-16';
let scratch: string;
let landing: string;
let harness: Harness;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'northbridge-bad-input-'));
  landing = join(scratch, 'landing');
  await generateLanding({ root: landing, from: DATE, to: DATE, scale: 0.2, seed: 11 });
  harness = await createHarness({ landing, storage: join(scratch, 'storage'), startOfBooks: DATE });
  await harness.run('northbridge/securities', DATE);
});
afterAll(async () => {
  harness?.close();
  await rm(scratch, { recursive: true, force: true });
});

const storedOf = (asset: string, partition: string) => readFile(join(scratch, 'storage', asset.replace('/', '__'), `${partition.replace('|', '_')}.parquet`)).catch(() => undefined);

/** Runs a partition on a damaged copy of one landed file, then puts the file back; the stored partition must not change. */
async function failsWith(path: string, damage: (text: string) => string, asset: string, partition: string): Promise<string> {
  const file = join(landing, path);
  const original = await readFile(file, 'utf8');
  const stored = await storedOf(asset, partition);
  await writeFile(file, damage(original));
  try {
    await harness.run(asset, partition);
  } catch (error) {
    expect(await storedOf(asset, partition)).toEqual(stored);
    return (error as Error).message;
  } finally {
    await writeFile(file, original);
  }
  throw new Error(`${asset}[${partition}] did not fail`);
}

const GSCO = `executions/GSCO/${DATE}.csv`;
const JPMS = `executions/JPMS/${DATE}.jsonl`;

// A control record that does not match is the control_record check's to report (test/e2e/bad-input.test.ts).
describe('bad broker files fail the executions step, naming the partition and the problem', () => {
  it('fails on another broker\'s codes, an unknown security, or a trade from another day', async () => {
    const side = await failsWith(JPMS, (text) => text.replace('"side":"BUY"', '"side":"B"'), 'northbridge/executions', `${DATE}|JPMS`);
    expect(side).toMatch(/JPMS-20261116-\d+: unknown side code B/);
    const symbol = await failsWith(GSCO, (text) => text.replace(/^(EXEC,GSCO-20261116-00000001,[^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/m, '$1NOPE'), 'northbridge/executions', `${DATE}|GSCO`);
    expect(symbol).toContain('GSCO-20261116-00000001: not in the security master (NOPE)');
    const day = await failsWith(GSCO, (text) => text.replace(/,2026-11-16 (\d\d:\d\d)/, ',2026-11-13 $1'), 'northbridge/executions', `${DATE}|GSCO`);
    expect(day).toContain('GSCO-20261116-00000001: traded on 2026-11-13 (New York), not on the session');
  });
});

describe('bad reference files fail their step', () => {
  it('fails on a price file for another session', async () => {
    const message = await failsWith(`prices/${DATE}.csv`, (text) => text.replaceAll(DATE, '2026-11-13'), 'northbridge/prices', DATE);
    expect(message).toMatch(/northbridge\/prices\[2026-11-16\]: \d+ problem\(s\): .*price_date 2026-11-13 is not the session/);
  });

  it('fails on a malformed ISIN or a non-positive FX rate', async () => {
    const isin = await failsWith(`reference/securities/${DATE}.csv`, (text) => text.replace(/^([^,\n]+),[A-Z]{2}/m, '$1,XX-'), 'northbridge/securities', DATE);
    expect(isin).toMatch(/malformed ISIN XX-/);
    const rate = await failsWith(`reference/fx/${DATE}.csv`, (text) => text.replace(/^EUR,[^,]+,/m, 'EUR,-1.1,'), 'northbridge/fx-rates', DATE);
    expect(rate).toContain('EUR: rate_to_usd is not a positive number');
  });
});
