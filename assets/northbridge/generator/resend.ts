import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CONTROL_RECORD, DETAIL_RECORD } from '../broker-feeds.ts';
import { type BrokerFormat, brokerFormat, decodeRecord, executionFilePath } from './broker-formats.ts';
import { amended, cancelled, ControlTally } from './corrections.ts';
import { type ControlTotals, type ExecutionRecord, parseNotional } from './execution-record.ts';
import { sqlString, writeExecutionFile } from './execution-file.ts';
import { createRandom } from './random.ts';

export interface ResendCorrectedOptions {
  root: string;
  date: string;
  broker: string;
  /** Picks which executions are corrected; the same seed on the same file gives the same re-send. */
  seed?: number;
}

export interface ResendResult {
  path: string;
  /** Detail records in the new file: every record of the old one, then the corrections. */
  records: number;
  amended: number;
  cancelled: number;
  before: ControlTotals;
  control: ControlTotals;
}

const AMEND_RATE = 0.03;
const CANCEL_RATE = 0.015;

/**
 * Replaces one broker file with a corrected re-send, as brokers do: the file keeps every record it
 * had and appends the next version of about 3% of the live executions (quantity or price amended)
 * and 1.5% cancelled, then a control record with the new totals. Re-sending again builds on the
 * corrected file. The first live execution (by id) is always amended, so a re-send always changes
 * the totals.
 *
 * @example
 * await resendCorrected({ root: 'landing', date: '2026-11-20', broker: 'GSCO' });
 */
export async function resendCorrected({ root, date, broker, seed = 1 }: ResendCorrectedOptions): Promise<ResendResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`date: expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const format = brokerFormat(broker);
  const path = join(root, executionFilePath(format.broker, date));
  await access(path).catch((cause: unknown) => {
    throw new Error(`no ${broker} file for ${date} to re-send: ${path}`, { cause });
  });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = sourceOf(format, path);
    const before = await controlOf(connection, source, path);
    const tally = new ControlTally();
    const counts = { records: 0, amended: 0, cancelled: 0 };
    async function* records(): AsyncGenerator<ExecutionRecord> {
      for await (const record of detailRecords(connection, format, `select * from ${source} where record_type = '${DETAIL_RECORD}'`)) {
        counts.records++;
        yield record;
      }
      const random = createRandom(seed, `resend/${date}/${broker}`);
      let first = true;
      for await (const live of detailRecords(connection, format, liveSql(format, source))) {
        tally.add(live);
        const roll = random.next();
        if (!first && roll >= AMEND_RATE + CANCEL_RATE) continue;
        const next = first || roll < AMEND_RATE ? amended(live, random) : cancelled(live);
        first = false;
        tally.replace(live, next);
        counts[next.status === 'CANCEL' ? 'cancelled' : 'amended']++;
        counts.records++;
        yield next;
      }
    }
    const result = await writeExecutionFile({
      path,
      broker: format.broker,
      records: records(),
      control: () => tally.snapshot(),
      connection,
    });
    return { path, records: counts.records, amended: counts.amended, cancelled: counts.cancelled, before, control: result.control };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The landed file as a relation, every column as the broker wrote it. */
function sourceOf(format: BrokerFormat, path: string): string {
  const file = sqlString(path);
  if (format.format === 'csv') return `read_csv(${file}, header = true, all_varchar = true)`;
  if (format.format === 'jsonl') return `read_json(${file}, format = 'newline_delimited')`;
  return `read_parquet(${file})`;
}

/** The latest version of each execution, cancelled ones left out, in a fixed order so the re-send is reproducible. */
function liveSql(format: BrokerFormat, source: string): string {
  return `
    select * from ${source}
    where record_type = '${DETAIL_RECORD}'
    qualify row_number() over (partition by exec_id order by cast(version as integer) desc) = 1
      and status <> '${format.statuses.CANCEL}'
    order by exec_id`;
}

async function* detailRecords(connection: DuckDBConnection, format: BrokerFormat, sql: string): AsyncGenerator<ExecutionRecord> {
  const result = await connection.stream(`
    select record_type, exec_id, order_id, cast(version as varchar), status, portfolio, symbol, side,
           cast(quantity as varchar), cast(cast(price as decimal(18, 4)) as varchar), currency, cast(trade_time as varchar)
    from (${sql})`);
  for await (const rows of result.yieldRows()) {
    for (const row of rows) yield decodeRecord(format, row.map((value) => (value === null ? null : String(value))));
  }
}

async function controlOf(connection: DuckDBConnection, source: string, path: string): Promise<ControlTotals> {
  const reader = await connection.runAndReadAll(`
    select cast(control_count as varchar), cast(cast(control_notional as decimal(38, 4)) as varchar)
    from ${source} where record_type = '${CONTROL_RECORD}'`);
  const rows = reader.getRows();
  if (rows.length !== 1 || rows[0]![0] === null || rows[0]![1] === null) {
    throw new Error(`${path}: expected one ${CONTROL_RECORD} record with control_count and control_notional, found ${rows.length}`);
  }
  return { count: Number(rows[0]![0]), notionalTicks: parseNotional(String(rows[0]![1])) };
}
