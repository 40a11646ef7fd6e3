import type { AssetDefinition } from '../definitions/asset.ts';
import type { Definitions } from '../definitions/definitions.ts';
import type { SlaSpec } from '../definitions/sla.ts';
import { slaDeadline } from '../definitions/sla-deadline.ts';
import type { Calendar } from '../partitions/calendar.ts';
import type { PartitionsDefinition } from '../partitions/definition.ts';
import { DAY_MS, formatDay } from '../util/dates.ts';
import { DaybookError } from '../util/errors.ts';
import { utcToZoned, zonedToUtc } from '../util/time-zone.ts';
import type { SlaTarget } from './sla-risk.ts';

export interface SlaTargetsOptions {
  definitions: Definitions;
  now: number;
  /** Calendars SLAs name (`calendar: 'XNYS'`) beyond those of the assets' own partitions. */
  calendars?: readonly Calendar[];
  /** Deadlines passed this long ago are still watched (a miss stays an alert until then, or until delivered). */
  lookbackMs?: number;
  /** Deadlines this far ahead are predicted already. */
  horizonMs?: number;
}

/** The most days between a partition's date and its deadline: a week, then a weekday, or a long holiday. */
const MAX_DUE_AFTER_DAYS = 14;

/**
 * The partitions under an SLA whose deadline falls within `[now - lookbackMs, now + horizonMs]`, one
 * target per asset and date. A date is a partition of the asset when its time dimension has that key
 * (a session, a day, a week's first day), or covers that day with sub-daily windows. Unpartitioned
 * assets and assets without dates have no dated deadline and are left out.
 *
 * @example
 * dueSlaTargets({ definitions, now: store.now(), calendars: [xnys()] });
 * // [{ asset: 'northbridge/positions', partition: '2026-11-19', deadline: 1763638200000 }]
 */
export function dueSlaTargets({ definitions, now, calendars = [], lookbackMs = DAY_MS, horizonMs = 7 * DAY_MS }: SlaTargetsOptions): SlaTarget[] {
  const targets: SlaTarget[] = [];
  for (const asset of definitions.assets) {
    const sla = asset.sla;
    const time = asset.kind === 'asset' && sla ? timeDimension(asset.partitions) : undefined;
    if (!sla || !time) continue;
    const calendar = slaCalendar(asset, sla, calendars);
    const first = utcToZoned(sla.tz, now - lookbackMs).day - MAX_DUE_AFTER_DAYS;
    const last = utcToZoned(sla.tz, now + horizonMs).day;
    for (let day = first; day <= last; day++) {
      const date = formatDay(day);
      if (!hasDate(time, day)) continue;
      if (sla.partition === 'currentSession' && calendar && !calendar.isSession(date)) continue;
      const deadline = deadlineOf(sla, date, calendar);
      if (deadline !== undefined && deadline >= now - lookbackMs && deadline <= now + horizonMs) targets.push({ asset: asset.key, partition: date, deadline });
    }
  }
  return targets;
}

/** The calendar an SLA names, or without a name the one its asset's sessions use. */
export function slaCalendar(asset: AssetDefinition, sla: SlaSpec, calendars: readonly Calendar[]): Calendar | undefined {
  const own = [asset.partitions, ...(asset.partitions.dimensions ?? []).map((d) => d.definition)]
    .map((definition) => definition.time?.calendar)
    .filter((calendar): calendar is Calendar => calendar !== undefined);
  if (sla.calendar === undefined) return own[0];
  return calendars.find((calendar) => calendar.name === sla.calendar) ?? own.find((calendar) => calendar.name === sla.calendar);
}

function deadlineOf(sla: SlaSpec, date: string, calendar: Calendar | undefined): number | undefined {
  try {
    return slaDeadline(sla, date, calendar);
  } catch (error) {
    // A date beyond the calendar's range has no next session, hence no deadline.
    if (error instanceof DaybookError) return undefined;
    throw error;
  }
}

function timeDimension(partitions: PartitionsDefinition): PartitionsDefinition | undefined {
  if (partitions.time) return partitions;
  return partitions.dimensions?.find((dimension) => dimension.definition.time)?.definition;
}

function hasDate(time: PartitionsDefinition, day: number): boolean {
  if (time.tryIndexOf(formatDay(day)) >= 0) return true;
  const spec = time.spec;
  if (spec.kind !== 'time-window' || (spec.cadence !== '15-minute' && spec.cadence !== 'hourly')) return false;
  const axis = time.time!;
  return axis.indexContaining(zonedToUtc(axis.timeZone, day, 0)) >= 0 || axis.indexContaining(zonedToUtc(axis.timeZone, day, 24 * 60 - 1)) >= 0;
}
