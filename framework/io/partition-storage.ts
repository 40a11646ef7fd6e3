import type { AssetDefinition } from '../definitions/asset.ts';

/** One partition of one asset, as storage addresses it. The asset's partitions definition validates the key. */
export interface StoredPartitionAddress {
  readonly asset: Pick<AssetDefinition, 'key' | 'partitions'>;
  readonly partition: string;
}

/** What `write()` stored. */
export interface StoredPartition {
  /** Where the file lives: a local path, or later an `s3://` URI. */
  readonly location: string;
  /** A content hash of the file's bytes (`sha256:…`; local storage uses `sha256-chunked:…` over 16 MiB, see fileDataVersion), so equal bytes give equal versions. */
  readonly dataVersion: string;
  readonly bytes: number;
}

/**
 * Where the Parquet file of each asset partition lives. A partition has at most one file: writing it
 * again replaces it whole, and a failed or interrupted write leaves the previous file (or none) in place.
 *
 * Implementations: `createLocalPartitionStorage()` (a directory, the default). Each passes
 * `test/contracts/partition-storage.contract.ts`.
 */
export interface PartitionStorage {
  /** Names the implementation in messages, e.g. `local storage at .daybook/storage`. */
  readonly name: string;
  /** Where the partition's file is or would be. Throws a PartitionError for a key the asset does not have. */
  locate(address: StoredPartitionAddress): string;
  /**
   * Stores a partition: `produce` writes the file at a local temporary path (DuckDB's
   * `COPY … TO tempPath`), then storage hashes it and moves it into place in one step.
   */
  write(address: StoredPartitionAddress, produce: (tempPath: string) => Promise<void>): Promise<StoredPartition>;
  exists(address: StoredPartitionAddress): Promise<boolean>;
  /** A local path DuckDB can read. Throws a MaterializationError (`partition-not-stored`) when there is none. */
  open(address: StoredPartitionAddress): Promise<string>;
  /** Deletes the partition's file; does nothing when there is none. */
  remove(address: StoredPartitionAddress): Promise<void>;
}
