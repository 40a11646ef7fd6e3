import type { PartitionRequest } from '../../planner/partition-request.ts';
import { DefinitionError } from '../../util/errors.ts';
import type { ScheduleDefinition } from './schedule.ts';

/** One firing of a schedule, with the idempotency key that makes it fire at most once. */
export interface ScheduleTick {
  readonly schedule: ScheduleDefinition;
  /** Epoch ms. */
  readonly at: number;
  /** `<schedule name>@<tick instant, ISO 8601 UTC>`, e.g. `northbridge/premarket@2026-11-20T10:00:00.000Z`. */
  readonly key: string;
  readonly partitions: PartitionRequest;
}

/** The idempotency key of a schedule's tick at an instant. */
export function tickKey(schedule: string, at: number): string {
  return `${schedule}@${new Date(at).toISOString()}`;
}

/**
 * The ticks of a schedule after `afterMs` up to and including `uptoMs`, in ascending order. Pure:
 * the times are passed in, so a daemon, a test or a preview computes the same ticks.
 *
 * @example
 * ticksBetween(premarket, Date.parse('2026-11-25T00:00:00Z'), Date.parse('2026-11-28T00:00:00Z')).map((t) => t.key);
 * // ['northbridge/premarket@2026-11-25T10:00:00.000Z', 'northbridge/premarket@2026-11-27T10:00:00.000Z'] (Thanksgiving skipped)
 */
export function ticksBetween(schedule: ScheduleDefinition, afterMs: number, uptoMs: number): ScheduleTick[] {
  return [...eachTick(schedule, afterMs, uptoMs)];
}

/** The ticks of `ticksBetween`, one at a time, so a caller can stop early. */
export function* eachTick(schedule: ScheduleDefinition, afterMs: number, uptoMs: number): Generator<ScheduleTick> {
  let after = afterMs;
  for (;;) {
    const next = schedule.nextTick(after);
    if (next === undefined || next.at > uptoMs) return;
    if (!(next.at > after)) {
      throw new DefinitionError('invalid-definition', `schedule "${schedule.name}": its next tick after ${new Date(after).toISOString()} is not later than that`, {
        field: 'nextTick',
      });
    }
    yield { schedule, at: next.at, key: tickKey(schedule.name, next.at), partitions: next.partitions };
    after = next.at;
  }
}
