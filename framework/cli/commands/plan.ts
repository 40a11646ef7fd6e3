import type { Command } from 'commander';
import { selectAssets } from '../../definitions/selection.ts';
import { observeSources } from '../../executor/observe-sources.ts';
import { openEngine } from '../open-engine.ts';
import { createPlan, type Plan } from '../../planner/plan.ts';
import { table, write, type CommandContext, type CommandIO } from '../output.ts';
import { partitionRequest, withPartitionOptions, type PartitionFlags } from '../partition-options.ts';

interface PlanFlags extends PartitionFlags {
  json?: boolean;
  force?: boolean;
  limit: string;
}

/** `daybook plan`: which partitions must run, and why. */
export function planCommand(program: Command, { load, io }: CommandContext): void {
  withPartitionOptions(
    program
      .command('plan')
      .description('Show the steps needed to bring a selection up to date, each with its reason')
      .argument('[selection]', 'assets: key, +key, key+, group:NAME, tag:K=V, commas for union', '*'),
  )
    .option('--force', 'plan every requested partition, fresh or not')
    .option('--limit <n>', 'steps to list in text output', '20')
    .option('--json', 'print {"steps":[{"asset","partition","reason","detail"}]}')
    .addHelpText(
      'after',
      '\nExamples:\n  daybook plan\n  daybook plan northbridge/executions+ --partition 2026-11-20 --where broker=GSCO\n  daybook plan group:northbridge --from 2026-11-16 --to 2026-11-20 --json',
    )
    .action(async (selection: string, flags: PlanFlags) => {
      const config = await load();
      const { definitions } = config;
      const assets = selectAssets(definitions, selection);
      const partitions = partitionRequest(flags, io.now());
      const engine = await openEngine(config);
      try {
        await observeSources(engine, assets, partitions);
        const state = await engine.store.plannerState(definitions);
        const plan = createPlan({ definitions, state, assets, partitions, force: flags.force ?? false });
        if (flags.json) await printJson(plan, io);
        else await printText(plan, io, Number(flags.limit));
      } finally {
        await engine.close();
      }
    });
}

async function printJson(plan: Plan, io: CommandIO): Promise<void> {
  // Streamed, because a plan can hold millions of steps.
  await write(io.stdout, '{"steps":[');
  let chunk = '';
  let first = true;
  for (const step of plan.steps()) {
    chunk += `${first ? '' : ','}\n${JSON.stringify({
      asset: step.asset,
      partition: step.partition === '' ? null : step.partition,
      reason: step.reason,
      detail: plan.explain(step),
    })}`;
    first = false;
    if (chunk.length > 65_536) {
      await write(io.stdout, chunk);
      chunk = '';
    }
  }
  await write(io.stdout, `${chunk}\n]}\n`);
}

async function printText(plan: Plan, io: CommandIO, limit: number): Promise<void> {
  const perAsset = new Map<string, { steps: number; first: string; last: string; reasons: Map<string, number> }>();
  const shown: string[][] = [];
  for (const step of plan.steps()) {
    let entry = perAsset.get(step.asset);
    if (!entry) perAsset.set(step.asset, (entry = { steps: 0, first: step.partition, last: step.partition, reasons: new Map() }));
    entry.steps++;
    entry.last = step.partition;
    entry.reasons.set(step.reason, (entry.reasons.get(step.reason) ?? 0) + 1);
    if (shown.length < limit) shown.push([step.asset, step.partition || '-', step.reason, plan.explain(step)]);
  }
  const total = [...perAsset.values()].reduce((sum, entry) => sum + entry.steps, 0);
  if (total === 0) {
    await write(io.stdout, 'Nothing to do: every requested partition is fresh.\n');
    return;
  }
  const rows = [...perAsset].map(([asset, entry]) => [
    asset,
    String(entry.steps),
    [...entry.reasons].map(([reason, count]) => `${reason} ${count}`).join(', '),
    entry.first === entry.last ? entry.first || '-' : `${entry.first} .. ${entry.last}`,
  ]);
  await write(io.stdout, `${total} steps over ${perAsset.size} assets\n\n`);
  await write(io.stdout, table(['asset', 'steps', 'reasons', 'partitions'], rows));
  await write(io.stdout, `\nFirst ${shown.length} steps:\n`);
  await write(io.stdout, table(['asset', 'partition', 'reason', 'detail'], shown));
  if (total > shown.length) await write(io.stdout, `… and ${total - shown.length} more (use --limit or --json)\n`);
}
