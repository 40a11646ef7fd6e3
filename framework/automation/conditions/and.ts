import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { assertOperands, createCondition, quote } from './condition.ts';

/**
 * True where every operand is true.
 *
 * @example
 * automation: and(eager(), not(onMissing())) // update existing partitions only
 */
export function and(...operands: AutomationCondition[]): AutomationCondition {
  const checked = assertOperands('and', operands, { min: 1 });
  return createCondition({
    spec: { kind: 'and' },
    label: 'and',
    operands: checked,
    evaluate(context) {
      const result = context.operand(0).slice();
      for (let position = 1; position < checked.length; position++) {
        const next = context.operand(position);
        for (let i = 0; i < result.length; i++) result[i]! &= next[i]!;
      }
      return result;
    },
    explain(context, index, result) {
      if (result[index] === 1) return `all ${checked.length} operands are true`;
      const falsy = checked.filter((_, position) => context.operand(position)[index] === 0);
      return `${falsy.map(quote).join(' and ')} ${falsy.length === 1 ? 'is' : 'are'} false`;
    },
  });
}
