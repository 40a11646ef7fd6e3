import type { Command } from 'commander';
import type { DaemonTick } from '../../automation/daemon.ts';
import { startAutomation } from '../../automation/start-automation.ts';
import type { Engine } from '../../executor/engine.ts';
import { openEngine } from '../open-engine.ts';
import { write, type CommandContext } from '../output.ts';
import { wholeNumber } from '../whole-number.ts';

interface DaemonFlags {
  once?: boolean;
  workers?: string;
  intervalMs: string;
  json?: boolean;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/** `daybook daemon`: schedules, sensors, declarative conditions and alerts, with in-process workers, until SIGTERM or Ctrl-C. */
export function daemonCommand(program: Command, context: CommandContext): void {
  program
    .command('daemon')
    .description('Run schedules, sensors, asset conditions and alerts (and in-process workers) until SIGTERM or Ctrl-C')
    .option('--once', 'one tick: launch what is due, wait for those runs to end, and exit')
    .option('--workers <n>', 'in-process workers (default: the automation config, 2); 0 when `daybook worker` processes run the queue')
    .option('--interval-ms <ms>', 'the longest pause between ticks; a finished step ticks sooner', '1000')
    .option('--json', 'print what was launched as JSON')
    .addHelpText(
      'after',
      '\nSchedules, sensors and alert channels come from the `automation` export of daybook.config.ts\n(defineAutomation); conditions from the assets (`automation: eager()`). See docs/automation.md.\n\nExamples:\n  daybook daemon\n  daybook daemon --once --json\n  DAYBOOK_DATABASE_URL=postgres://daybook@db/daybook daybook daemon --workers 0   # with `daybook worker` elsewhere',
    )
    .action(async (flags: DaemonFlags) => {
      const workers = flags.workers === undefined ? undefined : wholeNumber(flags.workers, '--workers', 0);
      const intervalMs = wholeNumber(flags.intervalMs, '--interval-ms', 10);
      const config = await context.load();
      const automation = await context.loadAutomation();
      const engine = await openEngine(config);
      const { io } = context;
      const launchedRuns: DaemonTick['launched'][number][] = [];
      try {
        const running = await startAutomation({
          engine,
          automation,
          calendars: config.calendars,
          ...(workers === undefined ? {} : { workers }),
          intervalMs,
          loop: !flags.once,
          onTick: (tick) => {
            launchedRuns.push(...tick.launched);
            if (!flags.json && !flags.once) for (const launch of tick.launched) io.stdout.write(`${new Date(tick.at).toISOString()} ${launch.by} → run ${launch.runId}\n`);
          },
          onError: (message) => io.stderr.write(`warning: ${message}\n`),
        });
        if (flags.once) {
          const tick = await running.daemon.tick();
          if (running.workers.length > 0) await waitForRuns(engine, tick.launched.map((launch) => launch.runId));
          await running.stop();
          await report(context, tick, flags.json ?? false);
          return;
        }
        if (!flags.json) {
          await write(io.stdout, `daemon ${running.daemon.name} on ${engine.store.location}: ${automation.schedules.length} schedule(s), ${automation.sensors.length} sensor(s), ${running.workers.length} worker(s); Ctrl-C stops it\n`);
        }
        let stop: () => void = () => undefined;
        const stopped = new Promise<void>((resolve) => (stop = resolve));
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await stopped;
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        await running.stop();
        await write(io.stdout, flags.json ? JSON.stringify({ daemon: running.daemon.name, ticks: running.daemon.ticks, launched: launchedRuns }) + '\n' : `daemon stopped after ${running.daemon.ticks} tick(s)\n`);
      } finally {
        await engine.close();
      }
    });
}

async function report({ io }: CommandContext, tick: DaemonTick, json: boolean): Promise<void> {
  if (json) {
    await write(io.stdout, JSON.stringify(tick) + '\n');
    return;
  }
  const lines = tick.launched.map((launch) => `${launch.by} → run ${launch.runId}`);
  if (lines.length === 0) lines.push('nothing due');
  lines.push(`alerts: ${tick.alerts.firing} firing, ${tick.alerts.resolved} resolved`);
  for (const problem of tick.problems) io.stderr.write(`warning: ${problem}\n`);
  await write(io.stdout, lines.join('\n') + '\n');
}

/** Until every run has ended (the in-process workers run them). */
async function waitForRuns(engine: Engine, runIds: readonly string[]): Promise<void> {
  for (const runId of runIds) {
    for (;;) {
      const run = await engine.store.getRun(runId);
      if (!run || ENDED.has(run.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
