import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Calendar } from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { BROKERS } from '../partitions.ts';
import { executionFilePath } from './broker-formats.ts';
import type { ControlTotals } from './execution-record.ts';
import { writeExecutionFile } from './execution-file.ts';
import { createMarket } from './market.ts';
import { writeClosingPrices, writeFxRates, writeSecurityMaster } from './reference-files.ts';
import { sessionExecutions } from './session-executions.ts';
import { createUniverse } from './universe.ts';

export interface GenerateLandingOptions {
  /** The landing directory; files go under it as the NorthBridge sources expect them. */
  root: string;
  /** First and last dates, inclusive; every XNYS session between them gets a full set of files. */
  from: string;
  to: string;
  /** Volume: about 200 × scale securities and 1,500 × scale executions per session. */
  scale?: number;
  seed?: number;
  /** Called after each file is in place, e.g. to print progress. */
  onFile?: (file: LandedFile) => void;
}

/** One file written, with its path relative to the root. */
export interface LandedFile {
  path: string;
  kind: 'securities' | 'fx-rates' | 'prices' | 'executions';
  date: string;
  /** Data rows; for executions, the records in the file (control record excluded). */
  rows: number;
  broker?: string;
  control?: ControlTotals;
}

export interface LandingSummary {
  root: string;
  sessions: string[];
  files: LandedFile[];
}

/**
 * Writes seeded, deterministic landing data for every XNYS session in [from, to]: the security master,
 * FX rates, closing prices, and one execution file per broker in the broker's own format with its
 * control record. A file depends only on the seed, the scale and its session, so a range and its parts
 * give the same bytes. Files are written under hidden names and renamed into place.
 *
 * @example
 * await generateLanding({ root: 'landing', from: '2026-11-16', to: '2026-11-20' });
 */
export async function generateLanding({ root, from, to, scale = 1, seed = 1, onFile }: GenerateLandingOptions): Promise<LandingSummary> {
  checkOptions({ from, to, scale, seed });
  const calendar: Calendar = xnys();
  const sessions = calendar.sessions(from, to);
  const universe = createUniverse({ seed, scale });
  const market = createMarket({ seed, calendar, universe });
  const files: LandedFile[] = [];
  const landed = (file: LandedFile) => {
    files.push(file);
    onFile?.(file);
  };
  // One thread: DuckDB then converts the Parquet files as a stream, in order, with little memory.
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    for (const date of sessions) {
      const previous = market.day(calendar.previous(date));
      const current = market.day(date);
      const at = (path: string) => join(root, path);
      const securities = `reference/securities/${date}.csv`;
      landed({ path: securities, kind: 'securities', date, rows: await writeSecurityMaster({ path: at(securities), date, seed, universe }) });
      const fx = `reference/fx/${date}.csv`;
      landed({ path: fx, kind: 'fx-rates', date, rows: await writeFxRates({ path: at(fx), date, seed, day: current }) });
      const prices = `prices/${date}.csv`;
      landed({ path: prices, kind: 'prices', date, rows: await writeClosingPrices({ path: at(prices), date, universe, day: current }) });
      for (const broker of BROKERS) {
        const path = executionFilePath(broker, date);
        const executions = sessionExecutions({ seed, scale, date, broker, calendar, universe, previous, current });
        const result = await writeExecutionFile({ path: at(path), broker, records: executions.records, control: executions.control, connection });
        landed({ path, kind: 'executions', date, broker, rows: result.records, control: result.control });
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { root, sessions, files };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkOptions({ from, to, scale, seed }: { from: string; to: string; scale: number; seed: number }): void {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new Error(`${name}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (from > to) throw new Error(`from (${from}) is after to (${to})`);
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`scale: expected a positive number, got ${scale}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
}
