// Store records and index entries as the API's JSON shapes (server/api-types.ts): dates become ISO
// strings, absent values null.
import { alertJson, defaultMapping, type AlertEventRecord, type AlertRecord, type ApiTokenRecord, type AssetEdge, type AuditEventRecord, type BackfillRecord, type CheckResultRecord, type Definitions, type MaterializationRecord, type PublishRecord, type RunRecord, type StepRecord } from '../framework/index.ts';
import type {
  AlertEventView,
  AlertView,
  AssetSummary,
  AuditEventView,
  BackfillView,
  CheckResultView,
  EdgeView,
  MaterializationView,
  PublishView,
  RunView,
  StepView,
  TokenView,
} from './api-types.ts';
import type { Catalog } from './state/catalog.ts';
import type { IndexedAsset } from './state/partition-index.ts';
import { STATUS_NAMES } from './state/status.ts';
import { summarize } from './state/summary.ts';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const durationMs = (start: Date | null, end: Date | null): number | null => (start && end ? end.getTime() - start.getTime() : null);

/** An asset's catalog entry: what it is, its status counts, and the freshness of its latest expected partition. */
export async function assetSummary(catalog: Catalog, entry: IndexedAsset): Promise<AssetSummary> {
  const { asset } = entry;
  const expected = catalog.expected(entry);
  const { counts } = summarize(catalog.index, entry, expected, 0);
  return {
    key: asset.key,
    kind: asset.kind,
    description: asset.description,
    group: asset.group,
    owners: [...asset.owners],
    tags: { ...asset.tags },
    partitionsKind: asset.partitions.spec.kind,
    dimensions: asset.partitions.dimensions?.map((d) => d.name) ?? [],
    partitions: { total: asset.partitions.size(), expected, counts: Object.fromEntries(STATUS_NAMES.map((name, code) => [name, counts[code]!])) as AssetSummary['partitions']['counts'] },
    freshness: await catalog.freshness(asset.key),
  };
}

/** A dependency edge seen from `side`'s end: the other asset, the relation name, the mapping (declared or inferred). */
export function edgeView(definitions: Definitions, edge: AssetEdge, side: 'upstream' | 'downstream'): EdgeView {
  const other = definitions.assets[side === 'upstream' ? edge.upstream : edge.downstream]!;
  return { asset: other.key, as: edge.spec.as, mapping: mappingSpec(definitions, edge), declared: edge.spec.mapping !== undefined };
}

/** The spec of an edge's mapping, e.g. `{ kind: 'offset', by: -1 }`. */
export function mappingSpec(definitions: Definitions, edge: AssetEdge): Record<string, unknown> {
  const mapping = edge.spec.mapping ?? defaultMapping(definitions.assets[edge.downstream]!.partitions, definitions.assets[edge.upstream]!.partitions);
  return { ...mapping.spec };
}

export function materializationView(record: MaterializationRecord): MaterializationView {
  return {
    seq: record.seq,
    partition: record.partition,
    dataVersion: record.dataVersion,
    codeVersion: record.codeVersion,
    rowCount: record.rowCount,
    bytes: record.bytes,
    location: record.location,
    runId: record.runId,
    stepId: record.stepId,
    createdAt: record.createdAt.toISOString(),
    consumed: record.consumed as MaterializationView['consumed'],
  };
}

export function checkResultView(record: CheckResultRecord): CheckResultView {
  return {
    id: record.id,
    partition: record.partition,
    check: record.check,
    passed: record.passed,
    severity: record.severity,
    blocking: record.blocking,
    message: record.message,
    metrics: { ...record.metrics },
    sample: record.sample.map((row) => ({ ...row })),
    runId: record.runId,
    stepId: record.stepId,
    createdAt: record.createdAt.toISOString(),
  };
}

export function publishView(record: PublishRecord): PublishView {
  return {
    partition: record.partition,
    target: record.target,
    uri: record.uri,
    dataVersion: record.dataVersion,
    published: record.published,
    runId: record.runId,
    at: record.at.toISOString(),
  };
}

export function runView(record: RunRecord, active: boolean): RunView {
  return {
    id: record.id,
    status: record.status,
    selection: record.selection,
    partitionRequest: { ...record.partitionRequest },
    trigger: record.trigger,
    triggeredBy: record.triggeredBy,
    backfillId: record.backfillId,
    createdAt: record.createdAt.toISOString(),
    startedAt: iso(record.startedAt),
    finishedAt: iso(record.finishedAt),
    durationMs: durationMs(record.startedAt, record.finishedAt),
    message: record.message,
    active,
  };
}

/** A step; `withLog` adds its log tail and the inputs its log names (`input asset[key] version` lines). */
export function stepView(record: StepRecord, withLog: boolean, checks: readonly CheckResultRecord[] = []): StepView {
  const lines = withLog ? (record.logTail ?? '').split('\n') : [];
  const inputs = lines.flatMap((line) => {
    const match = / input (\S+?)(?:\[(.*)\])? (\S+)$/.exec(line);
    return match ? [{ asset: match[1]!, partition: match[2] ?? '', version: match[3]! }] : [];
  });
  return {
    id: record.id,
    asset: record.asset,
    partition: record.partition,
    status: record.status,
    reason: record.reason,
    attempts: record.attempts,
    createdAt: record.createdAt.toISOString(),
    startedAt: iso(record.startedAt),
    finishedAt: iso(record.finishedAt),
    durationMs: durationMs(record.startedAt, record.finishedAt),
    error: record.errorMessage,
    logTail: withLog ? record.logTail : null,
    inputs,
    checks: checks.map(checkResultView),
  };
}

export function auditEventView(record: AuditEventRecord): AuditEventView {
  return {
    seq: record.seq,
    at: record.at.toISOString(),
    actor: record.actor,
    action: record.action,
    asset: record.asset,
    partition: record.partition,
    runId: record.runId,
    payload: { ...record.payload },
    hash: record.hash,
  };
}

export function backfillView(record: BackfillRecord): BackfillView {
  return {
    id: record.id,
    selection: record.selection,
    partitionRequest: { ...record.partitionRequest },
    status: record.status,
    triggeredBy: record.triggeredBy,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    finishedAt: iso(record.finishedAt),
    message: record.message,
    runIds: [...record.runIds],
  };
}

export function tokenView(record: ApiTokenRecord): TokenView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    prefix: record.prefix,
    createdAt: record.createdAt.toISOString(),
    createdBy: record.createdBy,
    revokedAt: iso(record.revokedAt),
  };
}

/** An alert, with how many notifications went out for it. */
export function alertView(alert: AlertRecord): AlertView {
  return { ...alertJson(alert), notifyCount: alert.notifyCount };
}

/** One entry of an alert's history. */
export function alertEventView(event: AlertEventRecord): AlertEventView {
  return { at: event.at.toISOString(), event: event.event, channel: event.channel, error: event.error, details: event.details };
}
