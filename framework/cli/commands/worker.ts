import type { Command } from 'commander';
import { createWorker } from '../../automation/workers/worker.ts';
import { DefinitionError } from '../../util/errors.ts';
import { openEngine } from '../open-engine.ts';
import { watchDaemons } from '../watch-daemons.ts';
import { write, type CommandContext } from '../output.ts';
import { wholeNumber } from '../whole-number.ts';

interface WorkerFlags {
  concurrency?: string;
  batch?: string;
  leaseMs?: string;
  pool?: string[];
  json?: boolean;
}

const whole = (value: string | undefined, flag: string, minimum: number): number | undefined => (value === undefined ? undefined : wholeNumber(value, flag, minimum));

/** `daybook worker`: claim and run queued steps from the shared PostgreSQL store until SIGTERM or SIGINT. */
export function workerCommand(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('Run queued steps from the PostgreSQL store (DAYBOOK_DATABASE_URL) until SIGTERM or Ctrl-C, then drain')
    .option('--concurrency <n>', 'steps at once (default: the config execution.concurrency)')
    .option('--batch <n>', 'most steps claimed in one transaction', '32')
    .option('--lease-ms <ms>', "how long a claim holds without a heartbeat; a killed worker's steps run elsewhere after it", '30000')
    .option('--pool <name=limit...>', 'set a pool slot limit for every worker, e.g. --pool redshift=2')
    .option('--json', 'print the worker id and its counts as JSON when it stops')
    .addHelpText('after', '\nAny number of workers on any number of machines share the queue; DAYBOOK_DATABASE_SCHEMA selects the schema.\nWorkers also watch the daemons\' heartbeats and alert (through the config\'s automation channels) when a running daemon falls silent.\n\nExample:\n  DAYBOOK_DATABASE_URL=postgres://daybook@db/daybook daybook worker --concurrency 8 --pool redshift=2')
    .action(async (flags: WorkerFlags) => {
      if (!process.env.DAYBOOK_DATABASE_URL) {
        throw new DefinitionError(
          'invalid-config',
          'daybook worker needs a PostgreSQL store that workers share: set DAYBOOK_DATABASE_URL (the embedded PGlite store is one process\'s; runQueued() runs its queue with in-process workers)',
          { field: 'DAYBOOK_DATABASE_URL' },
        );
      }
      const pools: Record<string, number> = {};
      for (const entry of flags.pool ?? []) {
        const [name = '', limit] = entry.split('=');
        pools[name] = whole(limit ?? '', `--pool ${entry}`, 0)!;
      }
      const config = await context.load();
      const engine = await openEngine(config);
      const { io } = context;
      try {
        const worker = createWorker({
          engine,
          concurrency: whole(flags.concurrency, '--concurrency', 1) ?? config.execution.concurrency,
          batchSize: whole(flags.batch, '--batch', 1)!,
          leaseMs: whole(flags.leaseMs, '--lease-ms', 100)!,
          ...(Object.keys(pools).length > 0 ? { pools } : {}),
          onStep: (event) => {
            if (event.outcome === 'failed' || event.outcome === 'lost') io.stderr.write(`${event.outcome} ${event.asset}[${event.partition}] attempt ${event.attempt}${event.message ? `: ${event.message.split('\n')[0]}` : ''}\n`);
          },
          onError: (error) => io.stderr.write(`warning: ${error instanceof Error ? error.message : String(error)}\n`),
        });
        const unwatch = watchDaemons(engine.store, await context.loadAutomation(), io);
        let stop: () => void = () => undefined;
        const stopped = new Promise<void>((resolve) => (stop = resolve));
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        await worker.start();
        if (!flags.json) await write(io.stdout, `worker ${worker.id} started on ${engine.store.location}; SIGTERM or Ctrl-C drains and stops it\n`);
        await stopped;
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        unwatch();
        await worker.stop();
        const stats = worker.stats();
        await write(io.stdout, flags.json ? JSON.stringify({ worker: worker.id, ...stats }) + '\n' : `worker ${worker.id} stopped: ${JSON.stringify(stats)}\n`);
      } finally {
        await engine.close();
      }
    });
}
