import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected } from '../../../assets/northbridge/generator/index.ts';
import { main } from '../../../assets/northbridge/generator/cli.ts';
import { isinCheckDigit } from '../../../assets/northbridge/generator/universe.ts';
import { liveExecutions, notionalOf, query, readBrokerFile, scanOf } from './raw-landing.ts';

let scratch: string;
const BROKERS = ['GSCO', 'JPMS', 'MSCO'] as const;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'northbridge-generator-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function hashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(root, path), createHash('sha256').update(await readFile(path)).digest('hex'));
    }
  };
  await walk(root);
  return out;
}

describe('generateLanding', () => {
  it('writes the same bytes for the same seed, and the same session whatever range it is generated in', async () => {
    const options = { from: '2026-11-16', to: '2026-11-18', scale: 0.5, seed: 7 };
    await generateLanding({ root: join(scratch, 'a'), ...options });
    await generateLanding({ root: join(scratch, 'b'), ...options });
    await generateLanding({ root: join(scratch, 'c'), ...options, from: '2026-11-18' });
    await generateLanding({ root: join(scratch, 'd'), ...options, seed: 8 });
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((name) => hashes(join(scratch, name))));
    expect(a!.size).toBe(3 * 6);
    expect(b).toEqual(a);
    for (const [path, hash] of c!) expect(a!.get(path), path).toBe(hash);
    expect(c!.size).toBe(6);
    for (const broker of ['GSCO/2026-11-18.csv', 'JPMS/2026-11-18.jsonl', 'MSCO/2026-11-18.parquet']) {
      expect(d!.get(`executions/${broker}`)).not.toBe(a!.get(`executions/${broker}`));
    }
  });

  it('writes files for XNYS sessions only, with trades inside the session hours (early close included)', async () => {
    const root = join(scratch, 'thanksgiving');
    const summary = await generateLanding({ root, from: '2026-11-25', to: '2026-11-30', scale: 0.2 });
    expect(summary.sessions).toEqual(['2026-11-25', '2026-11-27', '2026-11-30']);
    expect((await readdir(join(root, 'prices'))).sort()).toEqual(['2026-11-25.csv', '2026-11-27.csv', '2026-11-30.csv']);
    // 2026-11-27 closes at 13:00 New York, 18:00 UTC.
    const [times] = await query(
      `select min(trade_time)::varchar as first, max(trade_time)::varchar as last from ${scanOf(join(root, 'executions', 'GSCO', '2026-11-27.csv'))}`,
    );
    expect(times!.first! >= '2026-11-27 14:30:00').toBe(true);
    expect(times!.last! < '2026-11-27 18:00:00').toBe(true);
  });

  it('writes each broker in its own format, readable by DuckDB, ending with one control record that matches the live executions', async () => {
    const root = join(scratch, 'a');
    const types = Object.fromEntries(
      (await query(`describe select * from ${scanOf(join(root, 'executions', 'MSCO', '2026-11-17.parquet'))}`)).map((row) => [row.column_name, row.column_type]),
    );
    expect(types).toMatchObject({ quantity: 'BIGINT', price: 'DECIMAL(18,4)', trade_time: 'TIMESTAMP', control_notional: 'DECIMAL(38,4)' });
    const jsonLines = (await readFile(join(root, 'executions', 'JPMS', '2026-11-17.jsonl'), 'utf8')).trim().split('\n');
    expect(Object.keys(JSON.parse(jsonLines[0]!) as object)).toEqual(Object.keys(JSON.parse(jsonLines.at(-1)!) as object));

    for (const broker of BROKERS) {
      for (const date of ['2026-11-16', '2026-11-17', '2026-11-18']) {
        const file = await readBrokerFile(root, broker, date);
        expect(file.format).toBe({ GSCO: 'csv', JPMS: 'jsonl', MSCO: 'parquet' }[broker]);
        expect(file.controls).toHaveLength(1);
        expect(file.controlRow).toBe(file.rowCount - 1);
        const live = liveExecutions(file.executions);
        expect(file.controls[0]).toEqual({ count: live.length, notional: notionalOf(live) });
        expect(new Set(file.executions.map((e) => e.portfolio))).toEqual(new Set(['PF001', 'PF002', 'PF003', 'PF004', 'PF005']));
        expect(file.executions.every((e) => e.quantity > 0 && e.quantity % 100 === 0 && e.price > 0)).toBe(true);
      }
    }
  });

  it('writes reference data: unique symbols with valid ISINs, four currencies, USD at 1, closes for every security', async () => {
    const root = join(scratch, 'a');
    const securities = await query(`select symbol, isin, currency from ${scanOf(join(root, 'reference', 'securities', '2026-11-17.csv'))}`);
    const symbols = new Set(securities.map((s) => s.symbol));
    expect(symbols.size).toBe(100);
    expect(new Set(securities.map((s) => s.currency))).toEqual(new Set(['USD', 'EUR', 'GBP', 'JPY']));
    expect(isinCheckDigit('US037833100')).toBe(5); // Apple, US0378331005
    for (const { isin } of securities) expect(Number(isin!.at(-1)), isin!).toBe(isinCheckDigit(isin!.slice(0, -1)));
    const prices = await query(`select symbol, close from ${scanOf(join(root, 'prices', '2026-11-17.csv'))}`);
    expect(new Set(prices.map((p) => p.symbol))).toEqual(symbols);
    const rates = await query(`select currency, rate_to_usd::varchar as rate from ${scanOf(join(root, 'reference', 'fx', '2026-11-17.csv'))}`);
    expect(rates.find((r) => r.currency === 'USD')!.rate).toBe('1.0');
  });
});

describe('resendCorrected', () => {
  it('keeps every record, appends amendments and cancellations, and writes new control totals', async () => {
    const root = join(scratch, 'resend');
    await generateLanding({ root, from: '2026-11-17', to: '2026-11-17', scale: 0.5 });
    for (const broker of BROKERS) {
      const before = await readBrokerFile(root, broker, '2026-11-17');
      const result = await resendCorrected({ root, date: '2026-11-17', broker, seed: 5 });
      const after = await readBrokerFile(root, broker, '2026-11-17');
      expect(after.executions.slice(0, before.executions.length)).toEqual(before.executions);
      const corrections = after.executions.slice(before.executions.length);
      expect(corrections.length).toBe(result.amended + result.cancelled);
      expect(result.amended).toBeGreaterThan(0);
      expect(corrections.every((c) => c.version >= 2 && c.status !== 'NEW')).toBe(true);
      const live = liveExecutions(after.executions);
      expect(after.controls).toEqual([{ count: live.length, notional: notionalOf(live) }]);
      expect(after.controls[0]).not.toEqual(before.controls[0]);
      expect(result.control.count).toBe(before.controls[0]!.count - result.cancelled);
    }
  });

  it('gives the same re-send for the same seed, and builds on an earlier re-send', async () => {
    const [x, y] = [join(scratch, 'resend-x'), join(scratch, 'resend-y')];
    for (const root of [x, y]) {
      await generateLanding({ root, from: '2026-11-17', to: '2026-11-17', scale: 0.5 });
      await resendCorrected({ root, date: '2026-11-17', broker: 'JPMS', seed: 9 });
    }
    expect(await hashes(x)).toEqual(await hashes(y));
    await resendCorrected({ root: x, date: '2026-11-17', broker: 'JPMS', seed: 10 });
    const file = await readBrokerFile(x, 'JPMS', '2026-11-17');
    expect(Math.max(...file.executions.map((e) => e.version))).toBe(3);
    const live = liveExecutions(file.executions);
    expect(file.controls).toEqual([{ count: live.length, notional: notionalOf(live) }]);
  });

  it('refuses a broker or a session it has no file for', async () => {
    await expect(resendCorrected({ root: join(scratch, 'resend'), date: '2026-11-17', broker: 'UBSW' })).rejects.toThrow(/unknown broker "UBSW"/);
    await expect(resendCorrected({ root: join(scratch, 'resend'), date: '2026-11-18', broker: 'GSCO' })).rejects.toThrow(/no GSCO file for 2026-11-18/);
  });
});

describe('generator CLI', () => {
  it('prints each file it writes, a summary, and the re-send', async () => {
    const lines: string[] = [];
    const root = join(scratch, 'cli');
    await main(['--root', root, '--from', '2026-11-19', '--to', '2026-11-20', '--scale', '0.2', '--resend', '2026-11-20:MSCO'], (line) => lines.push(line));
    expect(lines).toHaveLength(2 * 6 + 2);
    expect(lines[3]).toMatch(/^wrote .*executions\/GSCO\/2026-11-19\.csv {2}\d+ records {2}control \d+ executions \/ \d+\.\d{4} notional$/);
    expect(lines.at(-2)).toMatch(/^2 sessions, 12 files, [\d,]+ execution records in [\d.]+ s$/);
    expect(lines.at(-1)).toMatch(/^re-sent .*MSCO\/2026-11-20\.parquet {2}\d+ records \(\d+ amended, \d+ cancelled\) {2}control .* -> .*$/);
  });
});
