import { Cron } from 'croner';
import { z } from 'zod';
import { parseSpec } from '../../definitions/validation.ts';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import { DefinitionError } from '../../util/errors.ts';
import { partitionRequestJson, scheduleNameSchema, selectionSchema, timeZoneSchema, type ScheduleDefinition } from './schedule.ts';

export interface CronScheduleOptions {
  name: string;
  /** A cron pattern (5 fields, or 6 with seconds, or 7 with years) or a nickname such as `@daily`, read by croner. */
  cron: string;
  /** IANA zone the pattern's wall times are in; default `UTC`. */
  tz?: string;
  selection: string;
  /** The partitions each tick requests: fixed, or from the tick's instant. Default: every partition that has ended by the tick. */
  partitions?: PartitionRequest | ((at: number) => PartitionRequest);
}

const requestSchema = z
  .object({
    partition: z.string().min(1).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    where: z.record(z.string(), z.string()).optional(),
    endedBy: z.number().optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    name: scheduleNameSchema,
    cron: z.string().refine((text) => text.trim().startsWith('@') || [5, 6, 7].includes(text.trim().split(/\s+/).length), 'expected 5, 6 or 7 fields or a nickname such as @daily'),
    tz: timeZoneSchema.default('UTC'),
    selection: selectionSchema,
    partitions: z.union([requestSchema, z.custom<(at: number) => PartitionRequest>((value) => typeof value === 'function', 'expected a partition request or a function of the tick')]).optional(),
  })
  .strict();

/**
 * A schedule on a cron pattern in a time zone, e.g. `0 5 * * 1-5` in New York. Croner computes the
 * occurrences, so its rules apply at daylight-saving changes (see docs/automation.md): a fixed time
 * in the spring-forward gap fires once, at the first valid time after it; a fixed time that the fall
 * back repeats fires once, at its first occurrence; interval patterns fire on both occurrences.
 * Day of month and day of week combine with OR, as in Vixie cron.
 *
 * @example
 * const morning = cronSchedule({ name: 'northbridge/morning', cron: '0 5 * * 1-5', tz: 'America/New_York', selection: 'group:reference' });
 * morning.nextTick(Date.parse('2026-11-20T12:00:00Z'))?.at; // 2026-11-23T10:00:00.000Z (Monday 05:00 EST)
 */
export function cronSchedule(options: CronScheduleOptions): ScheduleDefinition {
  const input = parseSpec(optionsSchema, options, `cron schedule ${JSON.stringify(options?.name)}`, undefined);
  let cron: Cron;
  try {
    cron = new Cron(input.cron, { timezone: input.tz });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DefinitionError('invalid-definition', `cron schedule "${input.name}": field "cron": ${JSON.stringify(input.cron)} is not a cron pattern: ${reason}`, {
      field: 'cron',
      cause,
    });
  }
  const given = input.partitions;
  const partitionsAt = typeof given === 'function' ? given : given === undefined ? (at: number): PartitionRequest => ({ endedBy: at }) : () => given;
  const partitionsSpec = typeof given === 'function' ? 'function' : given === undefined ? 'ended-by-tick' : partitionRequestJson(given);
  return Object.freeze({
    kind: 'cron' as const,
    name: input.name,
    selection: input.selection,
    spec: Object.freeze({ kind: 'cron', name: input.name, cron: input.cron, tz: input.tz, selection: input.selection, partitions: partitionsSpec }),
    description: `cron "${input.cron}" in ${input.tz}`,
    nextTick(afterMs: number) {
      // Croner works in whole seconds and returns the first run after the second it is given.
      const next = cron.nextRun(new Date(afterMs))?.getTime();
      if (next === undefined) return undefined;
      return { at: next, partitions: partitionsAt(next) };
    },
  });
}
