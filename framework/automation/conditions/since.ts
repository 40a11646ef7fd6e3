import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { assertOperands, createCondition, quote } from './condition.ts';

/**
 * True where `trigger` was true at some evaluation after `reset` was last true: the node remembers
 * its result between evaluations (in the cursor). When both are true at one evaluation, `reset` wins.
 * Both operands are evaluated on every partition, whatever the node sits under.
 *
 * @example
 * // A tick passed since the partition was last materialized (onCron without its readiness and window).
 * automation: since(cronTickPassed('0 5 * * *', { tz: 'America/New_York' }), newlyUpdated())
 */
export function since(trigger: AutomationCondition, reset: AutomationCondition): AutomationCondition {
  const [checkedTrigger, checkedReset] = assertOperands('since', [trigger, reset], { min: 2, max: 2 });
  return createCondition({
    spec: { kind: 'since' },
    label: 'since',
    operands: [checkedTrigger!, checkedReset!],
    evaluate(context) {
      const set = context.operand(0);
      const cleared = context.operand(1);
      const remembered = context.memory ?? new Uint8Array(set.length);
      const result = context.universe.slice();
      for (let i = 0; i < result.length; i++) result[i]! &= (set[i]! | remembered[i]!) & (cleared[i]! ^ 1);
      context.remember(result);
      return result;
    },
    explain(context, index, result) {
      const triggerNow = context.operand(0)[index] === 1;
      if (context.operand(1)[index] === 1) return `reset: ${quote(checkedReset!)} is true now`;
      if (result[index] === 0) return `${quote(checkedTrigger!)} has not been true since ${quote(checkedReset!)} was last true`;
      return triggerNow ? `${quote(checkedTrigger!)} is true now` : `${quote(checkedTrigger!)} was true at an earlier evaluation, and ${quote(checkedReset!)} has not been true since`;
    },
  });
}
