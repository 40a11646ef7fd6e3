import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { attemptable, blockingInput, failureHold, inputsReady, materializedSeq, materializedSeqs, settleSelf } from './inputs.ts';
import { notYetEnded } from './windows.ts';

/**
 * True for a partition that was never materialized, once every input partition is ready and it is
 * not being run. A partition whose last attempt failed waits for new input data.
 *
 * @example
 * defineAsset({ key: 'northbridge/securities', automation: onMissing(), … });
 */
export function onMissing(): AutomationCondition {
  return createCondition({
    spec: { kind: 'on-missing' },
    label: 'onMissing()',
    evaluate(context) {
      const mat = materializedSeqs(context);
      const ok = attemptable(context);
      const running = context.inProgress(context.id) ?? new Uint8Array(0);
      const result = inputsReady(context);
      for (let i = 0; i < result.length; i++) {
        if (ok[i] === 0 || running[i] === 1 || mat[i]! > 0) result[i] = 0;
      }
      return settleSelf(context, result);
    },
    explain(context, index, result) {
      if (result[index] === 1) return 'never materialized, and every input is ready';
      const notYet = notYetEnded(context, index);
      if (notYet) return notYet;
      if (materializedSeq(context, index) > 0) return 'already materialized';
      if (context.inProgress(context.id)?.[index] === 1) return 'it is being run';
      if (attemptable(context)[index] === 0) return failureHold(context, index);
      return `never materialized, but ${blockingInput(context, index, result) ?? 'an input is not ready'}`;
    },
  });
}
