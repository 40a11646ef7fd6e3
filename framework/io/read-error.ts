import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DaybookError, MaterializationError, type DaybookErrorCode } from '../util/errors.ts';
import { messageOf } from './duckdb.ts';
import type { InputRelation } from './input-relation.ts';

/** What was being done when DuckDB failed: the step's asset and partition, and what it read. */
export interface ReadErrorContext {
  readonly asset: string;
  readonly partition: string;
  readonly relations: readonly InputRelation[];
}

/**
 * Turns a DuckDB error into a MaterializationError that names the asset and partition, and, when
 * DuckDB's message points into one of the input files, that file, its asset and partition, and the
 * line and column DuckDB reports. DuckDB's error stays as the cause; a DaybookError passes unchanged.
 *
 * @example
 * try { await connection.run(sql); } catch (error) { throw await readError(error, { asset, partition, relations }); }
 */
export async function readError(cause: unknown, { asset, partition, relations }: ReadErrorContext): Promise<DaybookError> {
  if (cause instanceof DaybookError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  const step = `asset "${asset}" partition ${JSON.stringify(partition)}`;
  if (typeof (cause as NodeJS.ErrnoException | undefined)?.code === 'string') {
    // A Node system error (ENOSPC, EACCES): the file system failed, not the SQL.
    return new MaterializationError('storage-failed', `${step}: ${text}`, { asset, partition, cause });
  }
  const culprit = findFile(text, relations);
  if (culprit === undefined) {
    return new MaterializationError('sql-failed', `${step}: ${messageOf(cause)}`, { asset, partition, cause });
  }
  const { relation, file, index } = culprit;
  // DuckDB 1.5 reports a JSON syntax error one line past the bad line, so that line is found here.
  // Its line for a value of the wrong type is right, unless it is 2^64 - 1 (duckdb/duckdb#16437).
  const json = /Malformed JSON/i.test(text) ? await firstBadJsonLine(file) : undefined;
  const transformLine = /JSON transform error.*?\bin line (\d{1,15}):/i.exec(text)?.[1];
  const line = json?.line ?? /on Line: (\d+)/i.exec(text)?.[1] ?? transformLine;
  const column = /converting column "([^"]+)"|does not have a column named "([^"]+)"/.exec(text)?.slice(1).find(Boolean);
  const at = [line && `line ${line}`, column && `column "${column}"`].filter(Boolean).join(', ');
  const owner =
    relation.asset === asset && relation.partitions[index] === partition
      ? ''
      : ` (input ${relation.name}: asset "${relation.asset}" partition ${JSON.stringify(relation.partitions[index] ?? '')})`;
  const code: DaybookErrorCode = /conversion error|invalid input error|malformed|no magic bytes|corrupt|csv error/i.test(text)
    ? 'malformed-input'
    : /does not have a column named/i.test(text)
      ? 'missing-column'
      : 'sql-failed';
  return new MaterializationError(code, `${step}${owner}: file ${file}${at ? `, ${at}` : ''}: ${json?.reason ?? detail(text)}`, {
    asset,
    partition,
    field: column ?? file,
    cause,
  });
}

/**
 * The input file DuckDB's message names, preferring the longest match so `a.csv` never claims `aa.csv`'s error;
 * else the file of a one-file input whose relation it names, as a binder error does for a missing column
 * (`Values list "raw_executions" does not have a column named "price"`).
 */
function findFile(text: string, relations: readonly InputRelation[]): { relation: InputRelation; file: string; index: number } | undefined {
  let best: { relation: InputRelation; file: string; index: number } | undefined;
  for (const relation of relations) {
    relation.files.forEach((file, index) => {
      if (text.includes(file) && (best === undefined || file.length > best.file.length)) best = { relation, file, index };
    });
  }
  const named = relations.find((relation) => relation.files.length === 1 && text.includes(`"${relation.name}"`));
  return best ?? (named && { relation: named, file: named.files[0]!, index: 0 });
}

/**
 * DuckDB's reason without its hints and caret diagrams: the first line, and for the CSV reader,
 * whose first line only says where (`CSV Error on Line: 3`), the line further down saying what.
 */
function detail(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  const first = lines[0]!;
  if (!/CSV Error on Line/i.test(first)) return first;
  const reason = lines.slice(1).find((line) => /^(Value with|Expected Number|Error when|Invalid|Maximum|Could not)/i.test(line));
  return reason === undefined ? first : `${first.replace(/\s*CSV Error on Line: \d+/i, '')} ${reason}`;
}

/** The first non-blank line of a JSON lines file that is not a JSON object, with why; read only after DuckDB failed. */
async function firstBadJsonLine(file: string): Promise<{ line: number; reason: string } | undefined> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return { line: number, reason: `malformed JSON: ${(error as Error).message}` };
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line: number, reason: 'expected a JSON object' };
    }
  } catch {
    return undefined;
  } finally {
    lines.close();
  }
  return undefined;
}
