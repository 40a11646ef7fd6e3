import type { AutomationCondition, ConditionContext } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { attemptable, blockingInput, failureHold, inputsReady, materializedSeq, materializedSeqs, newerInput, newestInputs, settleSelf } from './inputs.ts';
import { notYetEnded } from './windows.ts';

/**
 * True for a partition that is missing or whose inputs have data it has not consumed, once every
 * input partition is ready (fresh, or requested in this same evaluation, and not being run) and the
 * partition itself is not being run. A partition whose last attempt failed waits for new input data.
 * Code-version changes do not trigger it. See docs/automation.md.
 *
 * @example
 * defineAsset({ key: 'northbridge/pnl', deps: ['northbridge/positions'], automation: eager(), … });
 */
export function eager(): AutomationCondition {
  return createCondition({
    spec: { kind: 'eager' },
    label: 'eager()',
    evaluate(context) {
      const mat = materializedSeqs(context);
      const newest = newestInputs(context);
      const ok = attemptable(context);
      const running = context.inProgress(context.id) ?? NOTHING;
      const result = inputsReady(context);
      for (let i = 0; i < result.length; i++) {
        const seq = mat[i]!;
        if (ok[i] === 0 || running[i] === 1 || !(seq === 0 || newest[i]! > seq)) result[i] = 0;
      }
      return settleSelf(context, result);
    },
    explain(context, index, result) {
      const trigger = triggerOf(context, index);
      if (result[index] === 1) return `${trigger}, and every input is ready`;
      const notYet = notYetEnded(context, index);
      if (notYet) return notYet;
      if (context.inProgress(context.id)?.[index] === 1) return 'it is being run';
      if (!trigger) return 'materialized, and no input has new data since';
      if (attemptable(context)[index] === 0) return failureHold(context, index);
      return `${trigger}, but ${blockingInput(context, index, result) ?? 'an input is not ready'}`;
    },
  });
}

const NOTHING = new Uint8Array(0);

function triggerOf(context: ConditionContext, index: number): string | undefined {
  return materializedSeq(context, index) === 0 ? 'never materialized' : newerInput(context, index);
}
