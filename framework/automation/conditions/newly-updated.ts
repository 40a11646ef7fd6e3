import type { AutomationCondition } from '../../definitions/automation-condition.ts';
import { createCondition } from './condition.ts';
import { materializedSeq, materializedSeqs } from './inputs.ts';
import { notYetEnded } from './windows.ts';

/**
 * True for a partition materialized since the previous evaluation (never on the first one). Mostly
 * the reset of a `since`: `since(cronTickPassed('0 * * * *'), newlyUpdated())`.
 *
 * @example
 * automation: and(whenUpstreamChanged(), not(newlyUpdated()))
 */
export function newlyUpdated(): AutomationCondition {
  return createCondition({
    spec: { kind: 'newly-updated' },
    label: 'newlyUpdated()',
    evaluate(context) {
      const mat = materializedSeqs(context);
      const since = context.previous?.seq ?? Number.POSITIVE_INFINITY;
      const { universe } = context;
      const result = new Uint8Array(universe.length);
      for (let i = 0; i < result.length; i++) result[i] = universe[i] === 1 && mat[i]! > since ? 1 : 0;
      return result;
    },
    explain(context, index, result) {
      if (result[index] === 1) return 'materialized since the previous evaluation';
      if (!context.previous) return 'first evaluation: nothing to compare with';
      return notYetEnded(context, index) ?? (materializedSeq(context, index) === 0 ? 'never materialized' : 'not materialized since the previous evaluation');
    },
  });
}
