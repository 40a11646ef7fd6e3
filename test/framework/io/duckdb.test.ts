import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDuckDB, MaterializationError, quoteIdentifier, quoteLiteral, quoteLiteralList } from '../../../framework/index.ts';
import { scratchDirectories } from './scratch.ts';

const scratch = scratchDirectories('duckdb');
afterEach(scratch.removeAll);

describe('quoting', () => {
  it('doubles quotes so any text stays one identifier or one literal', () => {
    expect(quoteIdentifier('positions')).toBe('"positions"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('C:\\data')).toBe("'C:\\data'");
    expect(quoteLiteralList(['a', "b'c"])).toBe("['a', 'b''c']");
  });

  it('refuses text with NUL, which would end the literal early in DuckDB', () => {
    expect(() => quoteLiteral("x\0'; DROP TABLE t; --")).toThrow(MaterializationError);
    expect(() => quoteIdentifier('x\0')).toThrow(/contains NUL/);
  });

  it('round-trips hostile text through DuckDB unchanged', async () => {
    const db = await createDuckDB();
    const hostile = [`'); DROP TABLE x; --`, `"quoted"`, `back\\slash`, `multi\nline`, `ünïcödé`];
    const rows = await db.withConnection((c) =>
      c.query<Record<string, string>>(`SELECT ${hostile.map((text) => `${quoteLiteral(text)} AS ${quoteIdentifier(text)}`).join(', ')}`),
    );
    db.close();
    expect(rows).toEqual([Object.fromEntries(hostile.map((text) => [text, text]))]);
  });
});

describe('createDuckDB', () => {
  it('runs queries with positional and named parameters and reads typed rows', async () => {
    const db = await createDuckDB({ threads: 1 });
    await db.withConnection(async (c) => {
      expect(await c.query('SELECT ?::BIGINT AS n, ? AS s, $3::DATE AS d', [42, 'x', '2026-11-20'])).toEqual([
        { n: 42n, s: 'x', d: new Date('2026-11-20T00:00:00Z') },
      ]);
      expect(await c.query('SELECT $name AS v', { name: 'PF001' })).toEqual([{ v: 'PF001' }]);
    });
    db.close();
  });

  it('reports the rows a statement changed, and the columns of a query', async () => {
    const db = await createDuckDB();
    await db.withConnection(async (c) => {
      await c.run('CREATE TABLE t (a INTEGER, b DECIMAL(18,4))');
      expect(await c.run('INSERT INTO t SELECT range, range / 4 FROM range(5)')).toBe(5);
      expect(await c.describe('SELECT a, b, a::VARCHAR AS c FROM t')).toEqual([
        { name: 'a', type: 'INTEGER' },
        { name: 'b', type: 'DECIMAL(18,4)' },
        { name: 'c', type: 'VARCHAR' },
      ]);
    });
    db.close();
  });

  it('registers Parquet files as one relation, whatever quotes their paths hold', async () => {
    const directory = await scratch.make();
    const files = [join(directory, "it's one.parquet"), join(directory, 'two "2".parquet')];
    const db = await createDuckDB();
    await db.withConnection(async (c) => {
      await c.run(`COPY (SELECT 1 AS n) TO ${quoteLiteral(files[0]!)} (FORMAT parquet)`);
      await c.run(`COPY (SELECT 2 AS n, 'extra' AS added) TO ${quoteLiteral(files[1]!)} (FORMAT parquet)`);
      await c.registerParquet('pair', files);
      expect(await c.query('SELECT n, added FROM pair ORDER BY n')).toEqual([
        { n: 1, added: null },
        { n: 2, added: 'extra' },
      ]);
      await c.dropRelation('pair');
      await expect(c.query('SELECT * FROM pair')).rejects.toThrow(/does not exist/);
    });
    db.close();
  });

  it('keeps temporary views private to the connection that made them', async () => {
    const directory = await scratch.make();
    const file = join(directory, 'x.parquet');
    const db = await createDuckDB();
    const one = await db.connect();
    const two = await db.connect();
    await one.run(`COPY (SELECT 1 AS n) TO ${quoteLiteral(file)} (FORMAT parquet)`);
    await one.registerParquet('inputs', file);
    await two.registerParquet('inputs', [file, file]);
    expect(await one.query('SELECT count(*) AS n FROM inputs')).toEqual([{ n: 1n }]);
    expect(await two.query('SELECT count(*) AS n FROM inputs')).toEqual([{ n: 2n }]);
    db.close();
  });

  it('refuses to register no files', async () => {
    const db = await createDuckDB();
    await expect(db.withConnection((c) => c.registerParquet('none', []))).rejects.toThrow(/"none": no Parquet files to read/);
    db.close();
  });

  it('closes the connection after withConnection even when the work throws', async () => {
    const db = await createDuckDB();
    let kept: Parameters<Parameters<typeof db.withConnection>[0]>[0] | undefined;
    await expect(
      db.withConnection(async (c) => {
        kept = c;
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    await expect(kept!.query('SELECT 1')).rejects.toThrow(/connection is closed/);
    db.close();
  });

  it('keeps tables in a database file across opens', async () => {
    const path = join(await scratch.make(), 'warehouse.duckdb');
    const first = await createDuckDB({ path });
    await first.withConnection((c) => c.run('CREATE TABLE kept AS SELECT 7 AS n'));
    first.close();
    const second = await createDuckDB({ path });
    expect(await second.withConnection((c) => c.query('SELECT n FROM kept'))).toEqual([{ n: 7 }]);
    second.close();
  });

  it('refuses new connections once closed', async () => {
    const db = await createDuckDB();
    db.close();
    await expect(db.connect()).rejects.toThrow(/is closed/);
  });

  it('fails at once, without a download, when SQL needs an extension that is not built in', async () => {
    const db = await createDuckDB();
    await expect(db.withConnection((c) => c.query("SELECT * FROM read_csv('s3://bucket/file.csv')"))).rejects.toThrow(/httpfs/);
    db.close();
  });
});
