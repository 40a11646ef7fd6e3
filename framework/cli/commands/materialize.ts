import type { Command } from 'commander';
import { materialize, type MaterializeOptions, type RunSummary } from '../../executor/materialize.ts';
import { selectAssets } from '../../definitions/selection.ts';
import { openEngine } from '../open-engine.ts';
import { table, write, type CommandContext, type CommandIO } from '../output.ts';
import { partitionRequest, withPartitionOptions, type PartitionFlags } from '../partition-options.ts';
import { Progress } from '../progress.ts';
import { operatorAction } from '../operator-action.ts';
import type { Engine } from '../../executor/engine.ts';

interface MaterializeFlags extends PartitionFlags {
  force?: boolean;
  stale?: boolean;
  json?: boolean;
  reason?: string;
}

const FINAL = new Set(['succeeded', 'skipped', 'failed', 'upstream-failed', 'waiting', 'blocked-by-check', 'cancelled']);

/** `daybook materialize`: run the steps a selection needs. */
export function materializeCommand(program: Command, context: CommandContext): void {
  withPartitionOptions(
    program
      .command('materialize')
      .description('Materialize the missing, stale and failed partitions of a selection')
      .argument('[selection]', 'assets: key, +key, key+, group:NAME, tag:K=V, commas for union', '*'),
  )
    .option('--stale', 'only partitions that are missing, stale or failed (the default; fresh ones need --force)')
    .option('--force', 'also rerun requested partitions that are fresh')
    .option('--json', 'print the run summary as JSON')
    .option('--reason <text>', 'why: recorded in the audit log with who ran it (operator.rematerialize with --force)')
    .addHelpText(
      'after',
      '\nExit code 1 when a step failed. Ctrl-C cancels the run: running steps stop, and nothing half-written is kept.\n\nExamples:\n  daybook materialize\n  daybook materialize northbridge/executions+ --partition 2026-11-20 --where broker=GSCO',
    )
    .action(async (selection: string, flags: MaterializeFlags) => {
      const config = await context.load();
      selectAssets(config.definitions, selection);
      const engine = await openEngine(config);
      try {
        const partitions = partitionRequest(flags, context.io.now());
        // A forced rerun, or one with a reason, is an operator action of its own in the audit log.
        const action =
          flags.force || flags.reason !== undefined
            ? operatorAction(engine, flags.force ? 'rematerialize' : 'materialize', { reason: flags.reason, details: { selection, partitions: JSON.parse(JSON.stringify(partitions)) } })
            : undefined;
        const summary = await runWithProgress(engine, context.io, {
          selection,
          partitions,
          force: flags.force ?? false,
          quiet: flags.json ?? false,
          ...(action ? { onRun: action.onRun } : {}),
        });
        await action?.recorded();
        await printSummary(summary, context.io, flags.json ?? false);
        if (summary.status !== 'succeeded') context.setExitCode(1);
      } finally {
        await engine.close();
      }
    });
}

/** Runs `materialize` with a progress bar on stderr and Ctrl-C wired to cancellation. */
export async function runWithProgress(
  engine: Engine,
  io: CommandIO,
  options: Omit<MaterializeOptions, 'signal' | 'onStep' | 'onPlan'> & { quiet?: boolean },
): Promise<RunSummary> {
  const progress = new Progress(io.stderr, { quiet: options.quiet ?? false });
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('cancelled by Ctrl-C'));
  process.once('SIGINT', cancel);
  try {
    return await materialize(engine, {
      ...options,
      signal: controller.signal,
      onPlan: (steps) => progress.start(steps),
      onStep: (event) => {
        if (FINAL.has(event.status)) progress.tick(`${event.status} ${event.asset}${event.partition ? `[${event.partition}]` : ''}`);
      },
    });
  } finally {
    progress.finish();
    process.off('SIGINT', cancel);
  }
}

export async function printSummary(summary: RunSummary, io: CommandIO, json: boolean): Promise<void> {
  if (json) {
    await write(io.stdout, JSON.stringify(summary) + '\n');
    return;
  }
  const counts = Object.entries(summary.byStatus)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const steps = summary.steps === 0 ? 'nothing to do, every requested partition is fresh' : `${summary.steps} steps (${counts})`;
  await write(io.stdout, `run ${summary.runId} ${summary.status}: ${steps}; ${summary.rows.toLocaleString('en-US')} rows written\n`);
  if (summary.problems.length > 0) {
    const rows = summary.problems.slice(0, 20).map((p) => [p.asset, p.partition || '-', p.status, p.message.split('\n')[0]!.slice(0, 160)]);
    await write(io.stdout, '\n' + table(['asset', 'partition', 'status', 'why'], rows));
    if (summary.problems.length > 20) await write(io.stdout, `… and ${summary.problems.length - 20} more: daybook run ${summary.runId}\n`);
  }
}
