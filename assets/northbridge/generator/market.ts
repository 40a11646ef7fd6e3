import type { Calendar } from '../../../framework/index.ts';
import { hashString, normalAt } from './random.ts';
import { CLOSE_DECIMALS, type Currency, type Security } from './universe.ts';

/** The walks start here; any session before or after is reached by stepping from it, in either direction. */
export const WALK_ANCHOR = '2026-01-02';

const FX_BASE: Readonly<Record<Currency, number>> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067 };
const FX_VOLATILITY = 0.004;
const DAY_MS = 86_400_000;

/** Closing marks of one session: prices in ticks of 0.0001 of the security's currency, rates to USD. */
export interface MarketDay {
  readonly date: string;
  /** Close per security index, in ticks of 0.0001, rounded to the currency's close decimals. */
  readonly closeTicks: Float64Array;
  readonly fx: Readonly<Record<Currency, number>>;
}

/** Random walks of closes and FX rates that give the same mark for a session however it is reached. */
export interface Market {
  day(date: string): MarketDay;
}

/**
 * A geometric random walk per security and per currency, with steps drawn from counters
 * (seed, security, session ordinal). Stepping forward from the last computed session costs one
 * step per security, so a range of sessions costs one pass after the first.
 */
export function createMarket({ seed, calendar, universe }: { seed: number; calendar: Calendar; universe: readonly Security[] }): Market {
  const days = calendar.sessionDays();
  const anchor = sessionIndex(days, dayNumber(WALK_ANCHOR));
  const ordinalOf = (date: string) => {
    const ordinal = sessionIndex(days, dayNumber(date));
    if (ordinal < 0) throw new Error(`${date} is not a ${calendar.name} session`);
    return ordinal - anchor;
  };
  const priceStream = hashString('prices');
  const fxStream = hashString('fx');
  const walk = new Float64Array(universe.length);
  const fxWalk = new Float64Array(FX_CURRENCIES.length);
  let at = 0;

  const step = (ordinal: number, sign: 1 | -1) => {
    for (let i = 0; i < universe.length; i++) walk[i]! += sign * normalAt(seed, priceStream, i, ordinal + 0x40000000);
    for (let c = 0; c < FX_CURRENCIES.length; c++) fxWalk[c]! += sign * normalAt(seed, fxStream, c, ordinal + 0x40000000);
  };

  return {
    day(date) {
      const target = ordinalOf(date);
      while (at < target) step(++at, 1);
      while (at > target) step(at--, -1);
      const closeTicks = new Float64Array(universe.length);
      for (const security of universe) {
        const price = security.basePrice * Math.exp(security.volatility * walk[security.index]!);
        closeTicks[security.index] = roundTicks(price, CLOSE_DECIMALS[security.currency]);
      }
      const fx = { USD: 1 } as Record<Currency, number>;
      FX_CURRENCIES.forEach((currency, c) => {
        fx[currency] = Number((FX_BASE[currency] * Math.exp(FX_VOLATILITY * fxWalk[c]!)).toPrecision(8));
      });
      return { date, closeTicks, fx };
    },
  };
}

const FX_CURRENCIES = ['EUR', 'GBP', 'JPY'] as const satisfies readonly Currency[];

/** A price in ticks of 0.0001, rounded to `decimals` decimals (at most 4). */
export function roundTicks(price: number, decimals: number): number {
  const unit = 10 ** (4 - decimals);
  return Math.max(unit, Math.round((price * 10_000) / unit) * unit);
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function sessionIndex(days: Int32Array, day: number): number {
  let low = 0;
  let high = days.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const value = days[mid]!;
    if (value === day) return mid;
    if (value < day) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
