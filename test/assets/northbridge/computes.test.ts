import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLanding, resendCorrected } from '../../../assets/northbridge/generator/index.ts';
import { BROKERS, handPnl, type Holding, nextHoldings, PORTFOLIOS, sessionExecutions } from './expected.ts';
import { createHarness, type Harness, type Row, sessionSteps } from './harness.ts';
import { query, readBrokerFile, scanOf } from './raw-landing.ts';

const SESSIONS = ['2026-11-16', '2026-11-17', '2026-11-18'];
let scratch: string;
let landing: string;
let harness: Harness;

async function runSessions(h: Harness, sessions: readonly string[]): Promise<void> {
  for (const date of sessions) for (const [asset, partition] of sessionSteps(date)) await h.run(asset, partition);
}

async function executionRows(h: Harness, date: string): Promise<Row[]> {
  return (await Promise.all(BROKERS.map((broker) => h.rows('northbridge/executions', `${date}|${broker}`)))).flat();
}

/** Holdings per portfolio after each session, by the hand rule, from the landed files. */
async function expectedHoldings(root: string, sessions: readonly string[]): Promise<Array<Map<string, Map<string, Holding>>>> {
  const out: Array<Map<string, Map<string, Holding>>> = [];
  let current = new Map(PORTFOLIOS.map((portfolio) => [portfolio, new Map<string, Holding>()]));
  for (const date of sessions) {
    const executions = await sessionExecutions(root, date);
    current = new Map(PORTFOLIOS.map((portfolio) => [portfolio, nextHoldings(current.get(portfolio)!, executions, portfolio)]));
    out.push(current);
  }
  return out;
}

function expectPositions(rows: readonly Row[], holdings: ReadonlyMap<string, Holding>): void {
  expect(rows.map((row) => row.symbol)).toEqual([...holdings.keys()].sort());
  for (const row of rows) {
    const holding = holdings.get(row.symbol as string)!;
    expect(Number(row.quantity), String(row.symbol)).toBe(holding.quantity);
    expect(Number(row.average_cost)).toBeCloseTo(holding.averageCost, 5);
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'northbridge-computes-'));
  landing = join(scratch, 'landing');
  await generateLanding({ root: landing, from: SESSIONS[0]!, to: SESSIONS.at(-1)!, seed: 3 });
  harness = await createHarness({ landing, storage: join(scratch, 'storage'), startOfBooks: SESSIONS[0]! });
  await runSessions(harness, SESSIONS);
});
afterAll(async () => {
  harness?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('reference data', () => {
  it('keeps one row per security, the latest record of a security the vendor re-sent', async () => {
    const master = await query(`select symbol, name, last_updated from ${scanOf(join(landing, 'reference', 'securities', '2026-11-16.csv'))}`);
    const rows = await harness.rows('northbridge/securities', '2026-11-16');
    expect(master.length).toBe(201);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((row) => row.symbol)).size).toBe(200);
    const resent = master.find((row) => row.last_updated!.startsWith('2025-06-30'))!;
    expect(rows.find((row) => row.symbol === resent.symbol)!.name).not.toBe(resent.name);
    expect(rows[0]).toMatchObject({ trade_date: '2026-11-16' });
  });

  it('keeps the final FX rate of each currency, USD at 1, and one close per security', async () => {
    for (const date of SESSIONS) {
      const rates = await harness.rows('northbridge/fx-rates', date);
      expect(rates.map((rate) => rate.currency)).toEqual(['EUR', 'GBP', 'JPY', 'USD']);
      expect(rates.find((rate) => rate.currency === 'USD')!.rate_to_usd).toBe('1.0000000000');
      expect(rates.every((rate) => String(rate.published_at).endsWith('22:00:00'))).toBe(true);
      expect(await harness.rows('northbridge/prices', date)).toHaveLength(200);
    }
  });
});

describe('executions', () => {
  it('gives every broker one schema, without the control record, matching its control totals', async () => {
    const schemas = await Promise.all(
      BROKERS.map(async (broker) =>
        (await query(`describe select * from read_parquet('${join(scratch, 'storage', 'northbridge__executions', `2026-11-17_${broker}.parquet`)}')`)).map(
          (column) => `${column.column_name} ${column.column_type}`,
        ),
      ),
    );
    expect(schemas[1]).toEqual(schemas[0]);
    expect(schemas[2]).toEqual(schemas[0]);
    for (const broker of BROKERS) {
      const rows = await harness.rows('northbridge/executions', `2026-11-17|${broker}`);
      const raw = await readBrokerFile(landing, broker, '2026-11-17');
      expect(rows).toHaveLength(raw.controls[0]!.count);
      const [total] = await query(`select sum(notional)::varchar as notional from read_parquet('${join(scratch, 'storage', 'northbridge__executions', `2026-11-17_${broker}.parquet`)}')`);
      expect(total!.notional).toBe(raw.controls[0]!.notional);
      expect(rows.every((row) => row.broker === broker && row.trade_date === '2026-11-17' && (row.side === 'BUY' || row.side === 'SELL'))).toBe(true);
    }
  });

  it('applies amendments and cancellations within a file: the latest version of each exec id, cancelled ones gone', async () => {
    const rows = await executionRows(harness, '2026-11-18');
    expect(new Set(rows.map((row) => row.exec_id)).size).toBe(rows.length);
    const raw = (await Promise.all(BROKERS.map((broker) => readBrokerFile(landing, broker, '2026-11-18')))).flatMap((file) => file.executions);
    const corrected = raw.filter((e) => e.version > 1);
    expect(corrected.length).toBeGreaterThan(0);
    const byId = new Map(rows.map((row) => [row.exec_id, row]));
    for (const correction of corrected) {
      const row = byId.get(correction.execId);
      if (correction.status === 'CANCEL') expect(row, correction.execId).toBeUndefined();
      else expect([Number(row!.quantity), Number(row!.price), row!.version]).toEqual([correction.quantity, correction.price, correction.version]);
    }
  });

  it('reads a broker file the same whatever column types DuckDB detects in it', async () => {
    const text = await createHarness({ landing, storage: join(scratch, 'storage-text'), startOfBooks: SESSIONS[0]!, sourceTypes: 'text' });
    try {
      await text.run('northbridge/securities', '2026-11-17');
      for (const broker of BROKERS) {
        expect(await text.run('northbridge/executions', `2026-11-17|${broker}`)).toEqual(await harness.rows('northbridge/executions', `2026-11-17|${broker}`));
      }
    } finally {
      text.close();
    }
  });
});

describe('positions', () => {
  it('equal the sum of every session\'s live executions, with the documented average cost', async () => {
    const expected = await expectedHoldings(landing, SESSIONS);
    for (const [k, date] of SESSIONS.entries()) {
      for (const portfolio of PORTFOLIOS) {
        const rows = await harness.rows('northbridge/positions', `${date}|${portfolio}`);
        expect(rows.every((row) => row.portfolio === portfolio && row.trade_date === date)).toBe(true);
        expectPositions(rows, expected[k]!.get(portfolio)!);
      }
    }
  });

  it('writes identical bytes when a partition is recomputed', async () => {
    const file = join(scratch, 'storage', 'northbridge__positions', '2026-11-18_PF002.parquet');
    const before = createHash('sha256').update(await readFile(file)).digest('hex');
    await harness.run('northbridge/positions', '2026-11-18|PF002');
    expect(createHash('sha256').update(await readFile(file)).digest('hex')).toBe(before);
  });
});

describe('P&L and the published files', () => {
  it('reconciles to a hand computation for one portfolio: USD market value change less the cost of the trades', async () => {
    const securities = await harness.rows('northbridge/securities', '2026-11-17');
    const currencyOf = new Map(securities.map((row) => [row.symbol as string, row.currency as string]));
    const [first] = await expectedHoldings(landing, SESSIONS.slice(0, 1));
    const lines = await handPnl({
      landing,
      date: '2026-11-17',
      previousDate: '2026-11-16',
      portfolio: 'PF003',
      previous: first!.get('PF003')!,
      executions: await sessionExecutions(landing, '2026-11-17'),
      currencyOf,
    });
    const rows = await harness.rows('northbridge/pnl', '2026-11-17|PF003');
    expect(rows.map((row) => row.symbol)).toEqual(lines.map((line) => line.symbol));
    rows.forEach((row, k) => {
      expect(Math.abs(Number(row.pnl_usd) - lines[k]!.pnlUsd), String(row.symbol)).toBeLessThanOrEqual(0.011);
      expect(Math.abs(Number(row.fx_pnl_usd) - lines[k]!.fxPnlUsd)).toBeLessThanOrEqual(0.006);
      expect(Number(row.pnl_usd)).toBeCloseTo(Number(row.price_pnl_usd) + Number(row.fx_pnl_usd), 6);
    });
    const total = rows.reduce((sum, row) => sum + Number(row.pnl_usd), 0);
    expect(Math.abs(total - lines.reduce((sum, line) => sum + line.pnlUsd, 0))).toBeLessThan(0.01 * rows.length);
    expect(rows.some((row) => Number(row.previous_quantity) !== 0 && Number(row.fx_pnl_usd) !== 0)).toBe(true);
  });

  it('has no mark-to-market or FX P&L on the first session of the books, only trading P&L', async () => {
    const rows = await harness.rows('northbridge/pnl', '2026-11-16|PF001');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.previous_quantity === '0' && row.fx_pnl_usd === '0.00' && row.position_pnl_local === '0.0000')).toBe(true);
  });

  it('publishes every portfolio\'s positions for risk, valued at the close in USD', async () => {
    const rows = await harness.rows('northbridge/risk-positions-file', '2026-11-18');
    const positions = (await Promise.all(PORTFOLIOS.map((portfolio) => harness.rows('northbridge/positions', `2026-11-18|${portfolio}`)))).flat();
    expect(rows.map((row) => `${row.portfolio} ${row.symbol} ${row.quantity}`)).toEqual(
      positions.map((row) => `${row.portfolio} ${row.symbol} ${row.quantity}`),
    );
    for (const row of rows.slice(0, 50)) {
      expect(Number(row.market_value_usd)).toBeCloseTo(Number(row.quantity) * Number(row.close) * Number(row.rate_to_usd), 1);
      expect(row.isin).toMatch(/^[A-Z]{2}[A-Z0-9]{9}\d$/);
    }
  });

  it('publishes one finance line per portfolio whose totals are the sums of the P&L lines', async () => {
    const rows = await harness.rows('northbridge/finance-pnl-file', '2026-11-18');
    expect(rows.map((row) => row.portfolio)).toEqual([...PORTFOLIOS]);
    for (const row of rows) {
      const lines = await harness.rows('northbridge/pnl', `2026-11-18|${row.portfolio}`);
      const cents = (field: string) => lines.reduce((sum, line) => sum + Math.round(Number(line[field]) * 100), 0);
      expect(Math.round(Number(row.pnl_usd) * 100)).toBe(cents('pnl_usd'));
      expect(Math.round(Number(row.market_value_usd) * 100)).toBe(cents('market_value_usd'));
    }
  });
});

describe('a corrected re-send', () => {
  it('replaces the broker\'s executions and moves positions consistently, with no duplicate exec ids', async () => {
    const root = join(scratch, 'resend-landing');
    await cp(landing, root, { recursive: true });
    await cp(join(scratch, 'storage'), join(scratch, 'resend-storage'), { recursive: true });
    const h = await createHarness({ landing: root, storage: join(scratch, 'resend-storage'), startOfBooks: SESSIONS[0]! });
    try {
      const before = await executionRows(h, '2026-11-17');
      const result = await resendCorrected({ root, date: '2026-11-17', broker: 'GSCO', seed: 4 });
      // What the executor reruns: the re-sent partition and what depends on it, in order.
      await h.run('northbridge/executions', '2026-11-17|GSCO');
      for (const date of SESSIONS.slice(1)) {
        for (const portfolio of PORTFOLIOS) await h.run('northbridge/positions', `${date}|${portfolio}`);
        for (const portfolio of PORTFOLIOS) await h.run('northbridge/pnl', `${date}|${portfolio}`);
      }
      const gsco = await h.rows('northbridge/executions', '2026-11-17|GSCO');
      expect(gsco).toHaveLength(result.control.count);
      expect(gsco.length).toBe(before.filter((row) => row.broker === 'GSCO').length - result.cancelled);
      const after = await executionRows(h, '2026-11-17');
      expect(new Set(after.map((row) => row.exec_id)).size).toBe(after.length);
      expect(after.filter((row) => Number(row.version) >= 2).length).toBeGreaterThan(before.filter((row) => Number(row.version) >= 2).length);

      const expected = await expectedHoldings(root, SESSIONS);
      let changed = 0;
      for (const [k, date] of SESSIONS.entries()) {
        for (const portfolio of PORTFOLIOS) {
          const rows = await h.rows('northbridge/positions', `${date}|${portfolio}`);
          expectPositions(rows, expected[k]!.get(portfolio)!);
          if (k > 0) changed += JSON.stringify(rows) === JSON.stringify(await harness.rows('northbridge/positions', `${date}|${portfolio}`)) ? 0 : 1;
        }
      }
      expect(changed).toBeGreaterThan(0);
    } finally {
      h.close();
    }
  });
});
