import type { AssetDefinition } from '../definitions/asset.ts';
import type { CheckContext, PartitionMetrics } from '../definitions/check.ts';
import type { Definitions } from '../definitions/definitions.ts';
import type { DuckDBConnection } from '../io/duckdb.ts';
import { messageOf } from '../io/duckdb.ts';
import type { PartitionStorage } from '../io/partition-storage.ts';
import { quoteIdentifier, quoteLiteral } from '../io/sql-text.ts';
import type { JsonObject } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import type { CheckResultInput } from '../store/writes.ts';

/** Sample failing rows stored per result. */
const SAMPLE_LIMIT = 5;
/** The relation name every check reads the rows under check by. */
const OUTPUT = 'output';

export interface CheckGateOptions {
  /** The step's connection: its input views stay visible to the checks. */
  connection: DuckDBConnection;
  store: MetadataStore;
  storage: PartitionStorage;
  definitions: Definitions;
  /** The asset or source whose checks run. */
  asset: AssetDefinition;
  partition: string;
  /** The rows under check: a Parquet file (the compute's output before it is stored), or a view already on the connection (a source file). */
  rows: { file: string } | { view: string };
  /** The step's input relation names. */
  inputs: readonly string[];
  now: number;
  runId?: string;
  stepId?: string;
}

/** Every check's result, ready to store, and the blocking ones that failed. */
export interface CheckGateOutcome {
  readonly results: readonly CheckResultInput[];
  readonly blocking: readonly CheckResultInput[];
  /** Names the failing blocking checks with their messages; empty when nothing blocks. */
  readonly message: string;
}

/**
 * Evaluates an asset partition's checks on the step's connection, with the rows under check
 * visible as `output`. A check that throws (bad SQL, a missing reference partition) fails with the
 * error as its message: a check that cannot say the data is good has not passed.
 */
export async function evaluateChecks(options: CheckGateOptions): Promise<CheckGateOutcome> {
  const { connection, asset, partition } = options;
  const views: string[] = [];
  const where = `asset "${asset.key}" partition ${JSON.stringify(partition)}`;
  try {
    const from = 'file' in options.rows ? `read_parquet(${quoteLiteral(options.rows.file)}, hive_partitioning = false)` : quoteIdentifier(options.rows.view);
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${OUTPUT} AS SELECT * FROM ${from}`);
    views.push(OUTPUT);
    const context = createContext(options, views);
    const results: CheckResultInput[] = [];
    for (const check of asset.checks) {
      const { name, severity, blocking } = check.spec;
      const result = await check.evaluate(context).catch((error: unknown) => ({
        passed: false,
        metrics: {},
        message: `could not evaluate: ${messageOf(error)}`,
      }));
      results.push({
        ...(options.runId === undefined ? {} : { runId: options.runId }),
        ...(options.stepId === undefined ? {} : { stepId: options.stepId }),
        asset: asset.key,
        partition,
        check: name,
        severity,
        blocking,
        passed: result.passed,
        message: result.message,
        metrics: result.metrics as JsonObject,
        ...('sampleFailures' in result && result.sampleFailures ? { sample: result.sampleFailures.slice(0, SAMPLE_LIMIT) as JsonObject[] } : {}),
      });
    }
    const blocking = results.filter((result) => result.blocking && !result.passed);
    const message =
      blocking.length === 0 ? '' : `${where}: blocked by ${blocking.length === 1 ? 'check' : 'checks'} ${blocking.map((r) => `${r.check} (${r.message})`).join('; ')}`;
    return { results, blocking, message };
  } finally {
    for (const view of views.reverse()) await connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(view)}`).catch(() => undefined);
  }
}

function createContext(options: CheckGateOptions, views: string[]): CheckContext {
  const { connection, store, storage, definitions, asset, partition } = options;
  return {
    asset: asset.key,
    partition,
    window: windowOf(asset, partition),
    now: options.now,
    output: OUTPUT,
    inputs: options.inputs,
    query: <Row>(sql: string) => connection.query<Row>(sql),
    async relation(key, partitions) {
      const other = definitions.get(key);
      let keys = partitions;
      if (keys === undefined) {
        if (other.partitions.tryIndexOf(partition) >= 0) keys = [partition];
        else {
          const [latest] = await store.currentMaterializations(key, { limit: 1 });
          if (!latest) throw new Error(`asset "${key}" has no materialized partition to check against`);
          keys = [latest.partition];
        }
      }
      const files = await Promise.all(keys.map((k) => storage.open({ asset: other, partition: k })));
      const name = `daybook_ref_${views.length}`;
      await connection.registerParquet(name, files);
      views.push(name);
      return name;
    },
    async history(count) {
      const keys = trailingKeys(asset, partition, count);
      if (keys.length === 0) return [];
      const found = await store.currentMaterializations(asset.key, { partitions: keys });
      const rows = new Map(found.map((m) => [m.partition, m.rowCount]));
      return keys.flatMap((key): PartitionMetrics[] => (rows.get(key) == null ? [] : [{ partition: key, rowCount: Number(rows.get(key)) }]));
    },
  };
}

/** The time dimension's definition and the key's position in it, for single and multi partitions. */
function timeAxisOf(asset: AssetDefinition, partition: string) {
  const dimensions = asset.partitions.dimensions;
  if (!dimensions) return asset.partitions.time ? { definition: asset.partitions, values: [partition], at: 0 } : undefined;
  const at = dimensions.findIndex((dimension) => dimension.definition.time !== undefined);
  return at < 0 ? undefined : { definition: dimensions[at]!.definition, values: partition.split('|'), at };
}

function windowOf(asset: AssetDefinition, partition: string): CheckContext['window'] {
  const axis = timeAxisOf(asset, partition);
  if (!axis) return undefined;
  const index = axis.definition.tryIndexOf(axis.values[axis.at]!);
  if (index < 0) return undefined;
  return { start: axis.definition.time!.windowStart(index), end: axis.definition.time!.windowEnd(index) };
}

/** The keys of the `count` partitions before this one along time, other dimensions held, oldest first. */
function trailingKeys(asset: AssetDefinition, partition: string, count: number): string[] {
  const axis = timeAxisOf(asset, partition);
  const definition = axis?.definition ?? asset.partitions;
  const values = axis?.values ?? [partition];
  const at = axis?.at ?? 0;
  const index = definition.tryIndexOf(values[at]!);
  const keys: string[] = [];
  for (let i = Math.max(0, index - count); i < index; i++) keys.push(values.map((value, d) => (d === at ? definition.keyAt(i) : value)).join('|'));
  return keys;
}
