import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDB } from '../io/duckdb.ts';
import { auditEventRecord } from '../store/records.ts';
import type { AuditEventRecord } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import type { AuditArchive } from './archive.ts';
import { readArchivedEvents } from './archived-events.ts';

/** One event of a partition's history, and where it was read: the store, or the export holding it. */
export interface HistoryEvent extends AuditEventRecord {
  readonly source: string;
}

/** Who started a run that touched the partition, and what it ran. */
export interface HistoryRun {
  readonly runId: string;
  readonly at: Date;
  readonly trigger: string | null;
  readonly triggeredBy: string | null;
  readonly selection: string | null;
  /** An operator's reason for it (`operator.rematerialize`), when given. */
  readonly reason: string | null;
}

export interface PartitionHistory {
  readonly asset: string;
  readonly partition: string;
  /** Every event about the partition, in chain order: steps, materializations, checks, publishes, operator actions. */
  readonly events: readonly HistoryEvent[];
  /** The runs those events belong to, by id. */
  readonly runs: Readonly<Record<string, HistoryRun>>;
}

export interface PartitionHistoryOptions {
  store: MetadataStore;
  asset: string;
  partition: string;
  /** With both, events pruned from the store are read from their exports. */
  archive?: AuditArchive | undefined;
  duckdb?: DuckDB | undefined;
}

const PAGE = 5_000;

/**
 * A partition's whole history from the audit log: its events in the store and, when the store was
 * pruned, in the exports that hold the pruned ones, with the run each belongs to (trigger, who, why).
 *
 * @example
 * const { events, runs } = await partitionHistory({ store, archive, duckdb, asset: 'northbridge/positions', partition: '2026-11-20|PF001' });
 */
export async function partitionHistory({ store, asset, partition, archive, duckdb }: PartitionHistoryOptions): Promise<PartitionHistory> {
  const events: HistoryEvent[] = [];
  const runEvents: AuditEventRecord[] = [];
  const anchor = await store.auditAnchor();
  const pruned = anchor ? (await store.listAuditArchives()).filter((record) => record.lastSeq <= anchor.seq) : [];
  if (archive && duckdb && pruned.length > 0) {
    const scratch = await mkdtemp(join(tmpdir(), 'daybook-audit-history-'));
    try {
      await duckdb.withConnection(async (connection) => {
        for (const record of pruned) {
          const file = await archive.get(record.name, 'events.parquet', scratch);
          for await (const page of readArchivedEvents(connection, file, { asset, partition })) events.push(...page.map((row) => ({ ...auditEventRecord(row), source: record.name })));
        }
        const runIds = [...new Set(events.flatMap((event) => (event.runId === null ? [] : [event.runId])))];
        for (const record of pruned) {
          const file = await archive.get(record.name, 'events.parquet', scratch);
          for await (const page of readArchivedEvents(connection, file, { runIds, actions: ['run.created', 'operator.rematerialize'] })) runEvents.push(...page.map(auditEventRecord));
        }
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  for (let afterSeq = 0; ; ) {
    const page = await store.listAuditEvents({ asset, partition, afterSeq, limit: PAGE });
    events.push(...page.map((event) => ({ ...event, source: 'store' })));
    if (page.length < PAGE) break;
    afterSeq = page.at(-1)!.seq;
  }
  const runIds = [...new Set(events.flatMap((event) => (event.runId === null ? [] : [event.runId])))];
  for (const runId of runIds) {
    runEvents.push(...(await store.listAuditEvents({ runId, action: 'run.created', limit: 1 })), ...(await store.listAuditEvents({ runId, action: 'operator.rematerialize', limit: 1 })));
  }
  const runs: Record<string, HistoryRun> = {};
  for (const event of runEvents) {
    const runId = event.runId!;
    const existing = runs[runId];
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    if (event.action === 'run.created') {
      runs[runId] = { runId, at: event.at, trigger: text(event.payload.trigger), triggeredBy: text(event.payload.triggeredBy), selection: text(event.payload.selection), reason: existing?.reason ?? null };
    } else {
      runs[runId] = { ...(existing ?? { runId, at: event.at, trigger: null, triggeredBy: event.actor, selection: null }), reason: text(event.payload.reason) };
    }
  }
  return { asset, partition, events, runs };
}
