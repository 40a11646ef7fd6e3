import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { assertOperands, createCondition, quote } from './condition.ts';
import { notYetEnded } from './windows.ts';

/**
 * True where the operand is false, among the partitions that exist (whose window has ended).
 *
 * @example
 * automation: and(eager(), not(onMissing()))
 */
export function not(operand: AutomationCondition): AutomationCondition {
  const [checked] = assertOperands('not', [operand], { min: 1, max: 1 });
  return createCondition({
    spec: { kind: 'not' },
    label: 'not',
    operands: [checked!],
    evaluate(context) {
      const inner = context.operand(0);
      const result = context.universe.slice();
      for (let i = 0; i < result.length; i++) result[i]! &= inner[i]! ^ 1;
      return result;
    },
    explain(context, index, result) {
      if (result[index] === 1) return `${quote(checked!)} is false`;
      return notYetEnded(context, index) ?? `${quote(checked!)} is true`;
    },
  });
}
