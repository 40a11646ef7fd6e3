import type { Command } from 'commander';
import { rerunChecks } from '../../executor/rerun-checks.ts';
import type { CheckResultRecord } from '../../store/schema.ts';
import { openEngine } from '../open-engine.ts';
import { table, write, type CommandContext } from '../output.ts';

interface Listed {
  asset: string;
  partition: string;
  check: string;
  severity: string;
  blocking: boolean;
  passed: boolean;
  metrics: unknown;
  message: string;
  sample: unknown;
  at?: string;
}

/** `daybook checks [asset]` lists the latest check results; `daybook check <asset> --partition K` reruns them. */
export function checksCommands(program: Command, context: CommandContext): void {
  program
    .command('checks')
    .description('List the latest check result of each check per asset partition, newest first')
    .argument('[asset]', 'only this asset')
    .option('--partition <key>', 'only this partition')
    .option('--json', 'print {"results":[{"asset","partition","check","severity","blocking","passed","metrics","message","sample","at"}]}')
    .action(async (asset: string | undefined, flags: { partition?: string; json?: boolean }) => {
      const config = await context.load();
      if (asset !== undefined) config.definitions.get(asset);
      const engine = await openEngine(config);
      try {
        const records = await engine.store.listCheckResults({ ...(asset === undefined ? {} : { asset }), ...(flags.partition === undefined ? {} : { partition: flags.partition }) });
        await print(latest(records).map(listed), context, flags.json ?? false);
      } finally {
        await engine.close();
      }
    });

  program
    .command('check')
    .description("Rerun an asset partition's checks against its stored file, without recomputing; exit code 1 when a blocking check fails")
    .argument('<asset>', 'the asset (or source) key')
    .requiredOption('--partition <key>', 'the partition to check')
    .option('--json', 'print {"results":[…],"blocked":true|false}')
    .action(async (asset: string, flags: { partition: string; json?: boolean }) => {
      const config = await context.load();
      const engine = await openEngine(config);
      try {
        const outcome = await rerunChecks(engine, { asset, partition: flags.partition });
        const results = outcome.results.map((result) => listed({ ...result, metrics: result.metrics ?? {}, sample: result.sample ?? [] }));
        await print(results, context, flags.json ?? false, outcome.blocking.length > 0);
        if (outcome.blocking.length > 0) {
          if (!flags.json) await write(context.io.stderr, `${outcome.message}\n`);
          context.setExitCode(1);
        }
      } finally {
        await engine.close();
      }
    });
}

/** The newest result of each check of each partition (records come newest first). */
function latest(records: readonly CheckResultRecord[]): CheckResultRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.asset}\u0000${record.partition}\u0000${record.check}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function listed(result: Omit<Listed, 'at'> & { createdAt?: Date }): Listed {
  const { asset, partition, check, severity, blocking, passed, metrics, message, sample } = result;
  return { asset, partition, check, severity, blocking, passed, metrics, message, sample, ...(result.createdAt ? { at: result.createdAt.toISOString() } : {}) };
}

async function print(results: readonly Listed[], { io }: CommandContext, json: boolean, blocked?: boolean): Promise<void> {
  if (json) {
    await write(io.stdout, JSON.stringify({ results, ...(blocked === undefined ? {} : { blocked }) }) + '\n');
    return;
  }
  const rows = results.map((r) => [
    r.asset,
    r.partition,
    r.check,
    r.blocking ? `${r.severity} (blocking)` : r.severity,
    r.passed ? 'yes' : 'NO',
    Object.entries(r.metrics as Record<string, unknown>)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(' '),
    r.message,
  ]);
  await write(io.stdout, rows.length === 0 ? 'no check results\n' : table(['asset', 'partition', 'check', 'severity', 'passed', 'metrics', 'message'], rows));
}
