import { readSource } from '../io/source-reader.ts';
import { MaterializationError } from '../util/errors.ts';
import { evaluateChecks, type CheckGateOptions, type CheckGateOutcome } from './check-gate.ts';
import type { Engine } from './engine.ts';
import { prepareStepInputs, setPartitionVariables } from './step-inputs.ts';

/**
 * Reruns an asset partition's checks against what is stored, without recomputing: an asset's stored
 * Parquet file, or a source's landed file. The inputs are made readable as a step would see them, so
 * checks that read them (a reconcile against the broker's control record) work too. The results are
 * stored, with no run or step.
 *
 * @example
 * const { blocking } = await rerunChecks(engine, { asset: 'northbridge/executions', partition: '2026-11-20|GSCO' });
 */
export async function rerunChecks(engine: Engine, { asset: key, partition }: { asset: string; partition: string }): Promise<CheckGateOutcome> {
  const { definitions, store, storage } = engine;
  const asset = definitions.get(key);
  const assetId = definitions.idOf(key);
  const index = asset.partitions.indexOf(partition);
  const connection = await engine.duckdb.connect();
  try {
    await setPartitionVariables(connection, definitions, assetId, partition);
    let rows: CheckGateOptions['rows'];
    if (asset.kind === 'source') {
      const observed = await engine.observer.observe(asset, partition);
      if (observed.status !== 'present') {
        throw new MaterializationError('partition-not-stored', `asset "${key}" partition ${JSON.stringify(partition)}: no file to check`, { asset: key, partition });
      }
      const relation = await readSource({ connection, source: observed, name: 'daybook_source' });
      rows = { view: relation.name, relation };
    } else {
      rows = { file: await storage.open({ asset, partition }) };
    }
    const state = await store.plannerState(definitions);
    const inputs =
      asset.kind === 'source'
        ? undefined
        : await prepareStepInputs({
            connection,
            definitions,
            assetId,
            partitionIndex: index,
            storage,
            observation: (source, sourcePartition) => engine.observer.observe(definitions.get(source), sourcePartition),
            dataVersion: (upstream, upstreamIndex) => state.dataVersion?.(upstream, upstreamIndex),
          });
    const names: string[] = [];
    if (inputs?.ready) {
      for (const relation of inputs.relations) {
        if (relation.kind === 'parquet') await connection.registerParquet(relation.name, relation.files);
        names.push(relation.name);
      }
    }
    const outcome = await evaluateChecks({ connection, store, storage, definitions, asset, partition, rows, inputs: names, now: Date.now() });
    await store.recordCheckResults(outcome.results);
    return outcome;
  } finally {
    // The connection is not pooled: closing it drops every view made here.
    connection.close();
  }
}
