import { resolve } from 'node:path';
import type { AssetDefinition } from '../definitions/asset.ts';
import { partitionValues } from '../io/partition-values.ts';

/** An OpenLineage dataset identity: the datasource (`file`, `s3://bucket`) and the path within it. */
export interface DatasetName {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Names a dataset by its storage location, as OpenLineage's naming spec does for files:
 * `s3://bucket/key` → namespace `s3://bucket`, name `key`; a local path → namespace `file`, name
 * the absolute path.
 */
export function datasetAt(location: string): DatasetName {
  const s3 = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (s3) return { namespace: `s3://${s3[1]}`, name: s3[2]! };
  const path = location.startsWith('file://') ? new URL(location).pathname : resolve(location);
  return { namespace: 'file', name: path };
}

/**
 * The dataset of an asset: the directory holding all its partitions, one level above the partition
 * directories of a stored file (`…/northbridge/positions/date=…/portfolio=…/data.parquet` →
 * `…/northbridge/positions`), so every partition of an asset is one dataset, as a table is.
 */
export function assetDataset(asset: Pick<AssetDefinition, 'key' | 'partitions'>, partition: string, file: string): DatasetName {
  let depth = 1;
  try {
    depth += partitionValues(asset, partition).length;
  } catch {
    // The key was valid when the step ran; an unexpected key names the file's own directory.
  }
  return datasetAt(dropSegments(file, depth));
}

/**
 * The dataset of a source: the landing directory its pattern's placeholders start below
 * (`executions/{broker}/{date}.csv` read at `landing/executions/GSCO/2026-11-20.csv` →
 * `landing/executions`); the file itself for a pattern without placeholders.
 */
export function sourceDataset(source: Pick<AssetDefinition, 'location'>, file: string): DatasetName {
  const segments = (source.location?.pattern ?? '').split('/');
  const first = segments.findIndex((segment) => segment.includes('{'));
  return datasetAt(first < 0 ? file : dropSegments(file, segments.length - first));
}

function dropSegments(location: string, count: number): string {
  let end = location.length;
  for (let dropped = 0; dropped < count; dropped++) {
    const slash = location.lastIndexOf('/', end - 1);
    if (slash <= 0) break;
    end = slash;
  }
  return location.slice(0, end);
}
