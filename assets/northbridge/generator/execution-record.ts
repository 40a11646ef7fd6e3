/** A broker's view of one version of one execution, before it is encoded in the broker's format. */
export interface ExecutionRecord {
  readonly execId: string;
  readonly orderId: string;
  /** 1 for the original; each amendment or cancellation carries the next version. */
  readonly version: number;
  readonly status: 'NEW' | 'AMEND' | 'CANCEL';
  readonly portfolio: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: number;
  /** Price in ticks of 0.0001 of `currency`, so quantity × price sums exactly. */
  readonly priceTicks: number;
  readonly currency: string;
  /** Epoch milliseconds, UTC. */
  readonly tradeTime: number;
}

/**
 * The control record of a broker file: the executions the broker considers booked once the file's
 * own amendments and cancellations are applied, and their notional Σ quantity × price (in ticks,
 * currencies summed as they are: it is a checksum, not an amount).
 */
export interface ControlTotals {
  count: number;
  notionalTicks: bigint;
}

export const notionalOf = (record: Pick<ExecutionRecord, 'quantity' | 'priceTicks'>): bigint => BigInt(record.quantity * record.priceTicks);

/** Formats ticks of 0.0001 as a decimal with four places, exactly. */
export function formatTicks(ticks: bigint | number): string {
  const value = BigInt(ticks);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(5, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** Parses a decimal with at most four places into ticks of 0.0001, exactly, at any size. */
export function parseNotional(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal with at most 4 places: ${JSON.stringify(text)}`);
  const ticks = BigInt(match[2]!) * 10_000n + BigInt((match[3] ?? '').padEnd(4, '0'));
  return match[1] ? -ticks : ticks;
}

/** A price as ticks of 0.0001. */
export function parseTicks(text: string): number {
  return Number(parseNotional(text));
}

/** `2026-11-20 19:31:05.123`, UTC. */
export function formatTimestamp(epochMs: number, separator: ' ' | 'T' = ' '): string {
  return new Date(epochMs).toISOString().slice(0, 23).replace('T', separator);
}

/** Parses `2026-11-20 19:31:05.123` or `2026-11-20T19:31:05.123` (UTC, as every broker here sends it). */
export function parseTimestamp(text: string): number {
  const value = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(value)) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return value;
}
