import type { AssetDefinition } from '../definitions/asset.ts';
import type { CheckContext, CheckResult, MetricValue, PartitionMetrics } from '../definitions/check.ts';
import type { Definitions } from '../definitions/definitions.ts';
import type { DuckDBConnection } from '../io/duckdb.ts';
import { messageOf } from '../io/duckdb.ts';
import type { InputRelation } from '../io/input-relation.ts';
import { readError } from '../io/read-error.ts';
import type { PartitionStorage } from '../io/partition-storage.ts';
import { quoteIdentifier, quoteLiteral } from '../io/sql-text.ts';
import type { JsonObject } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import type { CheckResultInput } from '../store/writes.ts';
import { partitionWindow } from '../partitions/partition-window.ts';

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
  /**
   * The rows under check: a Parquet file (the compute's output before it is stored), or a source
   * file already readable on the connection, whose errors are reported naming the file and line.
   */
  rows: { file: string } | { view: string; relation?: InputRelation };
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
    const evaluated = new Map<string, CheckResult>();
    const context = createContext(options, views, evaluated);
    const results: CheckResultInput[] = [];
    for (const check of asset.checks) {
      const { name, severity, blocking } = check.spec;
      const result = await check.evaluate(context).catch(async (error: unknown): Promise<CheckResult> => {
        await assertReadable(options);
        return { passed: false, metrics: {}, message: `could not evaluate: ${messageOf(error)}` };
      });
      evaluated.set(name, result);
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
      blocking.length === 0 ? '' : `${where}: blocked by ${blocking.length === 1 ? 'check' : 'checks'} ${blocking.map(describeFailure).join('; ')}`;
    return { results, blocking, message };
  } finally {
    for (const view of views.reverse()) await connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(view)}`).catch(() => undefined);
  }
}

/** A failed check in a step's message: its name, its message (which carries its metrics), and its first sample row. */
function describeFailure(result: CheckResultInput): string {
  const [first] = result.sample ?? [];
  return `${result.check} (${result.message})${first === undefined ? '' : `, e.g. ${JSON.stringify(first)}`}`;
}

/**
 * A check that throws has failed, unless the rows under check cannot be read at all (a malformed
 * source file): that fails the step like a compute reading it would, naming the file and line.
 */
async function assertReadable({ connection, asset, partition, rows }: CheckGateOptions): Promise<void> {
  try {
    await connection.query(`SELECT count(*) FROM ${OUTPUT}`);
  } catch (error) {
    const relations = 'relation' in rows && rows.relation ? [rows.relation] : [];
    throw await readError(error, { asset: asset.key, partition, relations });
  }
}

function createContext(options: CheckGateOptions, views: string[], evaluated: ReadonlyMap<string, CheckResult>): CheckContext {
  const { connection, store, storage, definitions, asset, partition } = options;
  return {
    asset: asset.key,
    partition,
    window: partitionWindow(asset.partitions, partition),
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
    async metricHistory({ check, metric, count }) {
      const keys = trailingKeys(asset, partition, count);
      if (keys.length === 0) return [];
      const results = await store.listCheckResults({ asset: asset.key, partitions: keys, check, limit: keys.length * 50 });
      // A source has no materializations: its latest result is on its latest file.
      const current =
        asset.kind === 'source' ? undefined : new Map((await store.currentMaterializations(asset.key, { partitions: keys })).map((m) => [m.partition, m]));
      const values = new Map<string, number>();
      for (const result of results) {
        if (values.has(result.partition)) continue;
        const materialization = current?.get(result.partition);
        if (current && !materialization) continue;
        // The gate's results of the step that made the current data, or a `daybook check` since.
        const onCurrent = !materialization || (result.stepId === null ? result.createdAt >= materialization.createdAt : result.stepId === materialization.stepId);
        const value = result.metrics[metric];
        if (onCurrent && typeof value === 'number' && Number.isFinite(value)) values.set(result.partition, value);
      }
      return keys.flatMap((key): MetricValue[] => (values.has(key) ? [{ partition: key, value: values.get(key)! }] : []));
    },
    resultOf: (check) => evaluated.get(check),
  };
}

/** The time dimension's definition and the key's position in it, for single and multi partitions. */
function timeAxisOf(asset: AssetDefinition, partition: string) {
  const dimensions = asset.partitions.dimensions;
  if (!dimensions) return asset.partitions.time ? { definition: asset.partitions, values: [partition], at: 0 } : undefined;
  const at = dimensions.findIndex((dimension) => dimension.definition.time !== undefined);
  return at < 0 ? undefined : { definition: dimensions[at]!.definition, values: partition.split('|'), at };
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
