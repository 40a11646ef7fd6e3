// Hand computations of positions and P&L from the landed files, in plain TypeScript numbers, to check
// the SQL against: a second implementation of the rules in docs/northbridge.md.
import { BROKERS } from '../../../assets/northbridge/partitions.ts';
import { closesOf, liveExecutions, ratesOf, readBrokerFile, type RawExecution } from './raw-landing.ts';

export interface Holding {
  quantity: number;
  averageCost: number;
}

export { BROKERS, PORTFOLIOS } from '../../../assets/northbridge/partitions.ts';

/** Live executions of a session for every broker. */
export async function sessionExecutions(landing: string, date: string): Promise<RawExecution[]> {
  const files = await Promise.all(BROKERS.map((broker) => readBrokerFile(landing, broker, date)));
  return files.flatMap((file) => liveExecutions(file.executions));
}

/** The documented per-session average-cost rule applied to one portfolio's holdings. */
export function nextHoldings(previous: ReadonlyMap<string, Holding>, executions: readonly RawExecution[], portfolio: string): Map<string, Holding> {
  const day = new Map<string, { bought: number; boughtValue: number; sold: number; soldValue: number }>();
  for (const e of executions) {
    if (e.portfolio !== portfolio) continue;
    const t = day.get(e.symbol) ?? { bought: 0, boughtValue: 0, sold: 0, soldValue: 0 };
    if (e.side === 'BUY') {
      t.bought += e.quantity;
      t.boughtValue += e.quantity * e.price;
    } else {
      t.sold += e.quantity;
      t.soldValue += e.quantity * e.price;
    }
    day.set(e.symbol, t);
  }
  const next = new Map<string, Holding>();
  for (const symbol of new Set([...previous.keys(), ...day.keys()])) {
    const q0 = previous.get(symbol)?.quantity ?? 0;
    const c0 = previous.get(symbol)?.averageCost ?? 0;
    const t = day.get(symbol) ?? { bought: 0, boughtValue: 0, sold: 0, soldValue: 0 };
    const q1 = q0 + t.bought - t.sold;
    if (q1 === 0) continue;
    const buyPrice = t.boughtValue / t.bought;
    const sellPrice = t.soldValue / t.sold;
    let averageCost: number;
    if (Math.sign(q0) === Math.sign(q1) && Math.abs(q1) <= Math.abs(q0)) averageCost = c0;
    else if (Math.sign(q0) === Math.sign(q1)) averageCost = (q0 * c0 + (q1 - q0) * (q1 > 0 ? buyPrice : sellPrice)) / q1;
    else averageCost = q1 > 0 ? buyPrice : sellPrice;
    next.set(symbol, { quantity: q1, averageCost });
  }
  return next;
}

export interface PnlLine {
  symbol: string;
  pnlUsd: number;
  fxPnlUsd: number;
}

/**
 * P&L per security in USD for one portfolio and session: the change in USD market value of the
 * holdings, less the USD cost of the day's trades, with trades converted at the session's rate.
 */
export async function handPnl(options: {
  landing: string;
  date: string;
  previousDate: string;
  portfolio: string;
  previous: ReadonlyMap<string, Holding>;
  executions: readonly RawExecution[];
  currencyOf: ReadonlyMap<string, string>;
}): Promise<PnlLine[]> {
  const { landing, date, previousDate, portfolio, previous, executions, currencyOf } = options;
  const [closes, previousCloses, rates, previousRates] = await Promise.all([
    closesOf(landing, date),
    closesOf(landing, previousDate),
    ratesOf(landing, date),
    ratesOf(landing, previousDate),
  ]);
  const mine = executions.filter((e) => e.portfolio === portfolio);
  const symbols = new Set([...previous.keys(), ...mine.map((e) => e.symbol)]);
  return [...symbols].sort().map((symbol) => {
    const currency = currencyOf.get(symbol)!;
    const q0 = previous.get(symbol)?.quantity ?? 0;
    const trades = mine.filter((e) => e.symbol === symbol);
    const traded = trades.reduce((sum, e) => sum + (e.side === 'BUY' ? e.quantity : -e.quantity), 0);
    const cost = trades.reduce((sum, e) => sum + (e.side === 'BUY' ? 1 : -1) * e.quantity * e.price, 0);
    const [p0, p1, fx0, fx1] = [previousCloses.get(symbol)!, closes.get(symbol)!, previousRates.get(currency)!, rates.get(currency)!];
    const valueBefore = q0 === 0 ? 0 : q0 * p0 * fx0;
    const valueAfter = (q0 + traded) * p1 * fx1;
    return { symbol, pnlUsd: valueAfter - valueBefore - cost * fx1, fxPnlUsd: q0 === 0 ? 0 : q0 * p0 * (fx1 - fx0) };
  });
}
