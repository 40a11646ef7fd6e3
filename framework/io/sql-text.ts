import { MaterializationError } from '../util/errors.ts';

// Names, paths and keys that reach SQL text go through these two functions. DuckDB cannot bind
// parameters inside DDL such as `CREATE VIEW … read_parquet($1)`, so quoting is the only defence
// there; everywhere else, prefer parameters.

/** A SQL identifier that may be any text: `positions` → `"positions"`, `a"b` → `"a""b"`. */
export function quoteIdentifier(name: string): string {
  return `"${checked(name, 'identifier').replaceAll('"', '""')}"`;
}

/**
 * A SQL string literal: `it's` → `'it''s'`. DuckDB's standard strings have no backslash escapes,
 * so doubling the quote is the whole escape.
 */
export function quoteLiteral(value: string): string {
  return `'${checked(value, 'string literal').replaceAll("'", "''")}'`;
}

/** A DuckDB list of string literals, e.g. the files of `read_parquet([...])`. */
export function quoteLiteralList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

/** DuckDB's parser ends a string at NUL, which would turn the rest of the text into SQL. */
function checked(text: string, what: string): string {
  if (typeof text !== 'string' || text.includes('\0')) {
    throw new MaterializationError('sql-failed', `refusing to quote ${JSON.stringify(text)} as a SQL ${what}: it is not a string or contains NUL`);
  }
  return text;
}
