import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDB,
  createSourceObserver,
  defineSource,
  MaterializationError,
  quoteLiteral,
  readError,
  readSource,
  sessions,
  type DuckDB,
  type DuckDBConnection,
  type PresentSource,
  type ReadSourceOptions,
} from '../../../framework/index.ts';
import { xnys } from '../../../calendars/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('reader');
const days = sessions(xnys(), { start: '2026-11-16', end: '2026-11-20' });
const executions = defineSource({ key: 'northbridge/gsco-executions', partitions: days, location: { pattern: '{date}.*' } });

let db: DuckDB;
let connection: DuckDBConnection;
beforeAll(async () => {
  db = await createDuckDB({ threads: 2 });
  connection = await db.connect();
});
afterAll(() => db.close());
afterEach(scratch.removeAll);

/** Lands `content` as the 2026-11-20 file with the given extension and observes it. */
async function landed(extension: string, content: string | Buffer): Promise<PresentSource> {
  const landing = await scratch.make();
  await writeFile(join(landing, `2026-11-20${extension}`), content);
  const seen = await createSourceObserver({ landing }).observe(executions, '2026-11-20');
  if (seen.status !== 'present') throw new Error(`expected a present file, got ${seen.status}`);
  return seen;
}

/** Lands a Parquet file DuckDB writes from `select`. */
async function landedParquet(select: string): Promise<PresentSource> {
  const staging = join(await scratch.make(), 'staging.parquet');
  await connection.run(`COPY (${select}) TO ${quoteLiteral(staging)} (FORMAT parquet)`);
  return landed('.parquet', await readFile(staging));
}

/**
 * The error of reading the file and then every row of it. Rows are read when SQL reads the view, so
 * errors there go through readError(), as the executor and runSqlCompute() do.
 */
async function failure(options: Omit<ReadSourceOptions, 'connection' | 'name'>): Promise<MaterializationError> {
  const error = await readSource({ connection, name: 'executions', ...options })
    .then((relation) =>
      connection.query('SELECT * FROM executions').catch(async (caught: unknown) => {
        throw await readError(caught, { asset: relation.asset, partition: relation.partitions[0]!, relations: [relation] });
      }),
    )
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(MaterializationError);
  return error as MaterializationError;
}

const CSV = 'exec_id,security,qty,price,trade_date\nE1,AAPL,100,231.50,2026-11-20\nE2,"MSFT, Inc",-50,415.25,2026-11-20\n';

describe('readSource', () => {
  it('reads a CSV with a header, typing its columns by sniffing', async () => {
    const relation = await readSource({ connection, source: await landed('.csv', CSV), name: 'executions' });
    expect(relation).toMatchObject({ name: 'executions', asset: 'northbridge/gsco-executions', partitions: ['2026-11-20'], format: 'csv', kind: 'view' });
    expect(relation.columns).toEqual([
      { name: 'exec_id', type: 'VARCHAR' },
      { name: 'security', type: 'VARCHAR' },
      { name: 'qty', type: 'BIGINT' },
      { name: 'price', type: 'DOUBLE' },
      { name: 'trade_date', type: 'DATE' },
    ]);
    const rows = await connection.query('SELECT security, qty FROM executions ORDER BY exec_id');
    expect(rows).toEqual([
      { security: 'AAPL', qty: 100n },
      { security: 'MSFT, Inc', qty: -50n },
    ]);
  });

  it('gives declared CSV columns their declared types', async () => {
    const relation = await readSource({
      connection,
      source: await landed('.csv', CSV),
      name: 'executions',
      columns: { qty: 'INTEGER', price: 'DECIMAL(18,4)' },
    });
    expect(relation.columns.find((c) => c.name === 'price')?.type).toBe('DECIMAL(18,4)');
    expect(relation.columns.find((c) => c.name === 'qty')?.type).toBe('INTEGER');
    expect(await connection.query('SELECT sum(price * qty)::VARCHAR AS notional FROM executions')).toEqual([{ notional: '2387.5000' }]);
  });

  it('reads a CSV with Windows line ends and US dates', async () => {
    const source = await landed('.csv', 'exec_id,trade_date\r\nE1,11/20/2026\r\nE2,11/19/2026\r\n');
    await readSource({ connection, source, name: 'executions' });
    expect(await connection.query("SELECT strftime(trade_date, '%Y-%m-%d') AS d FROM executions ORDER BY d")).toEqual([
      { d: '2026-11-19' },
      { d: '2026-11-20' },
    ]);
  });

  it('reads JSON lines, with declared columns typed as declared', async () => {
    // Undeclared, DuckDB would type qty HUGEINT: it merges 100 (unsigned) and -50 (signed) that way.
    const source = await landed('.jsonl', '{"exec_id":"E1","qty":100,"price":231.5}\n{"exec_id":"E2","qty":-50,"price":415.25}\n');
    const relation = await readSource({ connection, source, name: 'executions', columns: { qty: 'BIGINT', price: 'DECIMAL(18,4)' } });
    expect(relation.format).toBe('jsonl');
    expect(relation.columns).toEqual([
      { name: 'exec_id', type: 'VARCHAR' },
      { name: 'qty', type: 'BIGINT' },
      { name: 'price', type: 'DECIMAL(18,4)' },
    ]);
    expect(await connection.query('SELECT sum(qty) AS qty FROM executions')).toEqual([{ qty: 50n }]);
  });

  it('reads Parquet, casting a declared column to its declared type', async () => {
    const source = await landedParquet("SELECT 'E' || range AS exec_id, range::INTEGER AS qty FROM range(10)");
    const relation = await readSource({ connection, source, name: 'executions', columns: { qty: 'BIGINT' } });
    expect(relation.columns).toEqual([
      { name: 'exec_id', type: 'VARCHAR' },
      { name: 'qty', type: 'BIGINT' },
    ]);
    expect(await connection.query('SELECT count(*) AS n, sum(qty) AS qty FROM executions')).toEqual([{ n: 10n, qty: 45n }]);
  });

  it('reads an empty file with declared columns as an empty relation of those columns', async () => {
    const relation = await readSource({ connection, source: await landed('.jsonl', ''), name: 'executions', columns: { qty: 'BIGINT' } });
    expect(relation.columns).toEqual([{ name: 'qty', type: 'BIGINT' }]);
    expect(await connection.query('SELECT count(*) AS n FROM executions')).toEqual([{ n: 0n }]);
  });

  it('reads a CSV with only a header as an empty relation', async () => {
    await readSource({ connection, source: await landed('.csv', 'exec_id,qty\n'), name: 'executions' });
    expect(await connection.query('SELECT count(*) AS n FROM executions')).toEqual([{ n: 0n }]);
  });

  it('names the relation with any text safely quoted', async () => {
    await readSource({ connection, source: await landed('.csv', CSV), name: 'we"ird; DROP TABLE x' });
    expect(await connection.query('SELECT count(*) AS n FROM "we""ird; DROP TABLE x"')).toEqual([{ n: 2n }]);
  });

  describe('on malformed input', () => {
    it('names asset, partition, file and line for an unterminated CSV quote', async () => {
      const source = await landed('.csv', 'exec_id,security\nE1,AAPL\nE2,"MSFT\nE3,IBM\n');
      const error = await failure({ source });
      expect(error.code).toBe('malformed-input');
      expect(error.message).toBe(
        `asset "northbridge/gsco-executions" partition "2026-11-20": file ${source.path}, line 3: Invalid Input Error: Value with unterminated quote found.`,
      );
      expect(error.asset).toBe('northbridge/gsco-executions');
      expect(error.partition).toBe('2026-11-20');
      expect(error.cause).toBeInstanceOf(Error);
    });

    it('names the line of a bad CSV row far past the sniffer sample, when the rows are read', async () => {
      const rows = Array.from({ length: 30_000 }, (_, i) => `E${i},${i}`).join('\n');
      const source = await landed('.csv', `exec_id,qty\n${rows}\nE30000,"unterminated\n`);
      const error = await failure({ source });
      expect(error.message).toMatch(new RegExp(`file ${source.path}, line 30002: .*unterminated quote`));
    });

    it('names the line and the column of a value that does not fit its declared type', async () => {
      const source = await landed('.csv', 'exec_id,qty\nE1,100\nE2,lots\n');
      const error = await failure({ source, columns: { qty: 'BIGINT' } });
      expect(error.message).toMatch(/file .*2026-11-20\.csv, line 3, column "qty": Conversion Error: .*Could not convert string "lots" to 'BIGINT'/);
      expect(error.field).toBe('qty');
    });

    it('names the line of a CSV row with an extra field', async () => {
      const error = await failure({ source: await landed('.csv', 'exec_id,qty\nE1,100\nE2,50,oops\n') });
      expect(error.message).toMatch(/line 3: .*Expected Number of Columns: 2 Found: 3/);
    });

    it('names the missing column when a declared CSV column is absent', async () => {
      const source = await landed('.csv', CSV);
      const error = await failure({ source, columns: { notional: 'DOUBLE' } });
      expect(error.code).toBe('missing-column');
      expect(error.field).toBe('notional');
      expect(error.message).toBe(
        `asset "northbridge/gsco-executions" partition "2026-11-20": file ${source.path}: no column "notional" (the file has "exec_id", "security", "qty", "price", "trade_date")`,
      );
    });

    it('names the line of a JSON lines file with a line that is not JSON', async () => {
      const source = await landed('.jsonl', '{"exec_id":"E1","qty":1}\nnot json at all\n{"exec_id":"E3","qty":3}\n');
      const error = await failure({ source });
      expect(error.code).toBe('malformed-input');
      expect(error.message).toMatch(new RegExp(`^asset "northbridge/gsco-executions" partition "2026-11-20": file ${source.path}, line 2: malformed JSON: `));
      expect(String((error.cause as Error).message)).toMatch(/Malformed JSON in file/);
    });

    it('names the line of a bad JSON line beyond the detection sample, when the rows are read', async () => {
      const rows = Array.from({ length: 25_000 }, (_, i) => JSON.stringify({ exec_id: `E${i}`, qty: i })).join('\n');
      const source = await landed('.jsonl', `${rows}\n{"exec_id": "E25000", "qty": 1,\n`);
      const error = await failure({ source });
      expect(error.message).toMatch(new RegExp(`file ${source.path}, line 25001: malformed JSON`));
    });

    it('names the line of a JSON value that does not fit its declared type', async () => {
      const source = await landed('.jsonl', '{"exec_id":"E1","qty":1}\n{"exec_id":"E2","qty":"lots"}\n');
      const error = await failure({ source, columns: { qty: 'BIGINT' } });
      expect(error.code).toBe('malformed-input');
      expect(error.message).toMatch(new RegExp(`file ${source.path}, line 2: .*Failed to cast value to numerical: "lots"`));
    });

    it('names the missing column when a declared JSON column is absent', async () => {
      const error = await failure({ source: await landed('.jsonl', '{"exec_id":"E1"}\n'), columns: { qty: 'BIGINT' } });
      expect(error.code).toBe('missing-column');
      expect(error.message).toMatch(/no column "qty" \(the file has "exec_id"\)/);
    });

    it('refuses JSON lines that are not objects', async () => {
      const error = await failure({ source: await landed('.jsonl', '[1,2]\n[3,4]\n') });
      expect(error.message).toMatch(/expected one JSON object per line/);
    });

    it('names the file of a truncated Parquet file', async () => {
      const whole = await landedParquet('SELECT range AS n FROM range(1000)');
      const source = await landed('.parquet', (await readFile(whole.path)).subarray(0, 200));
      const error = await failure({ source });
      expect(error.code).toBe('malformed-input');
      expect(error.message).toMatch(new RegExp(`^asset "northbridge/gsco-executions" partition "2026-11-20": file ${source.path}: .*(magic bytes|corrupt|too small)`, 'i'));
    });

    it('names the missing column when a declared Parquet column is absent', async () => {
      const error = await failure({ source: await landedParquet('SELECT 1 AS n'), columns: { qty: 'BIGINT' } });
      expect(error.code).toBe('missing-column');
    });

    it('refuses a declared type that is not a type name, before it reaches SQL', async () => {
      const error = await failure({ source: await landed('.csv', CSV), columns: { qty: "BIGINT) AS x FROM read_text('/etc/passwd') --" } });
      expect(error.message).toMatch(/declared column "qty" has type .* which is not a DuckDB type name/);
    });

    it('refuses an empty file with no declared columns', async () => {
      const error = await failure({ source: await landed('.csv', '') });
      expect(error.message).toMatch(/the file is empty, and no declared columns give it a schema/);
    });

    it('names a header column that appears twice', async () => {
      const error = await failure({ source: await landed('.csv', 'qty,qty\n1,2\n') });
      expect(error.message).toMatch(/header names column "qty" twice/);
    });
  });
});
