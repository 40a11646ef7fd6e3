import type { AutomationCondition, AutomationConditionSpec, ConditionContext } from '../../definitions/automation-condition.ts';
import { DefinitionError } from '../../util/errors.ts';

/** What a leaf or an operator is made of. */
export interface ConditionParts {
  readonly spec: AutomationConditionSpec;
  readonly label: string;
  readonly operands?: readonly AutomationCondition[];
  evaluate(context: ConditionContext): Uint8Array;
  explain(context: ConditionContext, index: number, result: Uint8Array): string;
}

/** Freezes a condition node: its spec (with its operands' specs), label, operands and functions. */
export function createCondition(parts: ConditionParts): AutomationCondition {
  const operands = Object.freeze([...(parts.operands ?? [])]);
  const spec = Object.freeze(operands.length > 0 ? { ...parts.spec, operands: Object.freeze(operands.map((operand) => operand.spec)) } : { ...parts.spec });
  return Object.freeze({ spec, label: parts.label, operands, evaluate: parts.evaluate, explain: parts.explain });
}

/** Checks an operator's operands are conditions, so a mistake fails when the asset is declared. */
export function assertOperands(operator: string, operands: readonly unknown[], count: { min: number; max?: number }): readonly AutomationCondition[] {
  const { min, max = Number.POSITIVE_INFINITY } = count;
  if (operands.length < min || operands.length > max) {
    const expected = max === min ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw new DefinitionError('invalid-definition', `${operator}(): expected ${expected} condition operand(s), got ${operands.length}`, { field: 'automation' });
  }
  operands.forEach((operand, position) => {
    const ok = typeof operand === 'object' && operand !== null && typeof (operand as AutomationCondition).evaluate === 'function';
    if (!ok) throw new DefinitionError('invalid-definition', `${operator}(): operand ${position + 1} is not a condition (eager(), onCron(), …)`, { field: 'automation' });
  });
  return operands as readonly AutomationCondition[];
}

/** How the tester names an operand in its parent's detail. */
export function quote(condition: AutomationCondition): string {
  return `\`${condition.label}\``;
}
