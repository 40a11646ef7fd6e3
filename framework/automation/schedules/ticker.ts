import type { Kysely } from 'kysely';
import type { PartitionRequest } from '../../planner/partition-request.ts';
import { auditTransaction, type AuditTransactionContext } from '../../store/audit-transaction.ts';
import { newId } from '../../store/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import { DefinitionError, StoreError } from '../../util/errors.ts';
import { partitionRequestJson, type ScheduleDefinition } from './schedule.ts';
import { tickRecord, type ScheduleTables, type ScheduleTickRecord, type TickState } from './schedule-tables.ts';
import { eachTick, type ScheduleTick } from './ticks.ts';

/** How much a daemon that was down catches up: at most `maxTicks` ticks per schedule, none older than `maxAgeMs`. */
export interface CatchUpLimit {
  maxTicks?: number;
  maxAgeMs?: number;
}

export interface ScheduleTickerOptions {
  store: MetadataStore;
  schedules: readonly ScheduleDefinition[];
  /** Default `{ maxTicks: 5, maxAgeMs: 24 h }`. */
  catchUp?: CatchUpLimit;
  /** A claim not launched after this long is handed out again (its daemon died) unless its run exists; default one minute. */
  relaunchAfterMs?: number;
  /** Who the audit events name; default `daybook-daemon`. */
  actor?: string;
}

/** A tick this ticker claimed, and only this one: launch a run with `runId`, then record it launched or failed. */
export interface ClaimedTick extends ScheduleTick {
  readonly runId: string;
  /** Claimed before by a daemon that stopped before its run existed; handed out again. */
  readonly relaunch: boolean;
}

export interface TickQuery {
  schedule?: string;
  state?: TickState;
  /** Default 100. */
  limit?: number;
}

/**
 * Decides which schedule ticks are due and claims them in the store, so that several daemons, or one
 * restarted, fire every tick at most once. See docs/automation.md for the rules.
 */
export interface ScheduleTicker {
  readonly schedules: readonly ScheduleDefinition[];
  /**
   * Claims the ticks due at `now` (default the store's clock) since each schedule was last evaluated,
   * within the catch-up limit, and those whose claim was abandoned; records the others as skipped.
   * Returns only the ticks this call claimed, ascending by instant.
   */
  claimDue(now?: number): Promise<ClaimedTick[]>;
  /** Records that a claimed tick's run was created (with the claim's run id unless another is given). Idempotent. */
  recordLaunched(key: string, runId?: string): Promise<ScheduleTickRecord>;
  /** Records that a claimed tick could not be launched, with why. */
  recordFailed(key: string, error: unknown): Promise<ScheduleTickRecord>;
  /** Stored ticks, latest first. */
  listTicks(query?: TickQuery): Promise<ScheduleTickRecord[]>;
  /** The next instant after `now` at which any schedule ticks: how long a daemon may sleep. */
  nextTickAt(now?: number): number | undefined;
}

/** Most ticks of one schedule looked at in one pass; a longer backlog is worked through over several passes. */
const MAX_SCAN = 10_000;
const INSERT_CHUNK = 500;
const HOUR_MS = 3_600_000;

type TickDb = Kysely<Database & ScheduleTables>;

/**
 * A ticker over the store and the daemon's schedules. On a schedule's first pass it only notes the
 * time: ticks before a schedule was first evaluated are not caught up.
 *
 * @example
 * const ticker = createScheduleTicker({ store, schedules: [premarket], catchUp: { maxTicks: 5, maxAgeMs: 6 * 3_600_000 } });
 * for (const tick of await ticker.claimDue()) {
 *   await materialize(engine, { selection: tick.schedule.selection, partitions: tick.partitions, trigger: 'schedule' });
 *   await ticker.recordLaunched(tick.key);
 * }
 */
export function createScheduleTicker({
  store,
  schedules,
  catchUp: { maxTicks = 5, maxAgeMs = 24 * HOUR_MS } = {},
  relaunchAfterMs = 60_000,
  actor = 'daybook-daemon',
}: ScheduleTickerOptions): ScheduleTicker {
  const byName = new Map<string, ScheduleDefinition>();
  for (const schedule of schedules) {
    if (byName.has(schedule.name)) {
      throw new DefinitionError('invalid-definition', `two schedules are named "${schedule.name}": names must be unique, they key every tick`, { field: 'name' });
    }
    byName.set(schedule.name, schedule);
  }
  if (!Number.isInteger(maxTicks) || maxTicks < 1 || maxTicks > MAX_SCAN) {
    throw new DefinitionError('invalid-config', `schedule ticker: catchUp.maxTicks ${maxTicks} is not a whole number from 1 to ${MAX_SCAN}`, { field: 'catchUp.maxTicks' });
  }
  if (!(maxAgeMs > 0)) throw new DefinitionError('invalid-config', `schedule ticker: catchUp.maxAgeMs ${maxAgeMs} is not a positive duration`, { field: 'catchUp.maxAgeMs' });
  const names = [...byName.keys()];

  /** Ticks of one schedule due since its cursor: the latest `maxTicks` within `maxAgeMs` are claimed, the others skipped. */
  async function claimSchedule(db: TickDb, append: AuditTransactionContext['append'], schedule: ScheduleDefinition, now: number): Promise<ClaimedTick[]> {
    const at = new Date(now);
    const cursor = await db.selectFrom('schedule_cursors').select('evaluated_through').where('schedule_name', '=', schedule.name).executeTakeFirst();
    if (cursor === undefined) {
      await db.insertInto('schedule_cursors').values({ schedule_name: schedule.name, evaluated_through: at, updated_at: at }).onConflict((c) => c.doNothing()).execute();
      return [];
    }
    const scanned: ScheduleTick[] = [];
    for (const tick of eachTick(schedule, cursor.evaluated_through.getTime(), now)) {
      scanned.push(tick);
      if (scanned.length > MAX_SCAN) break;
    }
    const complete = scanned.length <= MAX_SCAN;
    if (!complete) scanned.pop();
    // Nothing due: the cursor stays, and the next pass asks the schedule from it again.
    if (scanned.length === 0) return [];
    const recent = complete ? scanned.filter((tick) => tick.at >= now - maxAgeMs) : [];
    const firing = new Set(recent.slice(-maxTicks));
    const skipReason = (tick: ScheduleTick): string =>
      tick.at < now - maxAgeMs
        ? `due ${hoursAgo(now - tick.at)} before ${at.toISOString()}: older than the catch-up limit (maxAgeMs ${hoursAgo(maxAgeMs)})`
        : `${complete ? scanned.length : `more than ${MAX_SCAN}`} ticks were due at ${at.toISOString()}; the catch-up limit fires only the latest ${maxTicks}`;
    const rows = scanned.map((tick) => ({
      key: tick.key,
      schedule_name: schedule.name,
      tick_at: new Date(tick.at),
      state: firing.has(tick) ? ('requested' as const) : ('skipped' as const),
      run_id: firing.has(tick) ? newId(now) : null,
      partition_request: JSON.stringify(partitionRequestJson(tick.partitions)),
      message: firing.has(tick) ? null : skipReason(tick),
      created_at: at,
      updated_at: at,
    }));
    const inserted = new Set<string>();
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const claimed = await db
        .insertInto('schedule_ticks')
        .values(rows.slice(start, start + INSERT_CHUNK))
        .onConflict((c) => c.column('key').doNothing())
        .returning('key')
        .execute();
      for (const row of claimed) inserted.add(row.key);
    }
    // Passes run one at a time (the transaction holds the audit head), so the cursor read above is current.
    const through = Math.max(cursor.evaluated_through.getTime(), complete ? now : scanned.at(-1)!.at);
    await db
      .updateTable('schedule_cursors')
      .set({ evaluated_through: new Date(through), updated_at: at })
      .where('schedule_name', '=', schedule.name)
      .execute();

    const claimed = rows.flatMap((row, i) => (row.state === 'requested' && inserted.has(row.key) ? [{ ...scanned[i]!, runId: row.run_id!, relaunch: false }] : []));
    for (const tick of claimed) append(firedEvent(tick, actor, at));
    const skipped = rows.filter((row) => row.state === 'skipped' && inserted.has(row.key));
    if (skipped.length > 0) {
      append({
        action: 'schedule.ticks-skipped',
        actor,
        at,
        payload: { schedule: schedule.name, count: skipped.length, first: skipped[0]!.key, last: skipped.at(-1)!.key, reason: skipped.at(-1)!.message! },
      });
    }
    return claimed;
  }

  /** Ticks of these schedules claimed `relaunchAfterMs` ago or more and still not launched. */
  const abandoned = (db: TickDb, now: number) =>
    db.selectFrom('schedule_ticks').where('state', '=', 'requested').where('updated_at', '<=', new Date(now - relaunchAfterMs)).where('schedule_name', 'in', names);

  /** Claims left `requested` past `relaunchAfterMs`: launched if their run exists, otherwise handed out again. */
  async function relaunchAbandoned(db: TickDb, append: AuditTransactionContext['append'], now: number): Promise<ClaimedTick[]> {
    const at = new Date(now);
    const stale = await abandoned(db, now).selectAll().orderBy('tick_at').execute();
    if (stale.length === 0) return [];
    const runIds = stale.flatMap((row) => (row.run_id === null ? [] : [row.run_id]));
    const existing = new Set(runIds.length === 0 ? [] : (await db.selectFrom('runs').select('id').where('id', 'in', runIds).execute()).map((row) => row.id));
    const handedOut: ClaimedTick[] = [];
    for (const row of stale) {
      if (row.run_id !== null && existing.has(row.run_id)) {
        const message = `run ${row.run_id} exists: it was created before the daemon that claimed the tick stopped`;
        await db.updateTable('schedule_ticks').set({ state: 'launched', message, updated_at: at }).where('key', '=', row.key).execute();
        append({ action: 'schedule.tick-launched', actor, at, runId: row.run_id, payload: { schedule: row.schedule_name, key: row.key, runId: row.run_id, message } });
        continue;
      }
      const runId = row.run_id ?? newId(now);
      const message = `claimed again at ${at.toISOString()}: the claim of ${row.updated_at.toISOString()} was never launched`;
      await db.updateTable('schedule_ticks').set({ run_id: runId, message, updated_at: at }).where('key', '=', row.key).execute();
      const tick = { schedule: byName.get(row.schedule_name)!, at: row.tick_at.getTime(), key: row.key, partitions: row.partition_request as PartitionRequest, runId, relaunch: true };
      append(firedEvent(tick, actor, at));
      handedOut.push(tick);
    }
    return handedOut;
  }

  /** Moves a claimed tick on from `requested`; idempotent when it is already in `state` with the same run. */
  async function finish(key: string, state: 'launched' | 'failed', change: { runId?: string; message?: string }): Promise<ScheduleTickRecord> {
    const at = new Date(store.now());
    return auditTransaction(store.db, async ({ trx, append }) => {
      const db = trx.withTables<ScheduleTables>();
      const row = await db.selectFrom('schedule_ticks').selectAll().where('key', '=', key).executeTakeFirst();
      if (row === undefined) throw new StoreError('store-invalid-write', `no schedule tick "${key}": only claimed ticks can be recorded ${state}`, { field: 'key' });
      const runId = change.runId ?? row.run_id;
      if (row.state === state && row.run_id === runId) return tickRecord(row);
      if (row.state !== 'requested') {
        throw new StoreError('store-invalid-write', `schedule tick "${key}" is ${row.state}${row.run_id ? ` (run ${row.run_id})` : ''}, so it cannot be recorded ${state}`, { field: 'key' });
      }
      const updated = await db
        .updateTable('schedule_ticks')
        .set({ state, run_id: runId, message: change.message ?? null, updated_at: at })
        .where('key', '=', key)
        .returningAll()
        .executeTakeFirstOrThrow();
      append({
        action: `schedule.tick-${state}`,
        actor,
        at,
        ...(state === 'launched' && runId !== null ? { runId } : {}),
        payload: { schedule: row.schedule_name, key, ...(runId === null ? {} : { runId }), ...(change.message === undefined ? {} : { message: change.message }) },
      });
      return tickRecord(updated);
    });
  }

  /** Whether a pass at `now` has anything to write, read without the store's write lock: most passes of a daemon do not. */
  async function anythingDue(now: number): Promise<boolean> {
    const db = store.db.withTables<ScheduleTables>();
    const cursors = await db.selectFrom('schedule_cursors').select(['schedule_name', 'evaluated_through']).where('schedule_name', 'in', names).execute();
    const through = new Map(cursors.map((row) => [row.schedule_name, row.evaluated_through.getTime()]));
    const due = schedules.some((schedule) => {
      const cursor = through.get(schedule.name);
      return cursor === undefined || (schedule.nextTick(cursor)?.at ?? Infinity) <= now;
    });
    if (due) return true;
    return (await abandoned(db, now).select('key').limit(1).execute()).length > 0;
  }

  return Object.freeze({
    schedules,
    async claimDue(now = store.now()): Promise<ClaimedTick[]> {
      if (names.length === 0 || !(await anythingDue(now))) return [];
      return auditTransaction(store.db, async ({ trx, append }) => {
        const db = trx.withTables<ScheduleTables>();
        const claimed = await relaunchAbandoned(db, append, now);
        for (const schedule of schedules) claimed.push(...(await claimSchedule(db, append, schedule, now)));
        return claimed.sort((a, b) => a.at - b.at);
      });
    },
    recordLaunched: (key: string, runId?: string) => finish(key, 'launched', runId === undefined ? {} : { runId }),
    recordFailed: (key: string, error: unknown) => finish(key, 'failed', { message: error instanceof Error ? error.message : String(error) }),
    async listTicks({ schedule, state, limit = 100 }: TickQuery = {}): Promise<ScheduleTickRecord[]> {
      let query = store.db.withTables<ScheduleTables>().selectFrom('schedule_ticks').selectAll();
      if (schedule !== undefined) query = query.where('schedule_name', '=', schedule);
      if (state !== undefined) query = query.where('state', '=', state);
      const rows = await query.orderBy('tick_at', 'desc').orderBy('key', 'desc').limit(limit).execute();
      return rows.map(tickRecord);
    },
    nextTickAt(now = store.now()): number | undefined {
      const next = schedules.map((schedule) => schedule.nextTick(now)?.at).filter((at) => at !== undefined);
      return next.length === 0 ? undefined : Math.min(...next);
    },
  });
}

function firedEvent(tick: ClaimedTick, actor: string, at: Date) {
  return {
    action: 'schedule.tick-requested',
    actor,
    at,
    payload: {
      schedule: tick.schedule.name,
      key: tick.key,
      at: new Date(tick.at).toISOString(),
      runId: tick.runId,
      selection: tick.schedule.selection,
      partitions: partitionRequestJson(tick.partitions),
      relaunch: tick.relaunch,
    },
  };
}

function hoursAgo(ms: number): string {
  const hours = ms / HOUR_MS;
  return hours >= 1 ? `${Number(hours.toFixed(1))}h` : `${Math.round(ms / 60_000)}m`;
}
