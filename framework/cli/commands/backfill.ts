import type { Command } from 'commander';
import { selectAssets } from '../../definitions/selection.ts';
import type { Engine } from '../../executor/engine.ts';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import type { JsonObject } from '../../store/schema.ts';
import { StoreError } from '../../util/errors.ts';
import { openEngine } from '../open-engine.ts';
import type { CommandContext } from '../output.ts';
import { partitionRequest, withPartitionOptions, type PartitionFlags } from '../partition-options.ts';
import { printSummary, runWithProgress } from './materialize.ts';
import { operatorAction } from '../operator-action.ts';

interface BackfillFlags extends PartitionFlags {
  force?: boolean;
  json?: boolean;
  reason?: string;
}

/** `daybook backfill` and `daybook backfill resume <id>`. */
export function backfillCommands(program: Command, context: CommandContext): void {
  const backfill = withPartitionOptions(
    program
      .command('backfill')
      .description('Materialize a selection over a partition range as a recorded backfill; resume it later by id')
      .argument('[selection]', 'assets: key, +key, key+, group:NAME, tag:K=V, commas for union', '*'),
  )
    .option('--force', 'also rerun partitions that are fresh')
    .option('--json', 'print the run summary as JSON, with the backfill id')
    .option('--reason <text>', 'why: recorded in the audit log with who ran it (operator.backfill)')
    .addHelpText('after', '\nExamples:\n  daybook backfill northbridge/positions+ --from 2026-11-02 --to 2026-11-20\n  daybook backfill resume <id>')
    .action(async (selection: string, flags: BackfillFlags) => {
      const config = await context.load();
      selectAssets(config.definitions, selection);
      const request = partitionRequest(flags, context.io.now());
      const engine = await openEngine(config);
      try {
        const record = await engine.store.createBackfill({ selection, partitionRequest: toJson(request), status: 'running' });
        await runBackfill(engine, context, record.id, selection, request, flags);
      } finally {
        await engine.close();
      }
    });

  backfill
    .command('resume')
    .description('Rerun a backfill: only its failed and missing partitions run again')
    .argument('<id>', 'backfill id')
    .option('--json', 'print the run summary as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const engine = await openEngine(await context.load());
      try {
        const record = await engine.store.getBackfill(id);
        if (!record) throw new StoreError('store-failed', `unknown backfill "${id}"`, { field: 'id' });
        await engine.store.updateBackfill({ backfillId: id, status: 'running' });
        // Partitions that succeeded are fresh now, so planning the same request again runs only the rest.
        // Commander gives `backfill resume <id> --json` to the parent's --json; either one asks for JSON.
        const json = flags.json ?? backfill.opts<BackfillFlags>().json;
        await runBackfill(engine, context, id, record.selection, record.partitionRequest as PartitionRequest, json === undefined ? {} : { json });
      } finally {
        await engine.close();
      }
    });
}

async function runBackfill(
  engine: Engine,
  context: CommandContext,
  backfillId: string,
  selection: string,
  request: PartitionRequest,
  flags: { force?: boolean; json?: boolean; reason?: string },
): Promise<void> {
  const action = flags.reason === undefined ? undefined : operatorAction(engine, 'backfill', { reason: flags.reason, details: { backfillId, selection } });
  const summary = await runWithProgress(engine, context.io, {
    ...(action ? { onRun: action.onRun } : {}),
    selection,
    partitions: request,
    force: flags.force ?? false,
    trigger: 'backfill',
    backfillId,
    quiet: flags.json ?? false,
  });
  await action?.recorded();
  // A run succeeds with steps still waiting for their files, but the backfill has not covered its
  // range until they ran: it stays resumable, like a failed one.
  const waiting = summary.byStatus.waiting ?? 0;
  const status = summary.status === 'cancelled' ? 'cancelled' : summary.status === 'failed' || waiting > 0 ? 'failed' : 'completed';
  const outcome = summary.status === 'succeeded' && waiting > 0 ? `incomplete, ${waiting} steps waiting for input` : summary.status;
  await engine.store.updateBackfill({ backfillId, status, ...(waiting > 0 ? { message: `${waiting} steps waiting for input` } : {}) });
  if (flags.json) {
    await context.io.stdout.write(JSON.stringify({ backfillId, backfillStatus: status, ...summary }) + '\n');
  } else {
    await printSummary(summary, context.io, false);
    context.io.stdout.write(`backfill ${backfillId} ${status === 'completed' ? 'completed' : `${outcome}; resume with: daybook backfill resume ${backfillId}`}\n`);
  }
  if (status !== 'completed') context.setExitCode(1);
}

function toJson(request: PartitionRequest): JsonObject {
  return JSON.parse(JSON.stringify(request)) as JsonObject;
}
