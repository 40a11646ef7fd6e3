// Reads landed files back with DuckDB and the broker specifications written out here, independently of
// the generator's encoders and of the pipeline's SQL, so the tests compare against a second reading.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface RawExecution {
  recordType: string;
  execId: string;
  version: number;
  status: 'NEW' | 'AMEND' | 'CANCEL';
  portfolio: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  currency: string;
  tradeTime: string;
}

export interface RawFile {
  path: string;
  format: string;
  executions: RawExecution[];
  /** Every control record, in file order, and the index of the first. */
  controls: Array<{ count: number; notional: string }>;
  controlRow: number;
  rowCount: number;
}

// The brokers' interface specifications.
const SIDES: Record<string, Record<string, 'BUY' | 'SELL'>> = {
  GSCO: { B: 'BUY', S: 'SELL' },
  JPMS: { BUY: 'BUY', SELL: 'SELL' },
  MSCO: { '1': 'BUY', '2': 'SELL' },
};
const STATUSES: Record<string, Record<string, RawExecution['status']>> = {
  GSCO: { N: 'NEW', A: 'AMEND', C: 'CANCEL' },
  JPMS: { NEW: 'NEW', AMEND: 'AMEND', CANCEL: 'CANCEL' },
  MSCO: { F: 'NEW', G: 'AMEND', H: 'CANCEL' },
};

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();

export async function query(sql: string): Promise<Array<Record<string, string | null>>> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, string | null>>;
}

export function scanOf(path: string): string {
  const file = `'${path.replaceAll("'", "''")}'`;
  if (path.endsWith('.csv')) return `read_csv(${file}, header = true)`;
  if (path.endsWith('.jsonl')) return `read_json(${file}, format = 'newline_delimited')`;
  return `read_parquet(${file})`;
}

export async function brokerFile(landing: string, broker: string, date: string): Promise<string> {
  const directory = join(landing, 'executions', broker);
  const name = (await readdir(directory)).find((file) => file.startsWith(`${date}.`));
  if (!name) throw new Error(`no ${broker} file for ${date}`);
  return join(directory, name);
}

export async function readBrokerFile(landing: string, broker: string, date: string): Promise<RawFile> {
  const path = await brokerFile(landing, broker, date);
  const rows = await query(`
    select
      cast(record_type as varchar) as record_type, cast(exec_id as varchar) as exec_id, cast(version as varchar) as version,
      cast(status as varchar) as status, cast(portfolio as varchar) as portfolio, cast(symbol as varchar) as symbol,
      cast(side as varchar) as side, cast(quantity as varchar) as quantity, cast(price as varchar) as price,
      cast(currency as varchar) as currency, cast(trade_time as varchar) as trade_time,
      cast(control_count as varchar) as control_count, cast(cast(control_notional as decimal(38, 4)) as varchar) as control_notional
    from ${scanOf(path)}`);
  const executions: RawExecution[] = [];
  const controls: RawFile['controls'] = [];
  let controlRow = -1;
  rows.forEach((row, k) => {
    if (row.record_type === 'TRAILER') {
      if (controlRow < 0) controlRow = k;
      controls.push({ count: Number(row.control_count), notional: row.control_notional! });
      return;
    }
    executions.push({
      recordType: row.record_type!,
      execId: row.exec_id!,
      version: Number(row.version),
      status: STATUSES[broker]![row.status!]!,
      portfolio: row.portfolio!,
      symbol: row.symbol!,
      side: SIDES[broker]![row.side!]!,
      quantity: Number(row.quantity),
      price: Number(row.price),
      currency: row.currency!,
      tradeTime: row.trade_time!,
    });
  });
  return { path, format: path.slice(path.lastIndexOf('.') + 1), executions, controls, controlRow, rowCount: rows.length };
}

/** The latest version of each execution, cancellations removed. */
export function liveExecutions(executions: readonly RawExecution[]): RawExecution[] {
  const latest = new Map<string, RawExecution>();
  for (const execution of executions) {
    const seen = latest.get(execution.execId);
    if (!seen || execution.version > seen.version) latest.set(execution.execId, execution);
  }
  return [...latest.values()].filter((execution) => execution.status !== 'CANCEL');
}

/** Σ quantity × price in ten-thousandths, exactly, formatted with four places. */
export function notionalOf(executions: readonly RawExecution[]): string {
  let ticks = 0n;
  for (const e of executions) ticks += BigInt(e.quantity) * BigInt(Math.round(e.price * 10_000));
  const digits = ticks.toString().padStart(5, '0');
  return `${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** Closing prices of a session from the vendor file. */
export async function closesOf(landing: string, date: string): Promise<Map<string, number>> {
  const rows = await query(`select symbol, cast(close as varchar) as close from ${scanOf(join(landing, 'prices', `${date}.csv`))}`);
  return new Map(rows.map((row) => [row.symbol!, Number(row.close)]));
}

/** Final FX rates of a session: the latest published rate per currency. */
export async function ratesOf(landing: string, date: string): Promise<Map<string, number>> {
  const rows = await query(`
    select currency, cast(rate_to_usd as varchar) as rate from ${scanOf(join(landing, 'reference', 'fx', `${date}.csv`))}
    qualify row_number() over (partition by currency order by published_at desc) = 1`);
  return new Map(rows.map((row) => [row.currency!, Number(row.rate)]));
}
