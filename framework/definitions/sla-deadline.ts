import type { Calendar } from '../partitions/calendar.ts';
import { parseDay, weekdayOf } from '../util/dates.ts';
import { zonedToUtc } from '../util/time-zone.ts';
import type { SlaSpec } from './sla.ts';

/**
 * The instant (epoch ms) by which the partition of `day` must be materialized under an SLA:
 * - `currentSession`, `currentDay`: the deadline on that day itself;
 * - `previousSession`: on the next session of the SLA's calendar (the pre-market deadline of the
 *   session before), or the next day without a calendar;
 * - `previousDay`: on the next day;
 * - `previousWeek`: `day` starts a weekly window; on the first `weekday` (default Monday) after
 *   the window's seven days.
 *
 * The deadline is the local `HH:MM` in the SLA's time zone, DST included. Pure: the calendar is passed in.
 *
 * @example
 * slaDeadline({ deadline: '06:30', tz: 'America/New_York', calendar: 'XNYS', partition: 'previousSession' }, '2026-11-25', xnys());
 * // 2026-11-27T11:30:00.000Z: 06:30 New York on the next session (Thanksgiving is closed)
 */
export function slaDeadline(sla: SlaSpec, day: string, calendar: Calendar | undefined): number {
  const [hours, minutes] = sla.deadline.split(':').map(Number) as [number, number];
  const partitionDay = parseDay(day, 'SLA partition date');
  let deadlineDay: number;
  switch (sla.partition) {
    case 'currentSession':
    case 'currentDay':
      deadlineDay = partitionDay;
      break;
    case 'previousSession':
      deadlineDay = calendar ? parseDay(calendar.next(day)) : partitionDay + 1;
      break;
    case 'previousDay':
      deadlineDay = partitionDay + 1;
      break;
    case 'previousWeek': {
      const weekday = sla.weekday ?? 1;
      deadlineDay = partitionDay + 7;
      while (weekdayOf(deadlineDay) !== weekday) deadlineDay++;
      break;
    }
  }
  return zonedToUtc(sla.tz, deadlineDay, hours * 60 + minutes);
}

