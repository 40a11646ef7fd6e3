// SLA deadlines of partitions, and whether they are met. An SLA says when a partition is due relative
// to its date: `previousSession` at 06:30 New York means session D is due at 06:30 on the next session.
import { formatDay, slaDeadline, tryParseDay, weekdayOf, utcToZoned, type AssetDefinition, type Calendar, type SlaSpec } from '../../framework/index.ts';
import type { PartitionStatusName } from './status.ts';

export type SlaState = 'met' | 'at-risk' | 'missed' | 'pending';

/** The calendar an SLA names (or, without a name, the one its asset's sessions use). */
export function slaCalendar(asset: AssetDefinition, sla: SlaSpec, calendars: readonly Calendar[]): Calendar | undefined {
  const own = [asset.partitions.time?.calendar, ...(asset.partitions.dimensions ?? []).map((d) => d.definition.time?.calendar)].filter(
    (calendar): calendar is Calendar => calendar !== undefined,
  );
  if (sla.calendar === undefined) return own[0];
  return calendars.find((calendar) => calendar.name === sla.calendar) ?? own.find((calendar) => calendar.name === sla.calendar);
}

/**
 * The deadline (epoch ms) of the partition dated `date` (`YYYY-MM-DD`: a session, a day, or a week's
 * first day), as the daemon's SLA monitor computes it (`slaDeadline`); undefined when that partition
 * has none (`currentSession` on a day that is not a session, or a date outside the calendar's range).
 */
export function deadlineOf(sla: SlaSpec, date: string, calendar: Calendar | undefined): number | undefined {
  if (tryParseDay(date) === undefined) return undefined;
  try {
    if (sla.partition === 'currentSession' && calendar !== undefined && !calendar.isSession(date)) return undefined;
    return slaDeadline(sla, date, calendar);
  } catch {
    return undefined;
  }
}

/**
 * The date of the partition due on `dueDate` (the inverse of `deadlineOf`), for the SLA board;
 * undefined when nothing is due that day.
 */
export function dueOn(sla: SlaSpec, dueDate: string, calendar: Calendar | undefined): string | undefined {
  const day = tryParseDay(dueDate);
  if (day === undefined) return undefined;
  const candidate = ((): number | undefined => {
    try {
      switch (sla.partition) {
        case 'currentDay':
          return day;
        case 'previousDay':
          return day - 1;
        case 'currentSession':
          return calendar === undefined || calendar.isSession(dueDate) ? day : undefined;
        case 'previousSession':
          if (calendar === undefined) return day - 1;
          return calendar.isSession(dueDate) ? tryParseDay(calendar.previous(dueDate)) : undefined;
        case 'previousWeek':
          return weekdayOf(day) === (sla.weekday ?? 1) ? day - 7 : undefined;
      }
    } catch {
      return undefined;
    }
  })();
  if (candidate === undefined) return undefined;
  const date = formatDay(candidate);
  const deadline = deadlineOf(sla, date, calendar);
  return deadline !== undefined && formatDay(utcToZoned(sla.tz, deadline).day) === dueDate ? date : undefined;
}

/** Today's date in the SLA's zone. */
export function localDate(sla: SlaSpec, now: number): string {
  return formatDay(utcToZoned(sla.tz, now).day);
}

/**
 * Met, missed, at risk or pending. Before the deadline: `met` once fresh, `at-risk` when failed or when
 * the expected remaining work would end past it, else `pending`. After it: `met` when the current
 * materialization was recorded by the deadline and has not failed since, else `missed`.
 */
export function slaState({
  deadline,
  now,
  status,
  materializedAt,
  remainingMs,
}: {
  deadline: number;
  now: number;
  status: PartitionStatusName;
  materializedAt: number | null;
  remainingMs: number;
}): SlaState {
  const deliveredInTime = materializedAt !== null && materializedAt <= deadline && status !== 'failed' && status !== 'missing';
  if (now <= deadline) {
    if (status === 'fresh') return 'met';
    if (status === 'failed' || now + remainingMs > deadline) return 'at-risk';
    return 'pending';
  }
  return deliveredInTime ? 'met' : 'missed';
}
