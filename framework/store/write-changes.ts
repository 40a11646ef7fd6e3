import { sql, type Transaction } from 'kysely';
import { nullableJson, quoteJson } from '../util/json-text.ts';
import type { Changes } from './fold-state.ts';
import type { AuditRow, Database } from './schema.ts';

/**
 * The audit rows as a JSON array, each payload inlined as its stored text: the hash covers that
 * exact text, and the json column keeps it verbatim. Built field by field, as JSON.stringify would
 * give each row, because every write with audit rows pays for it.
 */
export function auditJson(rows: readonly AuditRow[]): string {
  let text = '';
  for (const row of rows) {
    text +=
      `${text === '' ? '' : ','}{"seq":${row.seq},"at":"${row.at.toISOString()}","actor":${quoteJson(row.actor)},"action":${quoteJson(row.action)},` +
      `"asset":${nullableJson(row.asset)},"partition_key":${nullableJson(row.partition_key)},"run_id":${nullableJson(row.run_id)},` +
      `"prev_hash":"${row.prev_hash}","hash":"${row.hash}","payload":${row.payload_text}}`;
  }
  return `[${text}]`;
}

/**
 * Writes a batch's rows in one call of daybook_write_batch (see the migration), which fills every
 * table from one jsonb document (parsed once), parents before children. Each row arrives once,
 * with its final values: as a new row when the batch created it, as a change when it existed.
 * `notify` names PostgreSQL channels to NOTIFY (payload: the schema) in the same statement.
 */
export async function writeChanges(trx: Transaction<Database>, changes: Changes, notify: readonly string[] = []): Promise<void> {
  const parts: string[] = [];
  const add = (key: string, rows: readonly unknown[]) => {
    if (rows.length > 0) parts.push(`"${key}":${JSON.stringify(rows)}`);
  };
  add('backfills_new', changes.backfills.inserted);
  add('runs_new', changes.runs.inserted);
  add('steps_new', changes.steps.inserted);
  add('backfills_changed', changes.backfills.updated);
  add('runs_changed', changes.runs.updated);
  add('steps_changed', changes.steps.updated);
  add('materializations', changes.materializations);
  add('observations', changes.observations);
  add('partitions', changes.partitions);
  add('dynamic_keys', changes.dynamicKeys);
  add('check_results', changes.checkResults);
  if (changes.audit.length > 0) parts.push(`"head":${JSON.stringify(changes.head)}`);
  if (parts.length === 0 && changes.publishes.length === 0 && notify.length === 0) return;
  // The audit rows go apart, as json rather than jsonb, so their payload text is stored as it was hashed.
  const audit = changes.audit.length > 0 ? auditJson(changes.audit) : null;
  // Notifications ride along, to save a round trip under the lock; they are delivered at commit.
  const notifications = notify.length > 0 ? sql`, (select count(pg_notify(channel, current_schema())) from unnest(${notify}::text[]) as channel)` : sql``;
  await sql`select daybook_write_batch(${`{${parts.join(',')}}`}::jsonb, ${audit}::json)${notifications}`.execute(trx);
  // Publishes came after daybook_write_batch was frozen in 0001; they follow it, after the steps they refer to.
  if (changes.publishes.length > 0) {
    await sql`insert into publishes (asset, partition_key, target, uri, data_version, run_id, step_id, published, at)
      select asset, partition_key, target, uri, data_version, run_id, step_id, published, at
      from jsonb_populate_recordset(null::publishes, ${JSON.stringify(changes.publishes)}::jsonb)`.execute(trx);
  }
}
