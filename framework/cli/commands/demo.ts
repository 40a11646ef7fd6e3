import type { Command } from 'commander';
import { openEngine } from '../open-engine.ts';
import type { CommandContext } from '../output.ts';
import { partitionRequest } from '../partition-options.ts';
import { printSummary, runWithProgress } from './materialize.ts';

/** `daybook demo`: prepare the example's input (the config's `demo` hook), then materialize everything stale. */
export function demoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description("Run the main job on embedded defaults: prepare the example's landing data if absent, then materialize everything stale")
    .option('--once', 'run once and exit (the server issue adds serving the UI afterwards)')
    .option('--json', 'print the run summary as JSON')
    .action(async (flags: { once?: boolean; json?: boolean }) => {
      const config = await context.load();
      const log = (line: string) => {
        if (!flags.json) context.io.stdout.write(`${line}\n`);
      };
      await config.demo?.({ landing: config.landing, now: context.io.now(), log });
      const engine = await openEngine(config);
      try {
        const summary = await runWithProgress(engine, context.io, {
          selection: '*',
          partitions: partitionRequest({}, context.io.now()),
          trigger: 'demo',
          quiet: flags.json ?? false,
        });
        await printSummary(summary, context.io, flags.json ?? false);
        if (summary.status !== 'succeeded') context.setExitCode(1);
      } finally {
        await engine.close();
      }
    });
}
