import { type ControlTotals, type ExecutionRecord, notionalOf } from './execution-record.ts';
import type { Random } from './random.ts';

/** The next version of an execution with a corrected quantity or price, as a broker's trade correction. */
export function amended(record: ExecutionRecord, random: Random): ExecutionRecord {
  const lots = record.quantity >= 200 ? record.quantity / 100 : 1;
  if (random.chance(0.5) || lots === 1) {
    const step = random.chance(0.5) || lots === 1 ? 1 : -1;
    return { ...record, version: record.version + 1, status: 'AMEND', quantity: record.quantity + step * 100 };
  }
  // A price busted by a few ticks of the currency's precision, never to zero or below.
  const tick = record.priceTicks % 100 === 0 ? 1_000 : 1;
  const moved = record.priceTicks + (random.chance(0.5) ? 1 : -1) * tick * (1 + random.int(5));
  return { ...record, version: record.version + 1, status: 'AMEND', priceTicks: moved > 0 ? moved : record.priceTicks + tick };
}

export function cancelled(record: ExecutionRecord): ExecutionRecord {
  return { ...record, version: record.version + 1, status: 'CANCEL' };
}

/** Control totals kept as records go by: a correction replaces the totals of the version it supersedes. */
export class ControlTally {
  readonly totals: ControlTotals = { count: 0, notionalTicks: 0n };

  /** A live execution (an original, or the latest version of one). */
  add(record: ExecutionRecord): void {
    this.totals.count++;
    this.totals.notionalTicks += notionalOf(record);
  }

  /** `next` supersedes `previous`, which the tally counted already. */
  replace(previous: ExecutionRecord, next: ExecutionRecord): void {
    this.totals.notionalTicks -= notionalOf(previous);
    if (next.status === 'CANCEL') this.totals.count--;
    else this.totals.notionalTicks += notionalOf(next);
  }

  snapshot(): ControlTotals {
    return { ...this.totals };
  }
}
