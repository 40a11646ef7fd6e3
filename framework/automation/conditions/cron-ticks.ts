import { Cron } from 'croner';
import { assertTimeZone } from '../../util/time-zone.ts';
import { DefinitionError } from '../../util/errors.ts';

/** The ticks of a cron pattern in a time zone, for `onCron` and `cronTickPassed`. */
export interface CronTicks {
  readonly cron: string;
  readonly tz: string;
  /** The first tick strictly after `epochMs`, or undefined when the pattern has no more. */
  nextAfter(epochMs: number): number | undefined;
}

/** Parses the pattern with croner at definition time, so a bad pattern or zone fails when the asset loads. */
export function cronTicks(cron: string, tz: string, where: string): CronTicks {
  let parsed: Cron;
  try {
    assertTimeZone(tz, 'tz');
    parsed = new Cron(cron, { timezone: tz, paused: true });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DefinitionError('invalid-definition', `${where}: field "automation": ${reason}`, { field: 'automation', cause });
  }
  return Object.freeze({
    cron,
    tz,
    // Croner works in whole seconds and returns the first run after the second it is given.
    nextAfter: (epochMs: number) => parsed.nextRun(new Date(epochMs))?.getTime(),
  });
}

/** The first tick after the previous evaluation, when it is at or before `now`. */
export function tickSince(ticks: CronTicks, previousAt: number | undefined, now: number): number | undefined {
  if (previousAt === undefined) return undefined;
  const next = ticks.nextAfter(previousAt);
  return next !== undefined && next <= now ? next : undefined;
}
