import type { Calendar } from '../../../framework/index.ts';
import { PORTFOLIOS } from '../partitions.ts';
import type { Broker } from '../broker-feeds.ts';
import { amended, cancelled, ControlTally } from './corrections.ts';
import type { ControlTotals, ExecutionRecord } from './execution-record.ts';
import { type MarketDay, roundTicks } from './market.ts';
import { createRandom } from './random.ts';
import { EXECUTION_DECIMALS, type Security } from './universe.ts';

export interface SessionExecutionsOptions {
  seed: number;
  scale: number;
  date: string;
  broker: Broker;
  calendar: Calendar;
  universe: readonly Security[];
  /** Marks of the previous session and of this one: fills drift from one close to the other. */
  previous: MarketDay;
  current: MarketDay;
}

/** A broker's executions of one session, generated lazily, and the control totals once they are all out. */
export interface SessionExecutions {
  readonly records: Iterable<ExecutionRecord>;
  control(): ControlTotals;
}

/** Executions per broker and session at scale 1; the count varies by ±20% from day to day. */
export const EXECUTIONS_PER_BROKER = 500;
const AMEND_RATE = 0.004;
const CANCEL_RATE = 0.002;

/**
 * Orders of 1 to 4 fills in round lots, on securities picked with a skew (a few names trade a lot),
 * timed across the session's hours (early closes included) and priced between the previous close and
 * this one. A few fills are corrected or cancelled later in the same file, as brokers do intraday.
 */
export function sessionExecutions(options: SessionExecutionsOptions): SessionExecutions {
  const tally = new ControlTally();
  let done = false;
  return {
    records: generate(options, tally, () => (done = true)),
    control() {
      if (!done) throw new Error('control totals are known only once every execution has been generated');
      return tally.snapshot();
    },
  };
}

function* generate(
  { seed, scale, date, broker, calendar, universe, previous, current }: SessionExecutionsOptions,
  tally: ControlTally,
  finish: () => void,
): Generator<ExecutionRecord> {
  const random = createRandom(seed, `executions/${date}/${broker}/${scale}`);
  const total = Math.max(1, Math.round(EXECUTIONS_PER_BROKER * scale * (0.8 + 0.4 * random.next())));
  const open = calendar.openAt(date).getTime();
  const length = calendar.closeAt(date).getTime() - open;
  const day = date.replaceAll('-', '');
  const later: Array<{ previous: ExecutionRecord; next: ExecutionRecord }> = [];
  let emitted = 0;
  let orders = 0;
  while (emitted < total) {
    const security = universe[Math.floor(universe.length * random.next() ** 2)]!;
    const portfolio = random.pick(PORTFOLIOS);
    const side = random.chance(0.5) ? 'BUY' : 'SELL';
    const orderId = `${broker}-O${day}-${String(++orders).padStart(7, '0')}`;
    const fills = Math.min(total - emitted, 1 + random.int(4));
    for (let fill = 0; fill < fills; fill++) {
      const elapsed = (emitted + random.next()) / total;
      const from = previous.closeTicks[security.index]!;
      const to = current.closeTicks[security.index]!;
      const reference = (from + elapsed * (to - from)) / 10_000;
      const price = reference * Math.exp(0.2 * security.volatility * random.normal());
      const record: ExecutionRecord = {
        execId: `${broker}-${day}-${String(++emitted).padStart(8, '0')}`,
        orderId,
        version: 1,
        status: 'NEW',
        portfolio,
        symbol: security.symbol,
        side,
        quantity: 100 * (1 + random.int(random.chance(0.1) ? 200 : 20)),
        priceTicks: roundTicks(price, EXECUTION_DECIMALS[security.currency]),
        currency: security.currency,
        tradeTime: open + Math.floor(elapsed * length),
      };
      tally.add(record);
      const roll = random.next();
      if (roll < AMEND_RATE + CANCEL_RATE) later.push({ previous: record, next: roll < AMEND_RATE ? amended(record, random) : cancelled(record) });
      yield record;
    }
  }
  for (const { previous: superseded, next } of later) {
    tally.replace(superseded, next);
    yield next;
  }
  finish();
}
