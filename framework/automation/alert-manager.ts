import type { Kysely, Selectable } from 'kysely';
import { newId } from '../store/ids.ts';
import type { Database, JsonObject } from '../store/schema.ts';
import type { MetadataStore } from '../store/store.ts';
import { storableJson, storableText } from '../store/text.ts';
import { ALERT_SEVERITIES, notificationTitle, type AlertChannel, type AlertEventName, type AlertEventRecord, type AlertInput, type AlertKind, type AlertNotification, type AlertRecord, type AlertState } from './alert.ts';
import type { AlertEventsTable, AlertsTable, AlertTables } from './alert-tables.ts';

type Db = Kysely<Database & AlertTables>;

const MAX_SUMMARY = 1_000;
const MAX_ERROR = 2_000;

export interface AlertManagerOptions {
  store: MetadataStore;
  /** Where notifications go; none keeps alerts in the store only. */
  channels?: readonly AlertChannel[];
}

export interface AlertQuery {
  state?: AlertState;
  kind?: AlertKind;
  limit?: number;
}

/** Alerts kept in the store, deduplicated by key, with their history and notifications. */
export interface AlertManager {
  /**
   * Opens an alert for the key, or updates the open one (`last_seen`, summary, details). Notifies when
   * it opens, and again only when it escalates (a higher severity, or another kind: at risk → missed).
   */
  fire(input: AlertInput): Promise<AlertRecord>;
  /** Resolves the open alert with this key and notifies that; undefined when none is open. */
  resolve(key: string): Promise<AlertRecord | undefined>;
  /** Resolves the open alerts of the kind(s) whose key is not among the conditions that still hold. */
  reconcile(kind: AlertKind | readonly AlertKind[], currentKeys: Iterable<string>): Promise<AlertRecord[]>;
  /** Alerts, the most recently seen first. */
  list(query?: AlertQuery): Promise<AlertRecord[]>;
  /** The open alert with this key. */
  get(key: string): Promise<AlertRecord | undefined>;
  /** The alert with this id, open or resolved. */
  byId(id: string): Promise<AlertRecord | undefined>;
  /** An alert's history, oldest first. */
  history(alertId: string): Promise<AlertEventRecord[]>;
}

/**
 * The alert manager over the store's `alerts` and `alert_events` tables (migration 0006). Times come
 * from the store's clock. A delivery that fails is recorded as `notify-failed` and never thrown: the
 * promise of `fire`/`resolve` settles once every channel has answered (each bounds itself by its timeout).
 *
 * @example
 * const alerts = createAlertManager({ store, channels: [webhookChannel({ url: process.env.SLACK_WEBHOOK! })] });
 * await alerts.fire({ key: 'queue-depth:redshift', kind: 'queue-depth', severity: 'warning', summary: 'pool redshift: 240 steps waiting' });
 * await alerts.reconcile('queue-depth', []); // the queue drained: resolved and notified
 */
export function createAlertManager({ store, channels = [] }: AlertManagerOptions): AlertManager {
  const db: Db = store.db.withTables<AlertTables>();
  const now = () => new Date(store.now());

  async function notify(event: AlertNotification['event'], alert: AlertRecord): Promise<AlertRecord> {
    if (channels.length === 0) return alert;
    const notification: AlertNotification = { event, alert, title: notificationTitle(event, alert) };
    const outcomes = await Promise.allSettled(channels.map((channel) => channel.send(notification)));
    const at = now();
    const events = outcomes.map((outcome, i) => ({
      alert_id: alert.id,
      at,
      event: (outcome.status === 'fulfilled' ? 'notified' : 'notify-failed') as AlertEventName,
      channel: channels[i]!.name,
      error: outcome.status === 'rejected' ? storableText(errorText(outcome.reason), MAX_ERROR) : null,
      details: JSON.stringify({ notification: event }),
    }));
    const delivered = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    return db.transaction().execute(async (trx) => {
      await trx.insertInto('alert_events').values(events).execute();
      const row = await trx
        .updateTable('alerts')
        .set((eb) => ({ notify_count: eb('notify_count', '+', delivered) }))
        .where('id', '=', alert.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return alertRecord(row);
    });
  }

  async function resolveRow(trx: Db, row: Selectable<AlertsTable>, at: Date): Promise<AlertRecord> {
    const resolved = await trx
      .updateTable('alerts')
      .set({ state: 'resolved', resolved_at: at, last_seen: at })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await addEvent(trx, row.id, at, 'resolved', {});
    return alertRecord(resolved);
  }

  async function resolve(key: string): Promise<AlertRecord | undefined> {
    const resolved = await db.transaction().execute(async (trx) => {
      const open = await openAlert(trx, key, true);
      return open && resolveRow(trx, open, now());
    });
    return resolved && notify('resolved', resolved);
  }

  return {
    async fire(input) {
      const at = now();
      const severity = input.severity ?? 'warning';
      const summary = storableText(input.summary, MAX_SUMMARY);
      const details = JSON.stringify(storableJson(input.details ?? {}));
      const { alert, notification } = await db.transaction().execute(async (trx) => {
        const open = await openAlert(trx, input.key, true);
        if (!open) {
          const inserted = await trx
            .insertInto('alerts')
            .values({
              id: newId(at.getTime()),
              dedup_key: input.key,
              kind: input.kind,
              severity,
              state: 'firing',
              asset: input.asset ?? null,
              partition_key: input.partition ?? null,
              summary,
              details,
              first_seen: at,
              last_seen: at,
              resolved_at: null,
              notify_count: 0,
            })
            .onConflict((conflict) => conflict.column('dedup_key').where('state', '=', 'firing').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (inserted) {
            await addEvent(trx, inserted.id, at, 'fired', { severity, summary });
            return { alert: alertRecord(inserted), notification: 'fired' as const };
          }
        }
        // Open already (or opened by a concurrent caller a moment ago): update it.
        const current = open ?? (await openAlert(trx, input.key, true))!;
        const escalated = input.kind !== current.kind || rank(severity) > rank(current.severity);
        const updated = await trx
          .updateTable('alerts')
          .set({
            kind: input.kind,
            severity: escalated ? severity : current.severity,
            asset: input.asset ?? current.asset,
            partition_key: input.partition ?? current.partition_key,
            summary,
            details,
            last_seen: at,
          })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        // History records a repeat only when the situation changed, not on every tick.
        if (escalated) await addEvent(trx, current.id, at, 'escalated', { from: current.kind, severity, summary });
        else if (summary !== current.summary) await addEvent(trx, current.id, at, 'repeated', { summary });
        return { alert: alertRecord(updated), notification: escalated ? ('escalated' as const) : undefined };
      });
      return notification === undefined ? alert : notify(notification, alert);
    },

    resolve,

    async reconcile(kind, currentKeys) {
      const kinds: readonly AlertKind[] = typeof kind === 'string' ? [kind] : kind;
      const holding = new Set(currentKeys);
      const open = await db.selectFrom('alerts').select('dedup_key').where('state', '=', 'firing').where('kind', 'in', kinds).execute();
      const resolved: AlertRecord[] = [];
      for (const { dedup_key: key } of open) {
        if (holding.has(key)) continue;
        const alert = await resolve(key);
        if (alert) resolved.push(alert);
      }
      return resolved;
    },

    async list({ state, kind, limit = 200 } = {}) {
      let query = db.selectFrom('alerts').selectAll();
      if (state !== undefined) query = query.where('state', '=', state);
      if (kind !== undefined) query = query.where('kind', '=', kind);
      const rows = await query.orderBy('last_seen', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(alertRecord);
    },

    async get(key) {
      const row = await openAlert(db, key, false);
      return row && alertRecord(row);
    },

    async byId(id) {
      const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && alertRecord(row);
    },

    async history(alertId) {
      const rows = await db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
      return rows.map(alertEventRecord);
    },
  };
}

async function openAlert(db: Db, key: string, lock: boolean): Promise<Selectable<AlertsTable> | undefined> {
  const query = db.selectFrom('alerts').selectAll().where('dedup_key', '=', key).where('state', '=', 'firing');
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

async function addEvent(db: Db, alertId: string, at: Date, event: AlertEventName, details: JsonObject): Promise<void> {
  await db.insertInto('alert_events').values({ alert_id: alertId, at, event, channel: null, error: null, details: JSON.stringify(details) }).execute();
}

function rank(severity: string): number {
  return (ALERT_SEVERITIES as readonly string[]).indexOf(severity);
}

function errorText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function alertRecord(row: Selectable<AlertsTable>): AlertRecord {
  return {
    id: row.id,
    key: row.dedup_key,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    asset: row.asset,
    partition: row.partition_key,
    summary: row.summary,
    details: row.details,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    resolvedAt: row.resolved_at,
    notifyCount: row.notify_count,
  };
}

function alertEventRecord(row: Selectable<AlertEventsTable>): AlertEventRecord {
  return { id: row.id, alertId: row.alert_id, at: row.at, event: row.event, channel: row.channel, error: row.error, details: row.details };
}
