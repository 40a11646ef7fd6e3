import { multi, sessions, staticKeys } from '../../framework/index.ts';
import { xnys } from '../../calendars/index.ts';

/**
 * The first session of NorthBridge's books: positions start flat on it, and every later session
 * builds on the one before. `NORTHBRIDGE_START` moves it (a backfill then starts there).
 */
export const FIRST_SESSION = process.env.NORTHBRIDGE_START ?? '2026-11-16';

export const BROKERS = ['GSCO', 'JPMS', 'MSCO'] as const;
export const PORTFOLIOS = ['PF001', 'PF002', 'PF003', 'PF004', 'PF005'] as const;

export const tradingSessions = sessions(xnys(), { start: FIRST_SESSION });
export const brokers = staticKeys(BROKERS);
export const portfolios = staticKeys(PORTFOLIOS);
export const sessionsByBroker = multi({ date: tradingSessions, broker: brokers });
export const sessionsByPortfolio = multi({ date: tradingSessions, portfolio: portfolios });
