import { z } from 'zod';
import { parseDuration } from '../util/duration.ts';

/** Which partition a deadline applies to, relative to the day of the deadline. */
export const SLA_PARTITIONS = ['currentSession', 'previousSession', 'currentDay', 'previousDay', 'previousWeek'] as const;

export const slaSpecSchema = z
  .object({
    /** Local deadline, `HH:MM`. */
    deadline: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM'),
    /** IANA time zone of the deadline. */
    tz: z.string().refine((tz) => isTimeZone(tz), 'unknown IANA time zone'),
    /** Market calendar whose sessions carry a deadline, e.g. `XNYS`. */
    calendar: z.string().optional(),
    partition: z.enum(SLA_PARTITIONS),
    /** For weekly deadlines: the weekday of the deadline, 0 = Sunday … 6 = Saturday. */
    weekday: z.number().int().min(0).max(6).optional(),
    /**
     * The expected duration of this asset's step, e.g. `45m` or `1h30m`, used to predict SLA risk until
     * the store holds enough successful runs to take their p90 (see `slaEstimateMs`).
     */
    estimate: z.string().refine((text) => parseDuration(text) !== undefined, "expected a duration such as '45m', '1h30m' or '8h'").optional(),
  })
  .strict();

/** A freshness deadline, e.g. `{ deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' }`. */
export type SlaSpec = z.infer<typeof slaSpecSchema>;

/** The SLA's declared step estimate in milliseconds, or undefined without one. */
export function slaEstimateMs(sla: SlaSpec | undefined): number | undefined {
  return sla?.estimate === undefined ? undefined : parseDuration(sla.estimate);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
