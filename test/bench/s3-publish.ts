// S3 publish benchmark: about 1 GB of Parquet published through s3Target() to a local S3 server
// (s3rver), against a plain @aws-sdk/lib-storage Upload of the same file in the same run. Both use
// the same part size and parts in flight, so the ratio measures the publisher, not its tuning.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createDuckDB, hashFile, quoteLiteral, s3Target } from '../../framework/index.ts';
import { startS3Server } from '../support/s3-server.ts';

export interface S3PublishFigures {
  /** Publish time over baseline time, summed over the rounds; the target is ≤ 1.1. */
  s3PublishRatio: number;
  publishMBps: number;
  baselineMBps: number;
  /** The file's size. */
  bytes: number;
}

export interface MeasureS3PublishOptions {
  /** Rows of the file: about 84 bytes each on disk; default 12.5M (about 1 GB). */
  rows?: number;
  /** Rounds of one baseline upload and one publish, alternating which goes first; default 3. */
  rounds?: number;
  partSizeBytes?: number;
  queueSize?: number;
}

const BUCKET = 'daybook-bench';

/**
 * Writes an incompressible Parquet file with DuckDB (random doubles and hex strings, uncompressed),
 * starts s3rver, and times a lib-storage Upload of it and an `s3Target().publish()` of it to other
 * keys, alternately. Every object is deleted after it is timed, and the file and server afterwards.
 *
 * @example
 * const { s3PublishRatio } = await measureS3Publish();
 */
export async function measureS3Publish({
  rows = Number(process.env.BENCH_S3_ROWS ?? 12_500_000),
  rounds = Number(process.env.BENCH_S3_ROUNDS ?? 3),
  partSizeBytes = 16 * 1024 * 1024,
  queueSize = 4,
}: MeasureS3PublishOptions = {}): Promise<S3PublishFigures> {
  const directory = await mkdtemp(join(tmpdir(), 'daybook-bench-s3-'));
  const file = join(directory, 'partition.parquet');
  const duckdb = await createDuckDB();
  const server = await startS3Server([BUCKET]);
  try {
    const connection = await duckdb.connect();
    await connection.run(
      `copy (select random() as price, random() * 1e6 as quantity, md5(random()::varchar) || md5(random()::varchar) as note from range(${rows}))
        to ${quoteLiteral(file)} (format parquet, compression 'uncompressed', row_group_size 1000000)`,
    );
    const bytes = (await stat(file)).size;
    // The step hands the publisher the data version storage computed: it is not part of the publish.
    const { dataVersion } = await hashFile(file);
    const remove = (key: string) => server.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

    const baseline = async (round: number): Promise<number> => {
      const key = `baseline/${round}/part-0.parquet`;
      const started = performance.now();
      await new Upload({ client: server.client, params: { Bucket: BUCKET, Key: key, Body: createReadStream(file) }, partSize: partSizeBytes, queueSize }).done();
      const elapsed = performance.now() - started;
      await remove(key);
      return elapsed;
    };
    const publish = async (round: number): Promise<number> => {
      const target = s3Target({ bucket: BUCKET, prefix: `publish-${round}`, client: server.client, partSizeBytes, queueSize });
      const started = performance.now();
      const { uri, published } = await target.publish({
        asset: 'bench/prices',
        partition: '2026-11-20',
        partitionColumns: { partition: '2026-11-20' },
        dataVersion,
        file,
        rowCount: rows,
        runId: `bench-${round}`,
        reader: connection,
      });
      const elapsed = performance.now() - started;
      if (!published) throw new Error(`the publish to ${uri} uploaded nothing`);
      await remove(uri.slice(`s3://${BUCKET}/`.length));
      return elapsed;
    };

    let baselineMs = 0;
    let publishMs = 0;
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        baselineMs += await baseline(round);
        publishMs += await publish(round);
      } else {
        publishMs += await publish(round);
        baselineMs += await baseline(round);
      }
    }
    const mbps = (ms: number) => Math.round(((bytes * rounds) / 1e6 / (ms / 1000)) * 10) / 10;
    return { s3PublishRatio: Math.round((publishMs / baselineMs) * 1000) / 1000, publishMBps: mbps(publishMs), baselineMBps: mbps(baselineMs), bytes };
  } finally {
    duckdb.close();
    await server.dispose();
    await rm(directory, { recursive: true, force: true });
  }
}
