import type { AssetDefinition } from '../definitions/asset.ts';
import type { PublishReader } from '../definitions/publish-target.ts';
import { partitionValues } from '../io/partition-values.ts';
import type { PublishInput } from '../store/writes.ts';
import { PublishError } from '../util/errors.ts';

export interface PublishStepOptions {
  asset: AssetDefinition;
  partition: string;
  /** The checked partition file, in place in partition storage. */
  file: string;
  dataVersion: string;
  rowCount: number;
  runId: string;
  stepId: string;
  reader: PublishReader;
  log: (line: string) => void;
}

/**
 * Publishes a checked partition to each of its asset's targets, in order, and returns what to record
 * with the step's success. A target that fails fails the step: the targets before it hold the new
 * version, which a retry then finds there and skips.
 */
export async function publishStep({ asset, partition, file, dataVersion, rowCount, runId, stepId, reader, log }: PublishStepOptions): Promise<PublishInput[]> {
  if (asset.publish.length === 0) return [];
  const partitionColumns = Object.fromEntries(partitionValues(asset, partition).map(({ name, value }) => [name, value]));
  const records: PublishInput[] = [];
  for (const target of asset.publish) {
    let result;
    try {
      result = await target.publish({ asset: asset.key, partition, partitionColumns, dataVersion, file, rowCount, runId, reader });
    } catch (cause) {
      if (cause instanceof PublishError) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new PublishError('publish-failed', `asset "${asset.key}" partition "${partition}": publishing to ${target.name} failed: ${reason}`, {
        asset: asset.key,
        partition,
        field: target.name,
        cause,
      });
    }
    log(`${result.published ? 'published to' : 'already at'} ${target.name}: ${result.uri}`);
    records.push({ asset: asset.key, partition, target: target.name, uri: result.uri, dataVersion, runId, stepId, published: result.published });
  }
  return records;
}
