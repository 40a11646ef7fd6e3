import { sql, type Transaction } from 'kysely';
import { applyWritesIn } from '../../store/apply-writes.ts';
import { prepareWrite } from '../../store/prepare-write.ts';
import type { Database, JsonObject } from '../../store/schema.ts';
import type { MetadataStore } from '../../store/store.ts';
import type { Observation } from '../../store/writes.ts';
import { StoreError } from '../../util/errors.ts';
import type { SensorDetection, SensorFile } from './sensor.ts';
import type { SensorTables } from './sensor-tables.ts';

/** A sensor's cursor as loaded from the store, kept in memory between ticks. */
export interface SensorState {
  readonly name: string;
  generation: number;
  updatedAt: number | undefined;
  readonly files: Map<string, SensorFile>;
}

/** A detection with the id of its sensor_events row. */
export interface RecordedDetection extends SensorDetection {
  readonly id: string;
}

/** Everything one tick changes, committed in one transaction. */
export interface SensorAdvance {
  /** The source observations of the detections (and of touched files, which change nothing). */
  readonly observations: readonly Observation[];
  readonly detections: readonly RecordedDetection[];
  /** Cursor entries to write: new or changed fingerprints. */
  readonly files: ReadonlyMap<string, SensorFile>;
  /** Cursor entries to drop. */
  readonly gone: readonly string[];
  readonly summary: JsonObject;
  readonly now: number;
}

/** A sensor_files row as loaded: path, asset, partition, size, mtime, ETag, data version. */
type LoadedFile = [string, string, string, number, number, string | null, string];

/** Rows per insert: far below PostgreSQL's 65,535 parameters at 10 columns a row. */
const CHUNK = 2_000;

/**
 * The sensor's cursor: the cached one when the store's generation still matches it (one small read
 * per tick), otherwise every file row read again, e.g. after a restart or another process's advance.
 */
export async function loadSensorState(store: MetadataStore, name: string, cached: SensorState | undefined, now: number): Promise<SensorState> {
  const db = store.db.withTables<SensorTables>();
  const read = () => db.selectFrom('sensor_cursors').select(['generation', 'updated_at']).where('sensor', '=', name).executeTakeFirst();
  let row = await read();
  if (row === undefined) {
    await db
      .insertInto('sensor_cursors')
      .values({ sensor: name, generation: 0, cursor: JSON.stringify({ files: 0 }), updated_at: new Date(now) })
      .onConflict((conflict) => conflict.column('sensor').doNothing())
      .execute();
    row = (await read())!;
  }
  const generation = Number(row.generation);
  if (cached !== undefined && cached.generation === generation) return cached;
  // One JSON document rather than rows: PGlite returns 100,000 rows several times slower.
  const loaded = await sql<{ files: string | null }>`
    select json_agg(json_build_array(path, asset, partition_key, size, mtime_ms, etag, data_version))::text as files
    from sensor_files where sensor = ${name}`.execute(store.db);
  const files = new Map<string, SensorFile>();
  for (const [path, asset, partition, size, mtimeMs, etag, dataVersion] of JSON.parse(loaded.rows[0]?.files ?? '[]') as LoadedFile[]) {
    files.set(path, { asset, partition, size, mtimeMs, etag: etag ?? undefined, dataVersion });
  }
  return { name, generation, updatedAt: generation === 0 ? undefined : row.updated_at.getTime(), files };
}

/**
 * Records a tick in one transaction: the source observations first, then the detections, the cursor's
 * file rows and its generation. The generation only moves from the one this state was loaded at, so
 * a second process running the same sensor fails its tick (and finds the files again on its next)
 * rather than overwriting. The in-memory state changes only once the transaction has committed.
 */
export async function advanceSensor(store: MetadataStore, state: SensorState, advance: SensorAdvance): Promise<void> {
  const { name } = state;
  await store.db.transaction().execute(async (trx) => {
    if (advance.observations.length > 0) await recordObservations(trx, name, advance.observations, advance.now);
    const db = trx.withTables<SensorTables>();
    const bumped = await db
      .updateTable('sensor_cursors')
      .set({ generation: state.generation + 1, cursor: JSON.stringify(advance.summary), updated_at: new Date(advance.now) })
      .where('sensor', '=', name)
      .where('generation', '=', state.generation)
      .executeTakeFirst();
    if (Number(bumped.numUpdatedRows) !== 1) {
      throw new StoreError(
        'store-failed',
        `sensor "${name}": its cursor moved past generation ${state.generation} in another process; nothing of this tick was recorded, and the next tick finds its files again`,
        { field: 'sensor_cursors' },
      );
    }
    for (const rows of chunks(advance.detections)) {
      await db
        .insertInto('sensor_events')
        .values(
          rows.map((detection) => ({
            id: detection.id,
            sensor: name,
            path: detection.path,
            asset: detection.asset,
            partition_key: detection.partition,
            change: detection.change,
            data_version: detection.dataVersion,
            detected_at: new Date(advance.now),
          })),
        )
        .execute();
    }
    for (const rows of chunks([...advance.files])) {
      await db
        .insertInto('sensor_files')
        .values(
          rows.map(([path, file]) => ({
            sensor: name,
            path,
            asset: file.asset,
            partition_key: file.partition,
            size: file.size,
            mtime_ms: file.mtimeMs,
            etag: file.etag ?? null,
            data_version: file.dataVersion,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['sensor', 'path']).doUpdateSet((eb) => ({
            asset: eb.ref('excluded.asset'),
            partition_key: eb.ref('excluded.partition_key'),
            size: eb.ref('excluded.size'),
            mtime_ms: eb.ref('excluded.mtime_ms'),
            etag: eb.ref('excluded.etag'),
            data_version: eb.ref('excluded.data_version'),
          })),
        )
        .execute();
    }
    for (const paths of chunks(advance.gone)) {
      await db.deleteFrom('sensor_files').where('sensor', '=', name).where('path', 'in', paths).execute();
    }
  });
  state.generation++;
  state.updatedAt = advance.now;
  for (const [path, file] of advance.files) state.files.set(path, file);
  for (const path of advance.gone) state.files.delete(path);
}

/** The store's own observe write, applied inside this transaction rather than through the group commit, so it commits with the cursor. */
async function recordObservations(trx: Transaction<Database>, name: string, observations: readonly Observation[], now: number): Promise<void> {
  const actor = `sensor:${name}`;
  await applyWritesIn(trx, [prepareWrite({ kind: 'observe', observations, actor, at: now }, { now, actor })]);
}

/** Detections of a sensor whose run has not been marked requested, oldest first. */
export async function pendingDetections(store: MetadataStore, name: string): Promise<{ id: string; asset: string; partition: string }[]> {
  const rows = await store.db
    .withTables<SensorTables>()
    .selectFrom('sensor_events')
    .select(['id', 'asset', 'partition_key'])
    .where('sensor', '=', name)
    .where('requested_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, asset: row.asset, partition: row.partition_key }));
}

/** Marks detections requested (with their run), in one transaction; returns how many were still pending. */
export async function markDetectionsRequested(store: MetadataStore, name: string, ids: readonly string[], runId: string | undefined, now: number): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    let marked = 0;
    for (const chunk of chunks(ids)) {
      const result = await trx
        .withTables<SensorTables>()
        .updateTable('sensor_events')
        .set({ requested_at: new Date(now), run_id: runId ?? null })
        .where('sensor', '=', name)
        .where('id', 'in', chunk)
        .where('requested_at', 'is', null)
        .executeTakeFirst();
      marked += Number(result.numUpdatedRows);
    }
    return marked;
  });
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK) yield items.slice(start, start + CHUNK);
}
