import type { Command } from 'commander';
import { selectAssets } from '../../definitions/selection.ts';
import { observeSources } from '../../executor/observe-sources.ts';
import { createPlan, type Plan } from '../../planner/plan.ts';
import { CODE_CHANGED, FAILED, FRESH, MISSING, reasonName, UPSTREAM_CHANGED } from '../../planner/reason.ts';
import type { PublishRecord } from '../../store/schema.ts';
import { openEngine } from '../open-engine.ts';
import { table, write, type CommandContext } from '../output.ts';
import { partitionRequest, withPartitionOptions, type PartitionFlags } from '../partition-options.ts';

type PartitionStatus = 'fresh' | 'missing' | 'stale' | 'failed';
type PublishSummary = { target: string; uri: string; at: string; dataVersion: string; published: boolean };

const STATUS_OF: Record<number, PartitionStatus> = {
  [FRESH]: 'fresh',
  [MISSING]: 'missing',
  [CODE_CHANGED]: 'stale',
  [UPSTREAM_CHANGED]: 'stale',
  [FAILED]: 'failed',
};

/** `daybook status [asset]`: the status of every partition, with why. */
export function statusCommand(program: Command, context: CommandContext): void {
  withPartitionOptions(
    program
      .command('status')
      .description('Show partition status (fresh, missing, stale, failed) per asset, or per partition of one asset')
      .argument('[asset]', 'one asset key: list its partitions with their reasons'),
  )
    .option('--json', 'print {"assets":[…]} or {"asset","partitions":[{"partition","status","reason","detail","publishes":[{"target","uri","at","dataVersion","published"}]}]}')
    .action(async (assetKey: string | undefined, flags: PartitionFlags & { json?: boolean }) => {
      const config = await context.load();
      const { definitions } = config;
      const assets = assetKey === undefined ? selectAssets(definitions, '*') : [definitions.idOf(assetKey)];
      const partitions = partitionRequest(flags, context.io.now());
      const engine = await openEngine(config);
      try {
        await observeSources(engine, assets, partitions);
        const state = await engine.store.plannerState(definitions);
        const plan = createPlan({ definitions, state, assets, partitions });
        if (assetKey === undefined) await printAssets(plan, assets, context, flags.json ?? false);
        else await printPartitions(plan, assets[0]!, await engine.store.latestPublishes(assetKey), context, flags.json ?? false);
      } finally {
        await engine.close();
      }
    });
}

async function printAssets(plan: Plan, ids: readonly number[], { io }: CommandContext, json: boolean): Promise<void> {
  const summaries = ids.map((id) => {
    const asset = plan.definitions.assets[id]!;
    const counts: Record<PartitionStatus, number> = { fresh: 0, missing: 0, stale: 0, failed: 0 };
    const codes = plan.reasons[id]!;
    for (const [start, end] of plan.targets[id]!.ranges()) for (let i = start; i < end; i++) counts[STATUS_OF[codes[i]!]!]++;
    return { asset: asset.key, kind: asset.kind, partitions: plan.targets[id]!.count(), ...counts };
  });
  if (json) {
    await write(io.stdout, JSON.stringify({ assets: summaries }) + '\n');
    return;
  }
  const rows = summaries.map((s) => [s.asset, s.kind, String(s.partitions), String(s.fresh), String(s.missing), String(s.stale), String(s.failed)]);
  await write(io.stdout, table(['asset', 'kind', 'partitions', 'fresh', 'missing', 'stale', 'failed'], rows));
}

async function printPartitions(plan: Plan, id: number, latest: readonly PublishRecord[], { io }: CommandContext, json: boolean): Promise<void> {
  const asset = plan.definitions.assets[id]!;
  const publishesOf = new Map<string, PublishSummary[]>();
  for (const p of latest) {
    const list = publishesOf.get(p.partition) ?? [];
    list.push({ target: p.target, uri: p.uri, at: p.at.toISOString(), dataVersion: p.dataVersion, published: p.published });
    publishesOf.set(p.partition, list);
  }
  const codes = plan.reasons[id]!;
  const partitions: { partition: string | null; status: PartitionStatus; reason: string | null; detail: string; publishes: PublishSummary[] }[] = [];
  for (const index of plan.targets[id]!.indexes()) {
    const code = codes[index]!;
    const reason = reasonName(code);
    const partition = asset.partitions.keyAt(index);
    const detail =
      reason === undefined
        ? ''
        : asset.kind === 'source'
          ? 'not observed: the file has not arrived'
          : plan.explain({ asset: asset.key, partition, partitionIndex: index, reason });
    const publishes = publishesOf.get(partition) ?? [];
    partitions.push({ partition: partition === '' ? null : partition, status: STATUS_OF[code]!, reason: reason ?? null, detail, publishes });
  }
  if (json) {
    await write(io.stdout, JSON.stringify({ asset: asset.key, partitions }) + '\n');
    return;
  }
  const published = (p: (typeof partitions)[number]) => p.publishes.map((x) => `${x.target} ${x.uri} ${x.at}`).join('; ');
  const withPublishes = latest.length > 0;
  const rows = partitions.map((p) => [p.partition ?? '-', p.status, p.reason ?? '', p.detail, ...(withPublishes ? [published(p)] : [])]);
  const headers = ['partition', 'status', 'reason', 'detail', ...(withPublishes ? ['published'] : [])];
  await write(io.stdout, rows.length === 0 ? `${asset.key}: no partitions in range\n` : table(headers, rows));
}
