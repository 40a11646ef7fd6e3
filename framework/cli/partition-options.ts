import type { Command } from 'commander';
import type { PartitionRequest } from '../planner/partition-request.ts';
import { PlanError } from '../util/errors.ts';

export interface PartitionFlags {
  partition?: string;
  from?: string;
  to?: string;
  where?: string[];
}

/** Adds `--partition`, `--from`, `--to` and `--where` to a command. */
export function withPartitionOptions(command: Command): Command {
  return command
    .option('--partition <key>', 'one partition key, or a date meaning every partition of that date')
    .option('--from <date>', 'first date, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)')
    .option('--where <dim=value>', 'keep partitions whose dimension has this key (repeatable)', collect, []);
}

/** Turns the flags into a request; time windows that have not ended by `now` are left out. */
export function partitionRequest(flags: PartitionFlags, now: number): PartitionRequest {
  if (flags.partition !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new PlanError('invalid-plan-request', 'give either --partition or --from/--to, not both', { field: 'partition' });
  }
  const where: Record<string, string> = {};
  for (const item of flags.where ?? []) {
    const match = /^([a-z][a-z0-9_]*)=(.+)$/.exec(item);
    if (!match) throw new PlanError('invalid-plan-request', `--where "${item}": expected dimension=value, e.g. broker=GSCO`, { field: 'where' });
    where[match[1]!] = match[2]!;
  }
  return { partition: flags.partition, from: flags.from, to: flags.to, where, endedBy: now };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
