import type { AutomationCondition, ConditionContext } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { cronTicks, tickSince, type CronTicks } from './cron-ticks.ts';
import { iso, type CronOptions } from './cron-tick-passed.ts';
import { blockingInput, inputsReady, materializedSeqs, settleSelf } from './inputs.ts';
import { latestWindows, notYetEnded } from './windows.ts';

/**
 * True for the partitions of the latest ended time window once a tick of the cron pattern has passed
 * since each was last materialized or requested, when every input partition is ready and the
 * partition is not being run. Dagster's `on_cron`, with readiness in place of "every dep updated
 * since the tick". The tick is remembered until handled, so inputs arriving late still trigger it.
 *
 * @example
 * // 05:00 New York: the session that ended last.
 * defineAsset({ key: 'northbridge/risk-file', automation: onCron('0 5 * * 1-5', { tz: 'America/New_York' }), … });
 */
export function onCron(cron: string, { tz = 'UTC' }: CronOptions = {}): AutomationCondition {
  const label = `onCron('${cron}', '${tz}')`;
  const ticks = cronTicks(cron, tz, label);
  return createCondition({
    spec: { kind: 'on-cron', cron, tz },
    label,
    evaluate(context) {
      const waiting = pending(context, ticks);
      context.remember(waiting);
      const running = context.inProgress(context.id);
      const result = inputsReady(context);
      for (let i = 0; i < result.length; i++) if (waiting[i] === 0 || running?.[i] === 1) result[i] = 0;
      return settleSelf(context, result);
    },
    explain(context, index, result) {
      const tick = tickSince(ticks, context.previous?.evaluatedAt, context.now);
      const since = tick === undefined ? 'a tick passed' : `the tick at ${iso(tick)} passed`;
      if (result[index] === 1) return `${since} since it was last materialized or requested, and every input is ready`;
      const notYet = notYetEnded(context, index);
      if (notYet) return notYet;
      if (latestWindows(context)[index] === 0) return 'not in the latest time window';
      if (pending(context, ticks)[index] === 0) {
        if (!context.previous) return `first evaluation: waiting for the next tick, at ${iso(ticks.nextAfter(context.now))}`;
        if (tick !== undefined) return `${since}, but it was materialized or requested since the previous evaluation`;
        return `no tick since it was last materialized or requested; next at ${iso(ticks.nextAfter(context.now))}`;
      }
      if (context.inProgress(context.id)?.[index] === 1) return `${since}; it is being run`;
      return `${since}, but ${blockingInput(context, index, result) ?? 'an input is not ready'}`;
    },
  });
}

/**
 * The partitions of the latest window a tick is pending for: remembered from the previous evaluation
 * or newly ticked, less those materialized or requested since then (handled). When both happen
 * between two evaluations the partition counts as handled, as in Dagster's `since`.
 */
function pending(context: ConditionContext, ticks: CronTicks): Uint8Array {
  return context.shared(`on-cron ${ticks.cron} ${ticks.tz}`, () => {
    const ticked = tickSince(ticks, context.previous?.evaluatedAt, context.now) !== undefined;
    const latest = latestWindows(context);
    const remembered = context.memory ?? new Uint8Array(0);
    const requested = context.previous?.requested ?? new Uint8Array(0);
    const mat = materializedSeqs(context);
    const since = context.previous?.seq ?? Number.POSITIVE_INFINITY;
    const result = new Uint8Array(latest.length);
    for (let i = 0; i < result.length; i++) {
      const handled = requested[i] === 1 || mat[i]! > since;
      result[i] = latest[i] === 1 && (ticked || remembered[i] === 1) && !handled ? 1 : 0;
    }
    return result;
  });
}
