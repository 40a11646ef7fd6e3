import { type Broker, BROKER_FEEDS, type BrokerFeed, DETAIL_RECORD } from '../broker-feeds.ts';
import { BROKERS } from '../partitions.ts';
import { type ExecutionRecord, formatTicks, formatTimestamp, parseTicks, parseTimestamp } from './execution-record.ts';

export type FileFormat = BrokerFeed['format'];

/** A broker's feed, plus how it writes `trade_time` as text (UTC, without an offset). */
export interface BrokerFormat extends BrokerFeed {
  /** Between date and time in `trade_time` text; Parquet stores a TIMESTAMP instead. */
  readonly timeSeparator: ' ' | 'T';
}

/** Every record has these fields, the control record included; defined with the feeds, which the executions checks read too. */
export { EXECUTION_FIELDS } from '../broker-feeds.ts';

export const BROKER_FORMATS: Readonly<Record<Broker, BrokerFormat>> = {
  GSCO: { ...BROKER_FEEDS.GSCO, timeSeparator: ' ' },
  JPMS: { ...BROKER_FEEDS.JPMS, timeSeparator: 'T' },
  MSCO: { ...BROKER_FEEDS.MSCO, timeSeparator: ' ' },
};

export function brokerFormat(broker: string): BrokerFormat {
  const format = (BROKER_FORMATS as Record<string, BrokerFormat | undefined>)[broker];
  if (!format) throw new Error(`unknown broker ${JSON.stringify(broker)}; expected one of ${BROKERS.join(', ')}`);
  return format;
}

/** The path of a broker's file for a session, relative to the landing root. */
export function executionFilePath(broker: Broker, date: string): string {
  return `executions/${broker}/${date}.${BROKER_FORMATS[broker].format}`;
}

/** A record's fields as text, in EXECUTION_FIELDS order, as the broker writes them. */
export function encodeRecord(format: BrokerFormat, record: ExecutionRecord): string[] {
  return [
    DETAIL_RECORD,
    record.execId,
    record.orderId,
    String(record.version),
    format.statuses[record.status],
    record.portfolio,
    record.symbol,
    format.sides[record.side],
    String(record.quantity),
    formatTicks(record.priceTicks),
    record.currency,
    formatTimestamp(record.tradeTime, format.timeSeparator),
    '',
    '',
  ];
}

/** The inverse of encodeRecord, for fields read back as text. */
export function decodeRecord(format: BrokerFormat, fields: readonly (string | null)[]): ExecutionRecord {
  const [, execId, orderId, version, status, portfolio, symbol, side, quantity, price, currency, tradeTime] = fields.map((f) => f ?? '');
  return {
    execId: execId!,
    orderId: orderId!,
    version: Number(version),
    status: codeOf(format.statuses, status!, 'status'),
    portfolio: portfolio!,
    symbol: symbol!,
    side: codeOf(format.sides, side!, 'side'),
    quantity: Number(quantity),
    priceTicks: parseTicks(price!),
    currency: currency!,
    tradeTime: parseTimestamp(tradeTime!),
  };
}

function codeOf<K extends string>(codes: Readonly<Record<K, string>>, code: string, field: string): K {
  const entry = Object.entries(codes).find(([, value]) => value === code);
  if (!entry) throw new Error(`unknown ${field} code ${JSON.stringify(code)}`);
  return entry[0] as K;
}
