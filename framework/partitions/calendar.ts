/** A weekday on which the market is closed, with the reason (a holiday, or an unscheduled closure). */
export interface Closure {
  /** `YYYY-MM-DD` */
  date: string;
  name: string;
}

/** A session that closes before the regular close. */
export interface EarlyClose {
  /** `YYYY-MM-DD` */
  date: string;
  /** Local close time, `HH:MM`. */
  close: string;
  name: string;
}

/** Local trading hours of one session, `HH:MM` in the calendar's time zone. */
export interface SessionHours {
  open: string;
  close: string;
}

/**
 * A market calendar: which days are trading sessions, and their hours.
 * Implementations live in `calendars/`; `createCalendar()` builds one from yearly rules.
 *
 * @example
 * const d = xnys().previous('2026-11-27'); // '2026-11-25' (Thanksgiving is closed)
 */
export interface Calendar {
  /** The market identifier code, e.g. `XNYS`. */
  readonly name: string;
  /** The IANA zone of session hours, e.g. `America/New_York`. */
  readonly timeZone: string;
  /** First and last dates the calendar knows, `YYYY-MM-DD`. Outside them every method throws a PartitionError. */
  readonly firstDate: string;
  readonly lastDate: string;
  /** Every session from firstDate to lastDate as ascending day numbers (days since 1970-01-01). Shared; do not mutate. */
  sessionDays(): Int32Array;
  isSession(date: string): boolean;
  /** Sessions from `from` to `to`, both inclusive, ascending. */
  sessions(from: string, to: string): string[];
  /** The first session strictly after `date` (which need not be a session). */
  next(date: string): string;
  /** The last session strictly before `date` (which need not be a session). */
  previous(date: string): string;
  /** Local hours of a session; throws a PartitionError when `date` is not a session. */
  hours(date: string): SessionHours;
  /** Open instant of a session, in UTC. */
  openAt(date: string): Date;
  /** Close instant of a session, in UTC (early closes included). */
  closeAt(date: string): Date;
  /** Early closes from `from` to `to`, inclusive. */
  earlyCloses(from: string, to: string): EarlyClose[];
  /** Weekday closures (holidays and unscheduled closures) from `from` to `to`, inclusive. */
  closures(from: string, to: string): Closure[];
}
