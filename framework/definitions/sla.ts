import { z } from 'zod';

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
  })
  .strict();

/** A freshness deadline, e.g. `{ deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' }`. */
export type SlaSpec = z.infer<typeof slaSpecSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
