import type { Command } from 'commander';
import { openEngine } from '../open-engine.ts';
import type { CommandContext } from '../output.ts';
import { DefinitionError } from '../../util/errors.ts';
import { partitionRequest } from '../partition-options.ts';
import { printSummary, runWithProgress } from './materialize.ts';

/** `daybook demo`: prepare the example's input (the config's `demo` hook), materialize everything stale, then serve the UI (unless `--once`). */
export function demoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description("Run the main job on embedded defaults: prepare the example's landing data if absent, then materialize everything stale")
    .option('--once', 'run once and exit, instead of serving the catalog UI afterwards')
    .option('--port <n>', 'where to serve the UI afterwards', '3000')
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .option('--json', 'print the run summary as JSON')
    .action(async (flags: { once?: boolean; json?: boolean; port: string; host: string }) => {
      const serve = flags.once ? undefined : context.serve;
      if (!flags.once && !serve) {
        throw new DefinitionError('invalid-config', 'daybook demo serves the UI after its run, but this CLI was started without the server; use bin/daybook.js, or pass --once', {
          field: 'once',
        });
      }
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
        if (serve) await serve(engine, { config, automation: await context.loadAutomation(), io: context.io, port: Number(flags.port), host: flags.host });
      } finally {
        await engine.close();
      }
    });
}
