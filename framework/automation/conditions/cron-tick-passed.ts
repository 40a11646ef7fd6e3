import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { cronTicks, tickSince } from './cron-ticks.ts';
import { notYetEnded } from './windows.ts';

export interface CronOptions {
  /** IANA zone of the pattern's wall times; default `UTC`. */
  tz?: string;
}

/**
 * True for every existing partition when a tick of the cron pattern passed since the previous
 * evaluation (never on the first one). `onCron` builds on the same ticks; this leaf is for `since`.
 *
 * @example
 * automation: since(cronTickPassed('0 * * * *'), newlyUpdated())
 */
export function cronTickPassed(cron: string, { tz = 'UTC' }: CronOptions = {}): AutomationCondition {
  const label = `cronTickPassed('${cron}', '${tz}')`;
  const ticks = cronTicks(cron, tz, label);
  return createCondition({
    spec: { kind: 'cron-tick-passed', cron, tz },
    label,
    evaluate(context) {
      const passed = tickSince(ticks, context.previous?.evaluatedAt, context.now) !== undefined;
      return passed ? context.universe.slice() : new Uint8Array(context.universe.length);
    },
    explain(context, index, result) {
      const tick = tickSince(ticks, context.previous?.evaluatedAt, context.now);
      if (result[index] === 1) return `the tick at ${iso(tick)} passed since the previous evaluation`;
      if (tick !== undefined) return notYetEnded(context, index) ?? 'not an existing partition';
      if (!context.previous) return 'first evaluation: ticks count from now on';
      return `no tick since the previous evaluation at ${iso(context.previous.evaluatedAt)}; next at ${iso(ticks.nextAfter(context.now))}`;
    },
  });
}

/** An instant for the tester, in UTC. */
export function iso(epochMs: number | undefined): string {
  return epochMs === undefined ? 'never' : new Date(epochMs).toISOString();
}
