import type { Command } from 'commander';
import { explainCondition, latestPartition, type ConditionExplanation } from '../../automation/conditions/explain.ts';
import { loadConditionCursor } from '../../automation/conditions/cursor.ts';
import { existingPartitions } from '../../automation/conditions/masks.ts';
import { inProgressPartitions } from '../../automation/queue-state.ts';
import { observeSources } from '../../executor/observe-sources.ts';
import { formatPartition } from '../../planner/explain.ts';
import { openEngine } from '../open-engine.ts';
import { table, write, type CommandContext } from '../output.ts';

/** `daybook conditions test <asset> [--partition K]`: why an asset's automation condition is true or false. */
export function conditionsCommands(program: Command, context: CommandContext): void {
  program
    .command('conditions')
    .description('Declarative automation conditions')
    .command('test')
    .description("Show, node by node, why an asset's automation condition is true or false for one partition")
    .argument('<asset>', 'the asset key')
    .option('--partition <key>', 'the partition (default: the latest one whose window has ended)')
    .option('--json', 'print {"asset","partition","value","tree":{"label","value","detail","children":[…]}}')
    .action(async (assetKey: string, flags: { partition?: string; json?: boolean }) => {
      const config = await context.load();
      const { definitions } = config;
      const now = context.io.now();
      const partitions = definitions.get(assetKey).partitions;
      const partition = flags.partition ?? partitions.keyAt(latestPartition(assetKey, existingPartitions(partitions, now)));
      const engine = await openEngine(config);
      try {
        const id = definitions.idOf(assetKey);
        await observeSources(engine, [id], partition === '' ? {} : { partition });
        const tree = explainCondition({
          definitions,
          state: await engine.store.plannerState(definitions),
          now,
          previous: await loadConditionCursor(engine.store),
          inProgress: await inProgressPartitions(engine.store),
          asset: assetKey,
          partition,
        });
        await print(assetKey, partition, tree, context, flags.json ?? false);
      } finally {
        await engine.close();
      }
    });
}

async function print(asset: string, partition: string, tree: ConditionExplanation, { io }: CommandContext, json: boolean): Promise<void> {
  if (json) {
    await write(io.stdout, JSON.stringify({ asset, partition: partition === '' ? null : partition, value: tree.value, tree }) + '\n');
    return;
  }
  const rows: string[][] = [];
  const walk = (node: ConditionExplanation, depth: number): void => {
    rows.push([`${'  '.repeat(depth)}${node.label}`, String(node.value), node.detail]);
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(tree, 0);
  await write(io.stdout, `${formatPartition(asset, partition)}: ${tree.value ? 'true, requested unless already running' : 'false, not requested'}\n${table(['condition', 'value', 'detail'], rows)}`);
}
