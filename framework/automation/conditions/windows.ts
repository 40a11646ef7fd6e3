import type { ConditionContext } from '../../definitions/automation-condition.ts';
import type { PartitionsDefinition } from '../../partitions/definition.ts';
import { requestedSubset } from '../../planner/partition-request.ts';
import { maskOfSubset } from './masks.ts';

/**
 * 1 for the partitions of the latest time window that has ended: the last session or day, with every
 * value of the other dimensions of a multi-partition. Without a time dimension, every partition that
 * exists. This is where `onCron` applies, as Dagster's `in_latest_time_window` does.
 */
export function latestWindows(context: ConditionContext): Uint8Array {
  return context.shared('latest-windows', () => {
    const definition = context.asset.partitions;
    const where = latestTimeKeys(definition, context.now);
    if (where === undefined) return new Uint8Array(definition.size());
    const mask = Object.keys(where).length === 0 ? context.universe.slice() : maskOfSubset(requestedSubset(definition, { where }));
    for (let i = 0; i < mask.length; i++) mask[i]! &= context.universe[i]!;
    return mask;
  });
}

/** The latest ended key of each time dimension (`''` names a definition that is itself the time axis); undefined when one has none yet. */
function latestTimeKeys(definition: PartitionsDefinition, now: number): Record<string, string> | undefined {
  if (definition.time) {
    const ended = definition.countEndedBy(now);
    return ended === 0 ? undefined : { '': definition.keyAt(ended - 1) };
  }
  const where: Record<string, string> = {};
  for (const { name, definition: dimension } of definition.dimensions ?? []) {
    if (!dimension.time) continue;
    const ended = dimension.countEndedBy(now);
    if (ended === 0) return undefined;
    where[name] = dimension.keyAt(ended - 1);
  }
  return where;
}

/** The tester's words for a partition that does not exist yet. */
export function notYetEnded(context: ConditionContext, index: number): string | undefined {
  return context.universe[index] === 1 ? undefined : `the window of ${context.asset.partitions.keyAt(index)} has not ended`;
}
