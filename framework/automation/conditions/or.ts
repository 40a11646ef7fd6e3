import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { assertOperands, createCondition, quote } from './condition.ts';

/**
 * True where any operand is true.
 *
 * @example
 * automation: or(onMissing(), whenUpstreamChanged())
 */
export function or(...operands: AutomationCondition[]): AutomationCondition {
  const checked = assertOperands('or', operands, { min: 1 });
  return createCondition({
    spec: { kind: 'or' },
    label: 'or',
    operands: checked,
    evaluate(context) {
      const result = context.operand(0).slice();
      for (let position = 1; position < checked.length; position++) {
        const next = context.operand(position);
        for (let i = 0; i < result.length; i++) result[i]! |= next[i]!;
      }
      return result;
    },
    explain(context, index, result) {
      if (result[index] === 0) return `none of the ${checked.length} operands is true`;
      const truthy = checked.filter((_, position) => context.operand(position)[index] === 1);
      return `${truthy.map(quote).join(' and ')} ${truthy.length === 1 ? 'is' : 'are'} true`;
    },
  });
}
