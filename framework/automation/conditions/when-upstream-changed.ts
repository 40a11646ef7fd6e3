import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { attemptable, failureHold, materializedSeq, materializedSeqs, newerInput, newestInputs } from './inputs.ts';
import { notYetEnded } from './windows.ts';

/**
 * True for a materialized partition when an input partition's data version changed after it was
 * consumed: the planner's `upstream-changed`, for direct inputs only (an input that is merely stale
 * itself does not count, so a failing upstream cannot make its readers run again and again). A
 * partition whose last attempt failed waits for new input data.
 *
 * @example
 * defineAsset({ key: 'northbridge/executions', deps: ['northbridge/broker-files'], automation: whenUpstreamChanged(), … });
 */
export function whenUpstreamChanged(): AutomationCondition {
  return createCondition({
    spec: { kind: 'when-upstream-changed' },
    label: 'whenUpstreamChanged()',
    evaluate(context) {
      const mat = materializedSeqs(context);
      const newest = newestInputs(context);
      const result = attemptable(context).slice();
      for (let i = 0; i < result.length; i++) {
        const seq = mat[i]!;
        if (seq === 0 || newest[i]! <= seq) result[i] = 0;
      }
      return result;
    },
    explain(context, index, result) {
      const changed = newerInput(context, index);
      if (result[index] === 1) return changed ?? 'an input has new data';
      const notYet = notYetEnded(context, index);
      if (notYet) return notYet;
      if (materializedSeq(context, index) === 0) return 'never materialized, so no input changed since';
      if (!changed) return 'no input has new data since it was materialized';
      return `${changed}, but ${failureHold(context, index)}`;
    },
  });
}
