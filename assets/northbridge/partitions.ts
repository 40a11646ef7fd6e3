import { multi, sessions, staticKeys } from '../../framework/index.ts';
import { xnys } from '../../calendars/index.ts';

/** NorthBridge processes every NYSE session since the start of its 2026 books. */
export const FIRST_SESSION = '2026-01-02';

export const BROKERS = ['GSCO', 'JPMS', 'MSCO'] as const;
export const PORTFOLIOS = ['PF001', 'PF002', 'PF003', 'PF004', 'PF005'] as const;

export const tradingSessions = sessions(xnys(), { start: FIRST_SESSION });
export const brokers = staticKeys(BROKERS);
export const portfolios = staticKeys(PORTFOLIOS);
export const sessionsByBroker = multi({ date: tradingSessions, broker: brokers });
export const sessionsByPortfolio = multi({ date: tradingSessions, portfolio: portfolios });
