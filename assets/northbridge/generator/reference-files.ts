import type { MarketDay } from './market.ts';
import { createRandom } from './random.ts';
import { writeTextFile, csvField } from './text-file.ts';
import { CLOSE_DECIMALS, CURRENCIES, type Security } from './universe.ts';

interface ReferenceFileOptions {
  path: string;
  date: string;
  seed: number;
}

/**
 * The security master: one row per security, plus, on some days, a superseded row for one security
 * (an older `last_updated` and its former name), as vendors resend changed records in full files.
 */
export async function writeSecurityMaster({ path, date, seed, universe }: ReferenceFileOptions & { universe: readonly Security[] }): Promise<number> {
  const random = createRandom(seed, `securities/${date}`);
  const stale = random.chance(0.5) ? universe[random.int(universe.length)] : undefined;
  let rows = 0;
  function* lines(): Generator<string> {
    yield 'symbol,isin,name,currency,asset_class,exchange,last_updated';
    for (const security of universe) {
      const row = (name: string, updated: string) =>
        [security.symbol, security.isin, name, security.currency, security.assetClass, security.exchange, updated].map(csvField).join(',');
      if (security === stale) {
        rows++;
        yield row(`${security.name.split(' ')[0]} Legacy ${security.assetClass === 'ETF' ? 'Fund' : 'Co'}`, '2025-06-30 22:00:00');
      }
      rows++;
      yield row(security.name, '2025-12-31 22:00:00');
    }
  }
  await writeTextFile(path, lines());
  return rows;
}

/**
 * End-of-day rates to USD (USD itself included, at 1); `published_at` is UTC. On some days a
 * preliminary rate for one currency, published earlier, precedes the final one.
 */
export async function writeFxRates({ path, date, seed, day }: ReferenceFileOptions & { day: MarketDay }): Promise<number> {
  const random = createRandom(seed, `fx/${date}`);
  const lines = ['currency,rate_to_usd,as_of_date,published_at'];
  const preliminary = random.chance(0.3) ? random.pick(CURRENCIES.filter((c) => c !== 'USD')) : undefined;
  for (const currency of CURRENCIES) {
    const rate = day.fx[currency];
    if (currency === preliminary) {
      lines.push(`${currency},${Number((rate * (1 + 0.001 * random.normal())).toPrecision(8))},${date},${date} 16:30:00`);
    }
    lines.push(`${currency},${rate},${date},${date} 22:00:00`);
  }
  await writeTextFile(path, lines);
  return lines.length - 1;
}

/** Closing prices per security, in the security's currency and its usual decimals. */
export async function writeClosingPrices({ path, date, universe, day }: Omit<ReferenceFileOptions, 'seed'> & { universe: readonly Security[]; day: MarketDay }): Promise<number> {
  function* lines(): Generator<string> {
    yield 'symbol,currency,close,price_date';
    for (const security of universe) {
      yield `${csvField(security.symbol)},${security.currency},${formatPrice(day.closeTicks[security.index]!, CLOSE_DECIMALS[security.currency])},${date}`;
    }
  }
  await writeTextFile(path, lines());
  return universe.length;
}

/** Ticks of 0.0001 as a decimal with `decimals` places. */
export function formatPrice(ticks: number, decimals: number): string {
  return (ticks / 10_000).toFixed(decimals);
}
