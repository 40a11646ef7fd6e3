import type { Command } from 'commander';
import type { StepRecord } from '../../store/schema.ts';
import { formatPartition } from '../../planner/explain.ts';
import { openEngine } from '../open-engine.ts';
import { table, write, type CommandContext } from '../output.ts';
import { StoreError } from '../../util/errors.ts';

/** `daybook runs` and `daybook run <id>`: run history and one run's steps. */
export function runsCommands(program: Command, context: CommandContext): void {
  program
    .command('runs')
    .description('List recent runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print {"runs":[…]}')
    .action(async (flags: { limit: string; json?: boolean }) => {
      const engine = await openEngine(await context.load());
      try {
        const runs = await engine.store.listRuns({ limit: Number(flags.limit) });
        if (flags.json) {
          await write(context.io.stdout, JSON.stringify({ runs }) + '\n');
          return;
        }
        const rows = runs.map((run) => [
          run.id,
          run.status,
          run.trigger,
          run.triggeredBy,
          run.createdAt.toISOString().slice(0, 19).replace('T', ' '),
          duration(run.startedAt, run.finishedAt),
          run.selection,
        ]);
        await write(context.io.stdout, runs.length === 0 ? 'No runs yet.\n' : table(['run', 'status', 'trigger', 'by', 'created (UTC)', 'took', 'selection'], rows));
      } finally {
        await engine.close();
      }
    });

  program
    .command('run')
    .description("Show one run: its steps, and for each failure the error, the inputs read and the log tail")
    .argument('<id>', 'run id, from `daybook runs`')
    .option('--json', 'print {"run":…,"steps":[…]}')
    .action(async (id: string, flags: { json?: boolean }) => {
      const engine = await openEngine(await context.load());
      try {
        const run = await engine.store.getRun(id);
        if (!run) throw new StoreError('store-failed', `unknown run "${id}"; see daybook runs`, { field: 'id' });
        const steps = await engine.store.listSteps(id);
        if (flags.json) {
          await write(context.io.stdout, JSON.stringify({ run, steps }) + '\n');
          return;
        }
        const io = context.io;
        await write(io.stdout, `run ${run.id} ${run.status} (${run.trigger} by ${run.triggeredBy}, ${run.selection}), took ${duration(run.startedAt, run.finishedAt)}\n\n`);
        await write(
          io.stdout,
          table(
            ['asset', 'partition', 'status', 'attempts', 'took', 'reason'],
            steps.map((s) => [s.asset, s.partition || '-', s.status, String(s.attempts), duration(s.startedAt, s.finishedAt), s.reason ?? '']),
          ),
        );
        for (const step of steps.filter((s) => s.status === 'failed' || s.status === 'blocked-by-check' || s.status === 'waiting')) {
          await write(io.stdout, failureDetail(step));
        }
      } finally {
        await engine.close();
      }
    });
}

function failureDetail(step: StepRecord): string {
  const lines = (step.logTail ?? '').split('\n').filter(Boolean);
  const inputs = lines.filter((line) => / input /.test(line)).map((line) => line.slice(line.indexOf(' input ') + 7));
  return [
    '',
    `${step.status}: ${formatPartition(step.asset, step.partition)} after ${step.attempts} attempt(s)`,
    `  ${step.status === 'waiting' ? 'why' : 'error'}: ${(step.errorMessage ?? '').split('\n').join('\n         ')}`,
    ...(inputs.length > 0 ? ['  inputs:', ...inputs.map((input) => `    ${input}`)] : []),
    ...(lines.length > 0 ? ['  log tail:', ...lines.slice(-10).map((line) => `    ${line}`)] : []),
    '',
  ].join('\n');
}

function duration(start: Date | null, end: Date | null): string {
  if (!start) return '-';
  const ms = (end ?? new Date()).getTime() - start.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
