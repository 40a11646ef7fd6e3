import { Command, CommanderError } from 'commander';
import { DaybookError } from '../util/errors.ts';
import { systemClock } from '../util/clock.ts';
import { loadAutomation, loadConfig } from './config-loader.ts';
import { auditCommands } from './commands/audit.ts';
import { backfillCommands } from './commands/backfill.ts';
import { calendarCommand } from './commands/calendar.ts';
import { demoCommand } from './commands/demo.ts';
import { materializeCommand } from './commands/materialize.ts';
import { planCommand } from './commands/plan.ts';
import { runsCommands } from './commands/runs.ts';
import { statusCommand } from './commands/status.ts';
import { checksCommands } from './commands/checks.ts';
import { workerCommand } from './commands/worker.ts';
import { daemonCommand } from './commands/daemon.ts';
import { conditionsCommands } from './commands/conditions.ts';
import type { CliExtensions, CommandContext, CommandIO } from './output.ts';

/** Runs the `daybook` command line, with the commands `extensions` add (the server's); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: CommandIO = { stdout: process.stdout, stderr: process.stderr, now: systemClock.now },
  extensions: CliExtensions = {},
): Promise<number> {
  let exitCode = 0;
  const program = new Command('daybook')
    .description('Partitioned data assets with lineage, quality checks and market calendars')
    .option('--config <path>', 'project config (default: ./daybook.config.ts, or DAYBOOK_CONFIG)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError();
  const context: CommandContext = {
    load: () => loadConfig(program.opts<{ config?: string }>().config),
    loadAutomation: () => loadAutomation(program.opts<{ config?: string }>().config),
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
    serve: extensions.serve,
  };
  for (const register of [calendarCommand, planCommand, materializeCommand, backfillCommands, runsCommands, statusCommand, checksCommands, conditionsCommands, auditCommands, demoCommand, daemonCommand, workerCommand, ...(extensions.commands ?? [])]) {
    register(program, context);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const json = argv.includes('--json');
    if (error instanceof DaybookError) {
      if (json) io.stdout.write(JSON.stringify({ error: { code: error.code, message: error.message } }) + '\n');
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
