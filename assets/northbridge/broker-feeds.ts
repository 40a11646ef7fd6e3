import type { BROKERS } from './partitions.ts';

export type Broker = (typeof BROKERS)[number];

/**
 * What each broker's execution file looks like: every broker uses the same field names (listed in
 * docs/northbridge.md), but its own file format and its own codes for side and status. The executions
 * SQL reads these codes; the landing-data generator writes them.
 */
export interface BrokerFeed {
  readonly broker: Broker;
  readonly format: 'csv' | 'jsonl' | 'parquet';
  readonly sides: Readonly<Record<'BUY' | 'SELL', string>>;
  readonly statuses: Readonly<Record<'NEW' | 'AMEND' | 'CANCEL', string>>;
}

export const BROKER_FEEDS: Readonly<Record<Broker, BrokerFeed>> = {
  // A bank-style CSV with one-letter codes.
  GSCO: { broker: 'GSCO', format: 'csv', sides: { BUY: 'B', SELL: 'S' }, statuses: { NEW: 'N', AMEND: 'A', CANCEL: 'C' } },
  // A REST export: JSON lines with words for codes and ISO-8601 times.
  JPMS: { broker: 'JPMS', format: 'jsonl', sides: { BUY: 'BUY', SELL: 'SELL' }, statuses: { NEW: 'NEW', AMEND: 'AMEND', CANCEL: 'CANCEL' } },
  // A FIX drop copy converted to Parquet: Side (54) 1/2 and ExecType (150) F/G/H for trade, correction, cancel.
  MSCO: { broker: 'MSCO', format: 'parquet', sides: { BUY: '1', SELL: '2' }, statuses: { NEW: 'F', AMEND: 'G', CANCEL: 'H' } },
};

/** Every record has these fields, the control record included (it fills only record_type and the control_ fields). */
export const EXECUTION_FIELDS = [
  'record_type',
  'exec_id',
  'order_id',
  'version',
  'status',
  'portfolio',
  'symbol',
  'side',
  'quantity',
  'price',
  'currency',
  'trade_time',
  'control_count',
  'control_notional',
] as const;

/** The record_type of an execution and of the control record that closes every file. */
export const DETAIL_RECORD = 'EXEC';
export const CONTROL_RECORD = 'TRAILER';

/** Every broker's codes as SQL rows `(broker, field, code, meaning)`, for a join in the executions SQL. */
export function brokerCodesSql(): string {
  const rows = Object.values(BROKER_FEEDS).flatMap((feed) => [
    ...Object.entries(feed.sides).map(([meaning, code]) => [feed.broker, 'side', code, meaning]),
    ...Object.entries(feed.statuses).map(([meaning, code]) => [feed.broker, 'status', code, meaning]),
  ]);
  return `(values ${rows.map((row) => `(${row.map((v) => `'${v}'`).join(', ')})`).join(', ')}) as broker_codes(broker, field, code, meaning)`;
}
