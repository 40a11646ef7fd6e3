import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementResponse,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { systemClock, type Clock } from '../../util/clock.ts';
import type { BatchStatement } from './redshift-sql.ts';

/** Where statements run: a serverless workgroup or a provisioned cluster, and how the Data API signs in to the database. */
export type DataApiConnection = { readonly Database: string } & (
  | { readonly WorkgroupName: string; readonly SecretArn?: string }
  | { readonly ClusterIdentifier: string; readonly DbUser?: string; readonly SecretArn?: string }
);

/** How to reach the Data API and how to wait for statements. */
export interface DataApi {
  readonly client: RedshiftDataClient;
  readonly connection: DataApiConnection;
  /** The first wait before DescribeStatement; each next wait doubles, up to `maxPollMs`. */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** A statement still running after this long is cancelled and reported as failed. */
  readonly timeoutMs: number;
  readonly clock?: Clock;
}

/**
 * Why a statement failed, as a value: which statement of the batch (1-based), what it was for,
 * the SQL state when the error text carries one, and the error text itself.
 */
export interface StatementFailure {
  readonly code: 'statement-failed' | 'statement-aborted';
  readonly statementId: string;
  readonly position: number | undefined;
  readonly statements: number;
  readonly purpose: string | undefined;
  readonly sqlState: string | undefined;
  readonly error: string;
}

export type StatementOutcome = { readonly ok: true; readonly described: DescribeStatementResponse } | { readonly ok: false; readonly failure: StatementFailure };

const ENDED = new Set(['FINISHED', 'FAILED', 'ABORTED']);
// The Data API has no field for the SQL state; a message may carry it, as `(SQLSTATE 42P01)` or `SQLSTATE: 42P01`.
const SQL_STATE = /\(?\bSQLSTATE[\s:=]*([0-9A-Z]{5})\b\)?/i;

/** Runs the statements in one transaction with BatchExecuteStatement and waits for it to end; `onSubmitted` learns its id. */
export async function runBatch(api: DataApi, statements: readonly BatchStatement[], onSubmitted?: (id: string) => void): Promise<StatementOutcome> {
  const { Id } = await api.client.send(new BatchExecuteStatementCommand({ ...api.connection, Sqls: statements.map((statement) => statement.sql) }));
  onSubmitted?.(Id!);
  return outcomeOf(await settle(api, Id!), statements);
}

/** Runs one statement with ExecuteStatement and returns its rows, or why it failed. */
export async function runQuery(api: DataApi, sql: string): Promise<{ ok: true; records: Field[][] } | { ok: false; failure: StatementFailure }> {
  const { Id } = await api.client.send(new ExecuteStatementCommand({ ...api.connection, Sql: sql }));
  const outcome = outcomeOf(await settle(api, Id!), [{ sql, purpose: 'query' }]);
  if (!outcome.ok) return outcome;
  if (!outcome.described.HasResultSet) return { ok: true, records: [] };
  const records: Field[][] = [];
  let token: string | undefined;
  do {
    const page = await api.client.send(new GetStatementResultCommand({ Id, NextToken: token }));
    records.push(...(page.Records ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return { ok: true, records };
}

/** Polls DescribeStatement with exponential backoff until the statement ends, cancelling it past the time limit. */
async function settle({ client, pollMs, maxPollMs, timeoutMs, clock = systemClock }: DataApi, id: string): Promise<DescribeStatementResponse> {
  const started = clock.now();
  let wait = pollMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    const described = await client.send(new DescribeStatementCommand({ Id: id }));
    if (ENDED.has(described.Status ?? '')) return described;
    if (clock.now() - started >= timeoutMs) {
      // Best effort: the statement may end on its own meanwhile, and the error below says what happened either way.
      await client.send(new CancelStatementCommand({ Id: id })).catch(() => undefined);
      throw new Error(`statement ${id} was still ${described.Status} after ${timeoutMs} ms, so it was cancelled`);
    }
    wait = Math.min(wait * 2, maxPollMs);
  }
}

function outcomeOf(described: DescribeStatementResponse, statements: readonly BatchStatement[]): StatementOutcome {
  if (described.Status === 'FINISHED') return { ok: true, described };
  const subs = described.SubStatements ?? [];
  // The statement that failed; when none says so (cancelled, connection lost), the first that did not finish.
  const failed = subs.findIndex((sub) => sub.Status === 'FAILED');
  const index = failed >= 0 ? failed : subs.findIndex((sub) => sub.Status !== 'FINISHED');
  const sub = index >= 0 ? subs[index] : undefined;
  const error = sub?.Error ?? described.Error ?? `the statement ended ${described.Status} without an error message`;
  const position = sub === undefined ? (statements.length === 1 ? 1 : undefined) : Number(sub.Id?.split(':')[1] ?? index + 1);
  return {
    ok: false,
    failure: {
      code: described.Status === 'ABORTED' ? 'statement-aborted' : 'statement-failed',
      statementId: sub?.Id ?? described.Id ?? '',
      position,
      statements: statements.length,
      purpose: position === undefined ? undefined : statements[position - 1]?.purpose,
      sqlState: SQL_STATE.exec(error)?.[1]?.toUpperCase(),
      error,
    },
  };
}

/** `statement 7 of 10 (delete partition rows) failed with SQL state 57P01: FATAL: terminating connection …` */
export function describeFailure({ code, position, statements, purpose, sqlState, error }: StatementFailure): string {
  const which = position === undefined ? `the batch of ${statements} statements` : statements === 1 ? 'the statement' : `statement ${position} of ${statements}`;
  const what = purpose === undefined || statements === 1 ? '' : ` (${purpose})`;
  const verb = code === 'statement-aborted' ? 'was aborted' : 'failed';
  const state = sqlState === undefined ? '' : ` with SQL state ${sqlState}`;
  return `${which}${what} ${verb}${state}: ${error.replace(SQL_STATE, '').trim()}`;
}
