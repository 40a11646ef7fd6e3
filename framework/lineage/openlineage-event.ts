// OpenLineage 2-0-2 RunEvents for Daybook steps. Every facet names its schema (`_schemaURL`), as
// vendored under spec/openlineage, so consumers and the tests can validate it.
import type { AssetDefinition } from '../definitions/asset.ts';
import type { StepInput, StepLifecycleEvent } from '../executor/step-listener.ts';
import type { Column } from '../io/duckdb.ts';
import { partitionWindow } from '../partitions/partition-window.ts';
import type { CheckResultInput } from '../store/writes.ts';
import { quoteJson } from '../util/json-text.ts';
import { assetDataset, sourceDataset, type DatasetName } from './datasets.ts';

/** The spec version of the events. */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** The job namespace of every step. */
export const JOB_NAMESPACE = 'daybook';

export type RunEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** A facet: what its schema says, plus who produced it and which schema that is. */
type Facet = { readonly _producer: string; readonly _schemaURL: string } & Record<string, unknown>;
type FacetMaker = (name: keyof typeof FACET_SCHEMAS, fields: Record<string, unknown>) => Facet;

/** An OpenLineage RunEvent, as sent. */
export interface RunEvent {
  readonly eventType: RunEventType;
  readonly eventTime: string;
  readonly producer: string;
  readonly schemaURL: string;
  readonly run: { readonly runId: string; readonly facets: Readonly<Record<string, Facet>> };
  readonly job: { readonly namespace: string; readonly name: string; readonly facets: Readonly<Record<string, Facet>> };
  readonly inputs: readonly (DatasetName & { facets?: Record<string, Facet>; inputFacets?: Record<string, Facet> })[];
  readonly outputs: readonly (DatasetName & { facets?: Record<string, Facet>; outputFacets?: Record<string, Facet> })[];
}

const FACET_SCHEMAS = {
  nominalTime: 'https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  sql: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
  schema: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  version: 'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
  dataQualityAssertions: 'https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
  outputStatistics: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
} as const;

/** Builds the RunEvent of a step lifecycle event; see `runEventBuilder()`. */
export type RunEventBuilder = (event: StepLifecycleEvent, eventType: RunEventType) => RunEvent;

/**
 * Makes the builder of RunEvents for step lifecycle events: START when a step begins computing,
 * COMPLETE once its materialization is committed, FAIL after its last failed attempt or a blocking
 * check, ABORT when it is cancelled. The run is the step (its id is the runId), the job is the asset
 * (namespace `daybook`), and the Daybook run is the parent. What is the same for every partition of
 * an asset (its job facets, its dataset names) is built once per asset.
 *
 * @example
 * const build = runEventBuilder({ producer: 'urn:daybook:0.1.0' });
 * const event = build(stepEvent, 'START');
 */
export function runEventBuilder({ producer }: { producer: string }): RunEventBuilder {
  const facet: FacetMaker = (name, fields) => ({ _producer: producer, _schemaURL: FACET_SCHEMAS[name], ...fields });
  const jobs = new WeakMap<AssetDefinition, RunEvent['job']>();
  const datasets = new WeakMap<AssetDefinition, DatasetName>();
  /** The run's parent facet, made once per Daybook run: a run's steps' events come together. */
  let parent: { runId: string; selection: string; facet: Facet } | undefined;
  const parentOf = (runId: string, selection: string): Facet => {
    if (parent?.runId !== runId || parent.selection !== selection) {
      parent = { runId, selection, facet: reusable(facet('parent', { run: { runId }, job: { namespace: JOB_NAMESPACE, name: `run:${selection}` } })) };
    }
    return parent.facet;
  };
  /** An asset's schema facet, made again only when its columns change. */
  const schemas = new WeakMap<AssetDefinition, { columns: readonly Column[]; facet: Facet }>();
  const schemaOf = (asset: AssetDefinition, columns: readonly Column[]): Facet => {
    const last = schemas.get(asset);
    if (last && sameColumns(last.columns, columns)) return last.facet;
    const made = reusable(facet('schema', { fields: fieldsOf(columns) }));
    schemas.set(asset, { columns, facet: made });
    return made;
  };
  /** Every partition of an asset is one dataset, so the first location names it. */
  const datasetOf = (asset: AssetDefinition, partition: string, location: () => string): DatasetName => {
    let dataset = datasets.get(asset);
    if (!dataset) datasets.set(asset, (dataset = reusable(asset.kind === 'source' ? sourceDataset(asset, location()) : assetDataset(asset, partition, location()))));
    return dataset;
  };
  const jobOf = (asset: AssetDefinition): RunEvent['job'] => {
    let job = jobs.get(asset);
    if (!job) {
      const facets: Record<string, Facet> = { jobType: facet('jobType', { processingType: 'BATCH', integration: 'DAYBOOK', jobType: 'ASSET' }) };
      if (typeof asset.compute === 'string') facets.sql = facet('sql', { query: asset.compute.trim(), dialect: 'duckdb' });
      jobs.set(asset, (job = reusable({ namespace: JOB_NAMESPACE, name: asset.key, facets })));
    }
    return job;
  };

  return (event, eventType) => {
    const { asset, partition } = event;
    const runFacets: Record<string, Facet> = { parent: parentOf(event.runId, event.selection) };
    const window = partitionWindow(asset.partitions, partition);
    if (window) runFacets.nominalTime = facet('nominalTime', { nominalStartTime: new Date(window.start).toISOString(), nominalEndTime: new Date(window.end).toISOString() });
    if (event.type !== 'started' && event.type !== 'succeeded' && event.error) {
      runFacets.errorMessage = facet('errorMessage', {
        message: event.error.message,
        programmingLanguage: typeof asset.compute === 'string' ? 'SQL' : 'TypeScript',
        ...(event.error.stack === undefined ? {} : { stackTrace: event.error.stack }),
      });
    }

    const dataset = datasetOf(asset, partition, event.locate);
    const checks = event.type === 'started' ? [] : event.checks;
    const outputChecks = checks.length === 0 ? checks : checks.filter((check) => check.asset === asset.key);
    let output: RunEvent['outputs'][number] = dataset;
    if (event.type === 'succeeded') {
      output = {
        ...dataset,
        facets: { schema: schemaOf(asset, event.columns), version: facet('version', { datasetVersion: event.dataVersion }) },
        outputFacets: { outputStatistics: facet('outputStatistics', { rowCount: event.rowCount, size: event.bytes, fileCount: 1 }) },
      };
    }
    if (outputChecks.length > 0) {
      output = { ...output, facets: { ...output.facets, dataQualityAssertions: facet('dataQualityAssertions', { assertions: outputChecks.map(assertion) }) } };
    }

    const inputChecks = event.type === 'started' || event.type === 'succeeded' ? event.inputChecks : checks.filter((check) => check.asset !== asset.key);
    const inputs = 'inputs' in event ? inputDatasets(event.inputs, inputChecks, facet, datasetOf) : [];
    return {
      eventType,
      eventTime: new Date(event.at).toISOString(),
      producer,
      schemaURL: OPENLINEAGE_SCHEMA_URL,
      run: { runId: event.stepId, facets: runFacets },
      job: jobOf(asset),
      inputs,
      outputs: [output],
    };
  };
}

/** One dataset per upstream asset or source directory, with source checks as its assertions and a source file's columns as its schema. */
function inputDatasets(
  inputs: readonly StepInput[],
  checks: readonly CheckResultInput[],
  facet: FacetMaker,
  datasetOf: (asset: AssetDefinition, partition: string, location: () => string) => DatasetName,
): RunEvent['inputs'][number][] {
  if (inputs.length === 0) return [];
  const byName = new Map<string, RunEvent['inputs'][number]>();
  for (const { relation, asset } of inputs) {
    const dataset = datasetOf(asset, relation.partitions[0] ?? '', () => relation.files[0] ?? '');
    const key = `${dataset.namespace}\u0000${dataset.name}`;
    let entry = byName.get(key);
    if (!entry) {
      byName.set(key, (entry = { ...dataset }));
      const columns = 'columns' in relation ? (relation.columns as readonly Column[]) : [];
      if (columns.length > 0) entry.facets = { schema: facet('schema', { fields: fieldsOf(columns) }) };
    }
    const assertions = checks.filter((check) => check.asset === relation.asset && relation.partitions.includes(check.partition));
    if (assertions.length > 0) {
      const existing = (entry.inputFacets?.dataQualityAssertions?.assertions as Record<string, unknown>[] | undefined) ?? [];
      entry.inputFacets = { dataQualityAssertions: facet('dataQualityAssertions', { assertions: [...existing, ...assertions.map(assertion)] }) };
    }
  }
  return [...byName.values()];
}

/** The JSON text of what the builder reuses across events (jobs, datasets, parent and schema facets), made once each. */
const reusedJson = new WeakMap<object, string>();

/** Freezes a part the builder reuses, all through, so that the JSON made of it now stays its JSON. */
function reusable<T extends object>(value: T): T {
  const freeze = (item: object) => {
    for (const member of Object.values(item)) if (typeof member === 'object' && member !== null) freeze(member as object);
    Object.freeze(item);
  };
  freeze(value);
  reusedJson.set(value, JSON.stringify(value));
  return value;
}

const partJson = (value: object): string => reusedJson.get(value) ?? JSON.stringify(value);

/** A facet map's JSON: each facet's made once if reused, else by JSON.stringify (one call for a small plain object). */
function facetsJson(facets: Readonly<Record<string, object | undefined>>): string {
  let text = '';
  for (const name of Object.keys(facets)) {
    const facet = facets[name];
    if (facet !== undefined) text += `${text === '' ? '' : ','}${quoteJson(name)}:${partJson(facet)}`;
  }
  return `{${text}}`;
}

/** A dataset list's JSON: a dataset's name fields and its facet maps. */
function datasetsJson(datasets: RunEvent['inputs'] | RunEvent['outputs']): string {
  let text = '';
  for (const dataset of datasets) {
    let fields = reusedJson.get(dataset);
    if (fields === undefined) {
      fields = '';
      for (const [key, value] of Object.entries(dataset) as [string, unknown][]) {
        if (value !== undefined) fields += `${fields === '' ? '' : ','}${quoteJson(key)}:${typeof value === 'string' ? quoteJson(value) : facetsJson(value as Record<string, object>)}`;
      }
      fields = `{${fields}}`;
    }
    text += `${text === '' ? '' : ','}${fields}`;
  }
  return `[${text}]`;
}

/**
 * A RunEvent's JSON text, as JSON.stringify gives it: what transports send. It follows the event's
 * shape, so the parts the builder reuses are put in as made once, and each facet made anew is one
 * JSON.stringify call. A walk of the whole event in script cost nearly twice as much, and
 * JSON.stringify of the whole event a quarter more (frozen parts are off its fast path).
 */
export function serializeRunEvent(event: RunEvent): string {
  return (
    `{"eventType":${quoteJson(event.eventType)},"eventTime":${quoteJson(event.eventTime)},"producer":${quoteJson(event.producer)},"schemaURL":${quoteJson(event.schemaURL)},` +
    `"run":{"runId":${quoteJson(event.run.runId)},"facets":${facetsJson(event.run.facets)}},"job":${partJson(event.job)},` +
    `"inputs":${datasetsJson(event.inputs)},"outputs":${datasetsJson(event.outputs)}}`
  );
}

/** Whether two column lists name the same columns with the same types, in order. */
function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return a === b || (a.length === b.length && a.every((column, i) => column.name === b[i]!.name && column.type === b[i]!.type));
}

const fieldsOf = (columns: readonly Column[]) => columns.map((column, i) => ({ name: column.name, type: column.type, ordinal_position: i + 1 }));

/** A check result as an assertion: its name, outcome, severity and message, with its metrics and whether it blocks as params. */
function assertion(check: CheckResultInput): Record<string, unknown> {
  return {
    assertion: check.check,
    name: check.check,
    success: check.passed,
    severity: check.severity,
    description: check.message,
    params: { ...check.metrics, blocking: check.blocking },
  };
}
