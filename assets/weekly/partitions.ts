import { timeWindows } from '../../framework/index.ts';

/** The quality team works in New York time. */
export const TIME_ZONE = 'America/New_York';

/**
 * The first week of the weekly quality job, a Sunday. `WEEKLY_START` moves it; daily scans start
 * the same day, and so does the request queue.
 */
export const FIRST_WEEK = process.env.WEEKLY_START ?? '2026-11-15';

/** The datasets the scans cover, and the rules each scan applies. */
export const DATASETS = [
  'billing.invoices',
  'billing.payments',
  'crm.accounts',
  'crm.contacts',
  'product.events',
  'product.sessions',
  'sales.order_lines',
  'sales.orders',
  'support.tickets',
  'warehouse.inventory',
  'warehouse.shipments',
  'web.pageviews',
] as const;
export const RULES = ['not_null', 'unique', 'freshness', 'range', 'referential'] as const;
export const PRIORITIES = ['low', 'normal', 'high'] as const;

/** The fields of a daily scan-results file and of a request-queue file. */
export const SCAN_FIELDS = ['scan_id', 'dataset', 'rule', 'rows_scanned', 'rows_failed', 'scanned_at'] as const;
export const REQUEST_FIELDS = ['request_id', 'dataset', 'rule', 'requested_by', 'priority', 'requested_at'] as const;

/** Sunday-to-Saturday weeks in New York, keyed by their Sunday: `2026-11-15`. */
export const weeks = timeWindows({ cadence: 'weekly', start: FIRST_WEEK, timeZone: TIME_ZONE, weekStart: 0 });

/** New York days, for the daily scan results a week reads. */
export const scanDays = timeWindows({ cadence: 'daily', start: FIRST_WEEK, timeZone: TIME_ZONE });

/**
 * The request queue's windows: a quarter hour of New York time each, `2026-11-20T14:15`. A quarter
 * hour is the finest cadence `timeWindows()` has; the queue is drained as each window's file grows.
 */
export const requestWindows = timeWindows({ cadence: '15-minute', start: `${FIRST_WEEK}T00:00`, timeZone: TIME_ZONE });
