import type { Definitions } from '../definitions/definitions.ts';
import type { DuckDBConnection } from '../io/duckdb.ts';
import type { InputRelation } from '../io/input-relation.ts';
import type { PartitionStorage } from '../io/partition-storage.ts';
import { partitionValues } from '../io/partition-values.ts';
import type { SourceObservation } from '../io/source-observer.ts';
import { readSource } from '../io/source-reader.ts';
import { quoteIdentifier, quoteLiteral } from '../io/sql-text.ts';
import { formatPartition } from '../planner/explain.ts';

/** Upstream asset → upstream partition key → the data version read. */
export type ConsumedVersions = Record<string, Record<string, string>>;

export interface StepInputsOptions {
  connection: DuckDBConnection;
  definitions: Definitions;
  assetId: number;
  partitionIndex: number;
  storage: PartitionStorage;
  /** What this run observed of a source partition. */
  observation: (source: string, partition: string) => Promise<SourceObservation>;
  /** The current data version of an asset partition, or undefined when it was never materialized. */
  dataVersion: (asset: string, partitionIndex: number) => string | undefined;
}

/** The relations a step's compute reads, or why it must wait. */
export type StepInputs =
  | { readonly ready: true; readonly relations: InputRelation[]; readonly views: string[]; readonly consumed: ConsumedVersions }
  | { readonly ready: false; readonly waitingFor: string };

/**
 * Makes every dependency readable under its relation name on the step's connection: the landed file
 * of a source, or the stored Parquet files of an asset's partitions. A dependency with no partitions
 * (the session before the first one) is an empty relation. A source file that has not arrived, or an
 * upstream partition never materialized, makes the step wait instead of failing.
 */
export async function prepareStepInputs(options: StepInputsOptions): Promise<StepInputs> {
  const { connection, definitions, assetId, partitionIndex, storage } = options;
  const relations: InputRelation[] = [];
  const views: string[] = [];
  const consumed: ConsumedVersions = {};
  for (const edge of definitions.depsOf(assetId)) {
    const upstream = definitions.assets[edge.upstream]!;
    const keys: string[] = [];
    const indexes: number[] = [];
    edge.mapping.forEachUpstream(partitionIndex, (u) => {
      indexes.push(u);
      keys.push(upstream.partitions.keyAt(u));
    });
    const versions = (consumed[upstream.key] ??= {});
    const name = edge.spec.as;
    if (keys.length === 0) {
      // No columns in common with anything: computes must not rely on an empty input's schema.
      await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(name)} AS SELECT CAST(NULL AS INTEGER) AS no_partitions WHERE false`);
      views.push(name);
      continue;
    }
    if (upstream.kind === 'source') {
      const parts: string[] = [];
      for (const key of keys) {
        const observed = await options.observation(upstream.key, key);
        if (observed.status === 'missing') return { ready: false, waitingFor: observed.message };
        if (observed.status === 'invalid') throw observed.error;
        const part = keys.length === 1 ? name : `${name}__${parts.length}`;
        relations.push(await readSource({ connection, source: observed, name: part }));
        views.push(part);
        parts.push(part);
        versions[key] = observed.dataVersion;
      }
      if (keys.length > 1) {
        await connection.run(
          `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(name)} AS ${parts.map((part) => `SELECT * FROM ${quoteIdentifier(part)}`).join(' UNION ALL BY NAME ')}`,
        );
        views.push(name);
      }
      continue;
    }
    const files: string[] = [];
    for (let k = 0; k < keys.length; k++) {
      const version = options.dataVersion(upstream.key, indexes[k]!);
      if (version === undefined) return { ready: false, waitingFor: `upstream partition not materialized: ${formatPartition(upstream.key, keys[k]!)}` };
      files.push(await storage.open({ asset: upstream, partition: keys[k]! }));
      versions[keys[k]!] = version;
    }
    relations.push({ name, asset: upstream.key, partitions: keys, files, kind: 'parquet' });
  }
  return { ready: true, relations, views, consumed };
}

/**
 * Sets the partition's values as DuckDB variables for `getvariable()`: `partition_key`, one per
 * dimension by name, and `partition_date` for the date (a dimension named `date`, or a time-based
 * single dimension).
 */
export async function setPartitionVariables(connection: DuckDBConnection, definitions: Definitions, assetId: number, partition: string): Promise<string[]> {
  const asset = definitions.assets[assetId]!;
  const values: Record<string, string> = { partition_key: partition };
  for (const { name, value } of partitionValues(asset, partition)) {
    if (name === 'date' || (name === 'partition' && asset.partitions.time)) values.partition_date = value;
    if (name !== 'partition') values[name] = value;
  }
  await connection.run(
    Object.entries(values)
      .map(([name, value]) => `SET VARIABLE ${quoteIdentifier(name)} = ${quoteLiteral(value)};`)
      .join('\n'),
  );
  return Object.keys(values);
}

/** Undoes `setPartitionVariables`, so that a reused connection carries nothing into its next step. */
export async function resetPartitionVariables(connection: DuckDBConnection, names: readonly string[]): Promise<void> {
  if (names.length > 0) await connection.run(names.map((name) => `RESET VARIABLE ${quoteIdentifier(name)};`).join('\n'));
}

/**
 * Whether a step needs its partition variables: its SQL calls `getvariable()`, or checks run on its
 * connection (its own, or a source input's), whose SQL may. Setting and resetting them costs two
 * DuckDB calls, a fair share of a small step.
 */
export function usesPartitionVariables(definitions: Definitions, assetId: number, sql: string): boolean {
  const asset = definitions.assets[assetId]!;
  if (/getvariable\s*\(/iu.test(sql) || asset.checks.length > 0) return true;
  return asset.deps.some((dep) => {
    const upstream = definitions.get(dep.asset);
    return upstream.kind === 'source' && upstream.checks.length > 0;
  });
}
