import type { Command } from 'commander';
import { openEngine } from '../open-engine.ts';
import { write, type CommandContext } from '../output.ts';

/** `daybook audit verify`: walk the hash chain of the audit log. */
export function auditCommands(program: Command, context: CommandContext): void {
  const audit = program.command('audit').description('The append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('Check every link of the audit chain and report the first broken one (exit code 1)')
    .option('--json', 'print the verification as JSON')
    .action(async (flags: { json?: boolean }) => {
      const engine = await openEngine(await context.load());
      try {
        const result = await engine.store.verifyAuditChain();
        if (flags.json) await write(context.io.stdout, JSON.stringify(result) + '\n');
        else if (result.ok) {
          await write(context.io.stdout, `audit chain verified: ${result.checked} events${result.last ? `, head seq ${result.last.seq} ${result.last.hash}` : ''}\n`);
        } else {
          await write(context.io.stdout, `audit chain BROKEN at seq ${result.broken!.seq} (${result.broken!.reason}): ${result.broken!.message}\n`);
        }
        if (!result.ok) context.setExitCode(1);
      } finally {
        await engine.close();
      }
    });
}
