import type { AssetDefinition } from '../definitions/asset.ts';
import { PartitionError } from '../util/errors.ts';

/** One dimension's value within a partition key. */
export interface PartitionValue {
  /** The dimension name; `partition` for a definition with a single dimension. */
  readonly name: string;
  readonly value: string;
}

/** The name a single-dimension definition's value goes by in storage paths and source patterns. */
export const SINGLE_DIMENSION = 'partition';

/**
 * Splits a partition key into its dimension values after checking the key against the asset's
 * partitions definition: `2026-11-20|PF001` → date=2026-11-20, portfolio=PF001. The empty key of an
 * unpartitioned asset has no values.
 *
 * Every value is also checked on its own to be usable as one path segment (no `/`, `\`, NUL, `.`
 * or `..`), so a definition that accepts more than it should still cannot make a path escape.
 */
export function partitionValues(asset: Pick<AssetDefinition, 'key' | 'partitions'>, partition: string): PartitionValue[] {
  const { partitions } = asset;
  try {
    partitions.indexOf(partition);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PartitionError('invalid-partition-key', `asset "${asset.key}": ${reason}`, { asset: asset.key, partition: String(partition), cause });
  }
  if (partitions.spec.kind === 'unpartitioned') return [];
  const dimensions = partitions.dimensions;
  const values =
    dimensions === undefined
      ? [{ name: SINGLE_DIMENSION, value: partition }]
      : partition.split('|').map((value, k) => ({ name: dimensions[k]?.name ?? `#${k}`, value }));
  for (const { name, value } of values) {
    if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
      throw new PartitionError(
        'invalid-partition-key',
        `asset "${asset.key}": partition ${JSON.stringify(partition)} has ${JSON.stringify(value)} for ${name}, which cannot be a path segment`,
        { asset: asset.key, partition, field: name },
      );
    }
  }
  return values;
}

/**
 * Percent-encodes a dimension value outside `A-Z a-z 0-9 . _ -`, byte by byte in UTF-8, so that `%`
 * itself is encoded and decoding is exact: `2026-11-20T14:15` → `2026-11-20T14%3A15`. Storage paths
 * and S3 keys both use it, so a partition has the same segment everywhere.
 */
export function encodePartitionValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
