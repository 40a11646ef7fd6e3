import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDuckDB, type DuckDB, type DuckDBConnection } from '../../framework/io/duckdb.ts';
import { quoteLiteral } from '../../framework/io/sql-text.ts';
import type { PublishRequest, PublishTarget } from '../../framework/definitions/publish-target.ts';
import { scratchDirectories } from '../framework/io/scratch.ts';

/** What the contract needs from an implementation. */
export interface PublisherContractOptions {
  /** Names the implementation in the suite's title. */
  name: string;
  /** A target with nothing published yet, writing under `root` where it writes files. */
  newTarget: (root: string) => Promise<PublishTarget>;
  /** Every row of the asset's table, each value as text, e.g. `{ trade_id: '1', qty: '10', _daybook_partition: '2026-11-20|PF001' }`. */
  readRows: (asset: string) => Promise<Record<string, string | null>[]>;
  /** Releases what `newTarget` made, after each test. */
  cleanup?: () => Promise<void>;
  /** What the target's URIs and failure messages contain to name the asset; default its table, `contract__positions`. */
  assetInUri?: string;
}

const ASSET = 'contract/positions';

/** The rows of one partition as `portfolio:trade_id:qty` strings, sorted. */
const summary = (rows: Record<string, string | null>[], partition?: string) =>
  rows
    .filter((row) => partition === undefined || row._daybook_partition === partition)
    .map((row) => `${row.portfolio}:${row.trade_id}:${row.qty}`)
    .sort();

/**
 * Every publisher replaces a partition's rows atomically and does nothing for a data version it
 * already holds. Run with `publisherContract({ name, newTarget, readRows })`.
 */
export function publisherContract(options: PublisherContractOptions): void {
  const assetInUri = options.assetInUri ?? 'contract__positions';
  describe(`publisher contract: ${options.name}`, () => {
    const scratch = scratchDirectories('publisher');
    let duckdb: DuckDB;
    let connection: DuckDBConnection;
    let root: string;
    let target: PublishTarget;

    /** Writes a Parquet file of `(trade_id bigint, portfolio varchar, qty <type>)` rows. */
    const parquet = async (name: string, rows: string, qtyType = 'bigint') => {
      const file = join(root, `${name}.parquet`);
      await connection.run(
        `copy (select trade_id::bigint as trade_id, portfolio, qty::${qtyType} as qty from (values ${rows}) as t(trade_id, portfolio, qty))
          to ${quoteLiteral(file)} (format parquet)`,
      );
      return file;
    };
    const request = (partition: string, file: string, dataVersion: string, rowCount: number): PublishRequest => {
      const [date, portfolio] = partition.split('|');
      return { asset: ASSET, partition, partitionColumns: { date: date!, portfolio: portfolio! }, dataVersion, file, rowCount, runId: 'run-1', reader: connection };
    };

    beforeAll(async () => {
      duckdb = await createDuckDB({ threads: 1 });
      connection = await duckdb.connect();
    });
    afterAll(() => duckdb.close());
    beforeEach(async () => {
      root = await scratch.make();
      target = await options.newTarget(root);
    });
    afterEach(async () => {
      await options.cleanup?.();
      await scratch.removeAll();
    });

    it('creates the table on the first publish and loads the partition rows with their key and dimensions', async () => {
      const file = await parquet('a', `(1, 'PF001', 10), (2, 'PF001', 20)`);
      const result = await target.publish(request('2026-11-20|PF001', file, 'sha256:a', 2));
      expect(result.published).toBe(true);
      expect(result.uri).toContain(assetInUri);
      const rows = await options.readRows(ASSET);
      expect(summary(rows)).toEqual(['PF001:1:10', 'PF001:2:20']);
      expect(rows.every((row) => row._daybook_partition === '2026-11-20|PF001' && row.date === '2026-11-20')).toBe(true);
    });

    it('writes nothing when the same data version is published again', async () => {
      const file = await parquet('a', `(1, 'PF001', 10)`);
      await target.publish(request('2026-11-20|PF001', file, 'sha256:a', 1));
      const again = await target.publish(request('2026-11-20|PF001', file, 'sha256:a', 1));
      expect(again.published).toBe(false);
      expect(summary(await options.readRows(ASSET))).toEqual(['PF001:1:10']);
    });

    it('replaces only that partition rows, without duplicates, when a new data version is published', async () => {
      await target.publish(request('2026-11-20|PF001', await parquet('a', `(1, 'PF001', 10), (2, 'PF001', 20)`), 'sha256:a', 2));
      await target.publish(request('2026-11-20|PF002', await parquet('b', `(3, 'PF002', 30)`), 'sha256:b', 1));
      const corrected = await parquet('c', `(1, 'PF001', 11), (2, 'PF001', 21)`);
      expect((await target.publish(request('2026-11-20|PF001', corrected, 'sha256:c', 2))).published).toBe(true);
      const rows = await options.readRows(ASSET);
      expect(summary(rows, '2026-11-20|PF001')).toEqual(['PF001:1:11', 'PF001:2:21']);
      expect(summary(rows, '2026-11-20|PF002')).toEqual(['PF002:3:30']);
      expect(rows).toHaveLength(3);
    });

    it('keeps the previous rows of the partition when a load fails midway', async () => {
      await target.publish(request('2026-11-20|PF001', await parquet('a', `(1, 'PF001', 10)`), 'sha256:a', 1));
      // qty arrives as text the table's bigint column cannot hold: the insert fails after the delete.
      const bad = await parquet('bad', `(1, 'PF001', 'ten'), (2, 'PF001', 'twenty')`, 'varchar');
      const failure = await target.publish(request('2026-11-20|PF001', bad, 'sha256:bad', 2)).catch((error: unknown) => error);
      expect(failure).toMatchObject({ name: 'PublishError', code: 'publish-failed', asset: ASSET, partition: '2026-11-20|PF001' });
      expect(String((failure as Error).message)).toContain(assetInUri);
      expect(summary(await options.readRows(ASSET))).toEqual(['PF001:1:10']);
      // The failed version was not recorded: publishing the good version again is a no-op, a new one loads.
      expect((await target.publish(request('2026-11-20|PF001', await parquet('a2', `(1, 'PF001', 10)`), 'sha256:a', 1))).published).toBe(false);
    });

    it('quotes names and values, so a partition key with quotes is stored as text', async () => {
      const partition = `2026-11-20|PF'; drop table x; --`;
      await target.publish(request(partition, await parquet('q', `(7, 'PF003', 70)`), 'sha256:q', 1));
      const rows = await options.readRows(ASSET);
      expect(rows.map((row) => row._daybook_partition)).toEqual([partition]);
      expect(rows[0]!.portfolio).toBe('PF003');
    });
  });
}
