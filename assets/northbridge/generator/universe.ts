import { createRandom, type Random } from './random.ts';

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** One security of the generated master; prices are kept in ticks of 0.0001 so notional sums stay exact. */
export interface Security {
  readonly index: number;
  readonly symbol: string;
  readonly isin: string;
  readonly name: string;
  readonly currency: Currency;
  readonly assetClass: 'EQUITY' | 'ETF';
  readonly exchange: string;
  /** Close on the walk's anchor session, in the security's currency. */
  readonly basePrice: number;
  /** Daily volatility of the log price. */
  readonly volatility: number;
}

/** Decimals of closing prices and of execution prices, per currency (yen trade without cents). */
export const CLOSE_DECIMALS: Readonly<Record<Currency, number>> = { USD: 2, EUR: 2, GBP: 2, JPY: 0 };
export const EXECUTION_DECIMALS: Readonly<Record<Currency, number>> = { USD: 4, EUR: 4, GBP: 4, JPY: 1 };

const VENUES: Readonly<Record<Currency, ReadonlyArray<{ exchange: string; country: string; suffix: string }>>> = {
  USD: [
    { exchange: 'XNYS', country: 'US', suffix: '' },
    { exchange: 'XNAS', country: 'US', suffix: '' },
  ],
  EUR: [
    { exchange: 'XPAR', country: 'FR', suffix: '.PA' },
    { exchange: 'XETR', country: 'DE', suffix: '.DE' },
  ],
  GBP: [{ exchange: 'XLON', country: 'GB', suffix: '.L' }],
  JPY: [{ exchange: 'XTKS', country: 'JP', suffix: '.T' }],
};

const FIRST_WORDS = ['Atlas', 'Aurora', 'Beacon', 'Cedar', 'Crescent', 'Delta', 'Everest', 'Falcon', 'Granite', 'Harbor', 'Horizon', 'Juniper', 'Keystone', 'Lumen', 'Meridian', 'Nimbus', 'Northern', 'Orion', 'Pacific', 'Pinnacle', 'Quartz', 'Redwood', 'Sierra', 'Summit', 'Tidewater', 'Union', 'Vertex', 'Willow'];
const SECOND_WORDS = ['Aerospace', 'Biotech', 'Capital', 'Chemicals', 'Energy', 'Foods', 'Health', 'Industries', 'Logistics', 'Materials', 'Media', 'Minerals', 'Motors', 'Networks', 'Pharma', 'Power', 'Retail', 'Semiconductor', 'Software', 'Steel', 'Telecom', 'Utilities'];
const COMPANY_SUFFIXES: Readonly<Record<Currency, readonly string[]>> = {
  USD: ['Inc', 'Corp', 'Holdings Inc', 'Group Inc'],
  EUR: ['SA', 'SE', 'AG', 'NV'],
  GBP: ['plc', 'Group plc', 'Holdings plc'],
  JPY: ['KK', 'Holdings KK', 'Corp'],
};
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** About 200 × scale securities: 60% USD, 20% EUR, 10% GBP, 10% JPY; the same list for the same seed and scale. */
export function createUniverse({ seed, scale }: { seed: number; scale: number }): readonly Security[] {
  const count = Math.max(20, Math.round(200 * scale));
  const random = createRandom(seed, `universe/${count}`);
  const symbols = new Set<string>();
  const isins = new Set<string>();
  const securities: Security[] = [];
  for (let index = 0; index < count; index++) {
    const roll = random.next();
    const currency: Currency = roll < 0.6 ? 'USD' : roll < 0.8 ? 'EUR' : roll < 0.9 ? 'GBP' : 'JPY';
    const venue = random.pick(VENUES[currency]);
    const assetClass = random.chance(0.15) ? 'ETF' : 'EQUITY';
    const symbol = unique(symbols, () => tickerOf(random, count) + venue.suffix);
    const isin = unique(isins, () => isinOf(venue.country, random));
    const first = random.pick(FIRST_WORDS);
    const name =
      assetClass === 'ETF' ? `${first} ${random.pick(SECOND_WORDS)} Index Fund` : `${first} ${random.pick(SECOND_WORDS)} ${random.pick(COMPANY_SUFFIXES[currency])}`;
    const price = Math.exp(Math.log(60) + 0.8 * random.normal()) * (currency === 'JPY' ? 150 : 1);
    const volatility = assetClass === 'ETF' ? 0.006 + 0.009 * random.next() : 0.01 + 0.02 * random.next();
    securities.push({
      index,
      symbol,
      isin,
      name,
      currency,
      assetClass,
      exchange: venue.exchange,
      basePrice: Math.min(Math.max(price, currency === 'JPY' ? 100 : 2), currency === 'JPY' ? 90_000 : 2_000),
      volatility,
    });
  }
  return securities;
}

function unique(seen: Set<string>, make: () => string): string {
  for (;;) {
    const value = make();
    if (!seen.has(value)) {
      seen.add(value);
      return value;
    }
  }
}

/** Tickers get longer with the universe so that collisions stay rare. */
function tickerOf(random: Random, count: number): string {
  const length = (count > 50_000 ? 4 : 3) + random.int(2);
  let ticker = '';
  for (let i = 0; i < length; i++) ticker += LETTERS[random.int(26)];
  return ticker;
}

/** A well-formed ISIN: country, nine alphanumerics and the ISO 6166 (Luhn) check digit. */
export function isinOf(country: string, random: Random): string {
  let body = country;
  for (let i = 0; i < 9; i++) body += ALPHANUMERIC[random.int(i < 2 ? 10 : 36)];
  return body + isinCheckDigit(body);
}

export function isinCheckDigit(body: string): number {
  const digits = [...body].map((char) => ALPHANUMERIC.indexOf(char).toString()).join('');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}
