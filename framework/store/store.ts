import type { Kysely } from 'kysely';
import type { Definitions } from '../definitions/definitions.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { DaybookError, StoreError } from '../util/errors.ts';
import { applyWrites } from './apply-writes.ts';
import { insertApiToken, listApiTokens, revokeApiToken, type NewApiToken } from './api-tokens.ts';
import type { StoreDialect } from './dialect.ts';
import { GroupCommit } from './group-commit.ts';
import { loadPlannerState, restoreDynamicKeys, type PlannerStateOptions, type StorePlannerState } from './planner-state.ts';
import { describeWrites, prepareWrite } from './prepare-write.ts';
import * as reads from './reads.ts';
import type {
  ApiTokenRecord,
  AuditArchiveRecord,
  AuditEventRecord,
  BackfillRecord,
  BackfillStatus,
  CheckResultRecord,
  PublishRecord,
  Database,
  MaterializationRecord,
  ObservationRecord,
  PartitionStateRecord,
  RunRecord,
  StepRecord,
} from './schema.ts';
import { verifyAuditChain, type AuditVerification, type VerifyAuditOptions } from './verify-audit.ts';
import { auditAnchor, listAuditArchives, pruneAuditArchived, registerAuditArchive, type AuditPruneResult, type NewAuditArchive } from './audit-archives.ts';
import { recordAssetDefinitions, type AssetDefinitionChange, type AssetDefinitionSeen } from './asset-definitions.ts';
import { operatorAuditEvent, type OperatorAction } from './operator-actions.ts';
import type {
  AuditInput,
  BackfillChange,
  CheckResultInput,
  PublishInput,
  NewBackfill,
  NewRun,
  NewStep,
  Observation,
  ObservationResult,
  ResultOf,
  ResultsOf,
  RunChange,
  StepChange,
  StepFailure,
  StepSuccess,
  StoreWrite,
  WriteResults,
} from './writes.ts';

/** Who made a change and when; the store's actor and clock fill in what is left out. */
export interface Attribution {
  actor?: string;
  at?: number | Date;
}

export interface MetadataStoreOptions {
  /** Where times come from. */
  clock?: Clock;
  /** Who acts when a write does not say (audit events, run triggers). */
  actor?: string;
  /** Most writes in one group-commit transaction. */
  maxBatchWrites?: number;
}

/**
 * The metadata store: runs, steps, materializations, observations, dynamic keys, backfills, check
 * results and the audit chain, over one Kysely database (PGlite or PostgreSQL). Every write method
 * resolves only after its transaction has committed, and appends its audit events in that same
 * transaction. Concurrent writes share transactions (group commit, see group-commit.ts), which is
 * what lets many steps per second through; `commit()` writes several changes atomically.
 *
 * @example
 * const store = await createStore();
 * const { run, steps } = await store.createRun({ selection: 'northbridge/positions', steps: [{ asset: 'northbridge/positions', partition: '2026-11-20' }] });
 * await store.updateStep({ stepId: steps[0]!.id, status: 'running', worker: 'w1' });
 * await store.recordSuccess({ stepId: steps[0]!.id, dataVersion: 'sha256:…', rowCount: 1204 });
 */
export class MetadataStore {
  /** The dialect's name: `pglite` or `postgres`. */
  readonly dialect: string;
  /** Where the data lives (a directory, or a URL without password). */
  readonly location: string;
  /** The Kysely instance, for the store's own modules and tests; other code uses the methods. */
  readonly db: Kysely<Database>;
  readonly #release: () => Promise<void>;
  readonly #clock: Clock;
  readonly #actor: string;
  readonly #commits: GroupCommit;
  #closed: Promise<void> | undefined;

  constructor(db: Kysely<Database>, dialect: StoreDialect, { clock = systemClock, actor = 'daybook', maxBatchWrites = 4_000 }: MetadataStoreOptions = {}) {
    this.db = db;
    this.dialect = dialect.name;
    this.location = dialect.location;
    this.#release = () => dialect.release();
    this.#clock = clock;
    this.#actor = actor;
    this.#commits = new GroupCommit({ apply: (writes) => this.#apply(writes), maxWrites: maxBatchWrites, where: dialect.location });
  }

  /** Commits the writes atomically, in one transaction (shared with concurrent callers); resolves with each write's result. */
  async commit<const W extends readonly StoreWrite[]>(writes: W): Promise<ResultsOf<W>> {
    const context = { now: this.#clock.now(), actor: this.#actor };
    const prepared = writes.map((write) => prepareWrite(write, context));
    return (await this.#commits.submit(prepared)) as ResultsOf<W>;
  }

  /** Creates a run, with its planned steps when given. */
  createRun(run: NewRun): Promise<WriteResults['create-run']> {
    return this.#one({ kind: 'create-run', ...run });
  }

  /** Changes a run's status (`running`, then `succeeded`, `failed` or `cancelled`). */
  updateRun(change: RunChange): Promise<RunRecord> {
    return this.#one({ kind: 'update-run', ...change });
  }

  /** Adds planned steps to a run. */
  addSteps(runId: string, steps: readonly NewStep[], attribution: Attribution = {}): Promise<StepRecord[]> {
    return this.#one({ kind: 'add-steps', runId, steps, ...attribution });
  }

  /** Changes a step's status: `running` (a new attempt), `waiting`, `pending`, `skipped`, `upstream-failed` or `cancelled`. */
  updateStep(change: StepChange): Promise<StepRecord> {
    return this.#one({ kind: 'update-step', ...change });
  }

  /** Records a step's success and its materialization in one transaction; the partition's current materialization is replaced. */
  recordSuccess(success: StepSuccess): Promise<{ step: StepRecord; materialization: MaterializationRecord }> {
    return this.#one({ kind: 'succeed-step', ...success });
  }

  /** Records a failed attempt (`failed`, `blocked-by-check`, or `pending` when it will be retried) and flags the partition failed. */
  recordFailure(failure: StepFailure): Promise<StepRecord> {
    return this.#one({ kind: 'fail-step', ...failure });
  }

  /** Records source observations; only a changed data version makes a new row (and a new seq). */
  recordObservations(observations: readonly Observation[], attribution: Attribution = {}): Promise<ObservationResult[]> {
    return this.#one({ kind: 'observe', observations, ...attribution });
  }

  /** Adds keys to a dynamic partitions definition; returns those that were new, in order. */
  addDynamicKeys(definition: string, keys: readonly string[], attribution: Attribution = {}): Promise<string[]> {
    return this.#one({ kind: 'add-dynamic-keys', definition, keys, ...attribution });
  }

  /** Records a backfill; its runs refer to it by `backfillId`. */
  createBackfill(backfill: NewBackfill): Promise<BackfillRecord> {
    return this.#one({ kind: 'create-backfill', ...backfill });
  }

  /** Changes a backfill's status. */
  updateBackfill(change: BackfillChange): Promise<BackfillRecord> {
    return this.#one({ kind: 'update-backfill', ...change });
  }

  /** Stores check results of asset partitions; returns how many. */
  recordCheckResults(results: readonly CheckResultInput[], attribution: Attribution = {}): Promise<number> {
    return this.#one({ kind: 'check-results', results, ...attribution });
  }

  /** Stores publishes of asset partitions (the executor commits them with the step's success); returns how many. */
  recordPublishes(publishes: readonly PublishInput[], attribution: Attribution = {}): Promise<number> {
    return this.#one({ kind: 'publishes', publishes, ...attribution });
  }

  /** The latest publish of each partition of an asset to each target, most recent first. */
  latestPublishes(asset: string, query: { partition?: string } = {}): Promise<PublishRecord[]> {
    return reads.latestPublishes(this.db, asset, query);
  }

  /** Appends audit events of their own (operator actions); returns their seqs. */
  appendAudit(events: readonly AuditInput[]): Promise<number[]> {
    return this.#one({ kind: 'audit', events });
  }

  /** A run by id. */
  getRun(id: string): Promise<RunRecord | undefined> {
    return reads.getRun(this.db, id);
  }

  /** Runs, newest first. */
  listRuns(query: reads.RunQuery = {}): Promise<RunRecord[]> {
    return reads.listRuns(this.db, query);
  }

  /** A step by id. */
  getStep(id: string): Promise<StepRecord | undefined> {
    return reads.getStep(this.db, id);
  }

  /** The steps of a run, in planned order. */
  listSteps(runId: string, query: reads.StepQuery = {}): Promise<StepRecord[]> {
    return reads.listSteps(this.db, runId, query);
  }

  /** The current materialization of each partition of an asset, most recent first. */
  currentMaterializations(asset: string, query: reads.MaterializationQuery = {}): Promise<MaterializationRecord[]> {
    return reads.currentMaterializations(this.db, asset, query);
  }

  /** Every materialization of one partition, the current one first. */
  materializationHistory(asset: string, partition: string, limit?: number): Promise<MaterializationRecord[]> {
    return reads.materializationHistory(this.db, asset, partition, limit);
  }

  /** The current state (seqs, versions, failure, time of the current materialization) of an asset's partitions. */
  partitionStates(asset: string, partitions?: readonly string[]): Promise<PartitionStateRecord[]> {
    return reads.partitionStates(this.db, asset, partitions);
  }

  /** A page of an asset's partition states in key order, after `afterKey`: for reading millions of them a page at a time. */
  scanPartitionStates(asset: string, query: { afterKey?: string; limit: number }): Promise<PartitionStateRecord[]> {
    return reads.scanPartitionStates(this.db, asset, query);
  }

  /** The audit chain's head: the last event's seq (0 when empty) and hash; events after it are new. */
  auditHead(): Promise<{ seq: number; hash: string }> {
    return reads.auditHead(this.db);
  }

  /** Stores an API token (its SHA-256, never the token) and records `token.created` in the audit log. */
  async createApiToken(token: NewApiToken, attribution: Attribution = {}): Promise<ApiTokenRecord> {
    const actor = attribution.actor ?? this.#actor;
    const record = await insertApiToken(this.db, token, new Date(attribution.at ?? this.#clock.now()), actor);
    await this.appendAudit([{ action: 'token.created', actor, payload: { id: record.id, name: record.name, role: record.role, prefix: record.prefix } }]);
    return record;
  }

  /** Every API token, live and revoked, oldest first. */
  listApiTokens(): Promise<ApiTokenRecord[]> {
    return listApiTokens(this.db);
  }

  /** Revokes the live API token with this id or name and records `token.revoked` in the audit log. */
  async revokeApiToken(idOrName: string, attribution: Attribution = {}): Promise<ApiTokenRecord> {
    const actor = attribution.actor ?? this.#actor;
    const record = await revokeApiToken(this.db, idOrName, new Date(attribution.at ?? this.#clock.now()), actor);
    await this.appendAudit([{ action: 'token.revoked', actor, payload: { id: record.id, name: record.name, role: record.role } }]);
    return record;
  }

  /** A source's observations, most recent first. */
  listObservations(asset: string, query: reads.MaterializationQuery = {}): Promise<ObservationRecord[]> {
    return reads.listObservations(this.db, asset, query);
  }

  /** A backfill with its run ids. */
  getBackfill(id: string): Promise<BackfillRecord | undefined> {
    return reads.getBackfill(this.db, id);
  }

  /** Backfills, newest first. */
  listBackfills(query: { status?: BackfillStatus; limit?: number } = {}): Promise<BackfillRecord[]> {
    return reads.listBackfills(this.db, query);
  }

  /** A dynamic definition's stored keys, in order of addition. */
  listDynamicKeys(definition: string): Promise<string[]> {
    return reads.listDynamicKeys(this.db, definition);
  }

  /** Adds the stored keys to every dynamic definition the assets use (plannerState does this itself). */
  restoreDynamicKeys(definitions: Definitions): Promise<void> {
    return restoreDynamicKeys(this.db, definitions);
  }

  /** Audit events in chain order, filtered by asset, partition, run or action. */
  listAuditEvents(query: reads.AuditQuery = {}): Promise<AuditEventRecord[]> {
    return reads.listAuditEvents(this.db, query);
  }

  /** Check results, most recent first. */
  listCheckResults(query: reads.CheckResultQuery = {}): Promise<CheckResultRecord[]> {
    return reads.listCheckResults(this.db, query);
  }

  /** The planner's typed arrays for every asset in the definitions, with the detail callbacks unless `details: false`. */
  plannerState(definitions: Definitions, options: PlannerStateOptions = {}): Promise<StorePlannerState> {
    return loadPlannerState(this.db, definitions, options);
  }

  /** Walks the audit chain and reports the first broken link. */
  verifyAuditChain(options: VerifyAuditOptions = {}): Promise<AuditVerification> {
    return verifyAuditChain(this.db, options);
  }

  /** Records an operator action as `operator.<action>`, naming who did it; refuses fields that look like secrets. Returns its seq. */
  async recordOperatorAction(action: OperatorAction): Promise<number> {
    const [seq] = await this.appendAudit([operatorAuditEvent(action)]);
    return seq!;
  }

  /** Records definitions that differ from the ones last seen (new, new code version, new config), each with its audit event. */
  recordAssetDefinitions(seen: readonly AssetDefinitionSeen[], attribution: Attribution = {}): Promise<AssetDefinitionChange[]> {
    return recordAssetDefinitions(this.db, seen, attribution.actor ?? this.#actor, new Date(attribution.at ?? this.#clock.now()));
  }

  /** Exports of the audit chain registered so far, oldest first. */
  listAuditArchives(): Promise<AuditArchiveRecord[]> {
    return listAuditArchives(this.db);
  }

  /** Registers a verified export of the audit chain, with its `audit.exported` event; it must continue the last one. */
  registerAuditArchive(archive: NewAuditArchive, attribution: Attribution = {}): Promise<AuditArchiveRecord> {
    return registerAuditArchive(this.db, archive, attribution.actor ?? this.#actor, new Date(attribution.at ?? this.#clock.now()));
  }

  /** Where the stored chain starts when its first events were pruned: the last event of the archive holding them. */
  auditAnchor(): Promise<{ seq: number; hash: string; archive: string } | undefined> {
    return auditAnchor(this.db);
  }

  /** Removes archived events through `through` (the end of an archive older than `cutoff`) and the run details they finished; see audit-archives.ts. */
  pruneAudit(request: { through: number; cutoff: Date }, attribution: Attribution = {}): Promise<AuditPruneResult> {
    return pruneAuditArchived(this.db, { ...request, actor: attribution.actor ?? this.#actor, at: new Date(attribution.at ?? this.#clock.now()) });
  }

  /** Who acts when a write does not say (audit events, run triggers). */
  get actor(): string {
    return this.#actor;
  }

  /** Now, by the store's clock: the time writes are stamped with when they do not say. */
  now(): number {
    return this.#clock.now();
  }

  /** Write transactions committed and the writes they held: how well the group commit batches. */
  commitStats(): { transactions: number; writes: number } {
    return this.#commits.stats();
  }

  /** Commits what is queued, then closes the database and releases its lock. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        await this.#commits.close();
        await this.db.destroy();
      } finally {
        await this.#release();
      }
    })();
    return this.#closed;
  }

  async #one<W extends StoreWrite>(write: W): Promise<ResultOf<W>> {
    const [result] = await this.commit([write] as const);
    return result as ResultOf<W>;
  }

  async #apply(writes: readonly StoreWrite[]): Promise<unknown[]> {
    try {
      return await applyWrites(this.db, writes);
    } catch (error) {
      if (error instanceof DaybookError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError('store-failed', `store at ${this.location}: could not commit ${describeWrites(writes)}: ${reason}`, { cause: error });
    }
  }
}
