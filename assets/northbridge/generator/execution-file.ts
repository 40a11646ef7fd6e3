import { rename, rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Broker, CONTROL_RECORD, DETAIL_RECORD } from '../broker-feeds.ts';
import { BROKER_FORMATS, EXECUTION_FIELDS, encodeRecord, type BrokerFormat } from './broker-formats.ts';
import { type ControlTotals, type ExecutionRecord, formatTicks, formatTimestamp } from './execution-record.ts';
import { createTextFile, csvField, temporaryPathOf } from './text-file.ts';

export interface WriteExecutionFileOptions {
  /** Where the file lands; it is replaced in one rename. */
  path: string;
  broker: Broker;
  records: AsyncIterable<ExecutionRecord> | Iterable<ExecutionRecord>;
  /** The control totals, asked for once every record has been written. */
  control: () => ControlTotals;
  /** DuckDB writes the Parquet files. */
  connection: DuckDBConnection;
}

/** What was written: detail records in the file and the control record that closes it. */
export interface ExecutionFileResult {
  path: string;
  records: number;
  control: ControlTotals;
}

/**
 * Streams one broker file in the broker's format, ending with its control record. CSV and JSON lines
 * are written as they come; Parquet goes through a temporary CSV that DuckDB converts, so memory stays
 * bounded at any volume.
 */
export async function writeExecutionFile({ path, broker, records, control, connection }: WriteExecutionFileOptions): Promise<ExecutionFileResult> {
  const format = BROKER_FORMATS[broker];
  if (format.format === 'parquet') return writeParquet({ path, format, records, control, connection });
  const file = await createTextFile(path);
  try {
    const line = format.format === 'csv' ? csvLine : jsonLine;
    if (format.format === 'csv') await file.write(`${EXECUTION_FIELDS.join(',')}\n`);
    let count = 0;
    for await (const record of records) {
      await file.write(line(format, record));
      count++;
    }
    const totals = control();
    await file.write(format.format === 'csv' ? csvControlLine(totals) : jsonControlLine(totals));
    await file.commit();
    return { path, records: count, control: totals };
  } catch (error) {
    await file.abort();
    throw error;
  }
}

function csvLine(format: BrokerFormat, record: ExecutionRecord): string {
  return `${encodeRecord(format, record).map(csvField).join(',')}\n`;
}

function csvControlLine(totals: ControlTotals): string {
  const fields: string[] = EXECUTION_FIELDS.map(() => '');
  fields[0] = CONTROL_RECORD;
  fields[fields.length - 2] = String(totals.count);
  fields[fields.length - 1] = formatTicks(totals.notionalTicks);
  return `${fields.join(',')}\n`;
}

function jsonLine(format: BrokerFormat, record: ExecutionRecord): string {
  // The control keys are on every line, as null: DuckDB infers a JSON file's columns from its first
  // lines, and would silently drop keys that only the trailer carries.
  return `${JSON.stringify({
    record_type: DETAIL_RECORD,
    exec_id: record.execId,
    order_id: record.orderId,
    version: record.version,
    status: format.statuses[record.status],
    portfolio: record.portfolio,
    symbol: record.symbol,
    side: format.sides[record.side],
    quantity: record.quantity,
    price: record.priceTicks / 10_000,
    currency: record.currency,
    trade_time: formatTimestamp(record.tradeTime, format.timeSeparator),
    control_count: null,
    control_notional: null,
  })}\n`;
}

function jsonControlLine(totals: ControlTotals): string {
  const line: Record<string, string | number | null> = Object.fromEntries(EXECUTION_FIELDS.map((field) => [field, null]));
  line.record_type = CONTROL_RECORD;
  line.control_count = totals.count;
  // A string, not a number: a large notional would lose its last digits as a JSON double.
  line.control_notional = formatTicks(totals.notionalTicks);
  return `${JSON.stringify(line)}\n`;
}

const PARQUET_COLUMNS = `
  record_type,
  exec_id,
  order_id,
  cast(version as integer) as version,
  status,
  portfolio,
  symbol,
  side,
  cast(quantity as bigint) as quantity,
  cast(price as decimal(18, 4)) as price,
  currency,
  cast(trade_time as timestamp) as trade_time,
  cast(control_count as bigint) as control_count,
  cast(control_notional as decimal(38, 4)) as control_notional`;

async function writeParquet({
  path,
  format,
  records,
  control,
  connection,
}: Omit<WriteExecutionFileOptions, 'broker'> & { format: BrokerFormat }): Promise<ExecutionFileResult> {
  const csvPath = temporaryPathOf(path, 'csv');
  const csv = await createTextFile(csvPath);
  const parquetPath = temporaryPathOf(path, 'parquet');
  try {
    await csv.write(`${EXECUTION_FIELDS.join(',')}\n`);
    let count = 0;
    for await (const record of records) {
      await csv.write(csvLine(format, record));
      count++;
    }
    const totals = control();
    await csv.write(csvControlLine(totals));
    await csv.commit();
    // The row order of the CSV is kept, so the control record stays the last row.
    await connection.run(
      `copy (select ${PARQUET_COLUMNS} from read_csv(${sqlString(csvPath)}, header = true, all_varchar = true))
       to ${sqlString(parquetPath)} (format parquet, compression zstd)`,
    );
    await rename(parquetPath, path);
    return { path, records: count, control: totals };
  } catch (error) {
    await csv.abort();
    await rm(parquetPath, { force: true });
    throw error;
  } finally {
    await rm(csvPath, { force: true });
  }
}

/** A SQL string literal; paths come from the caller, so quotes are escaped rather than trusted. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
