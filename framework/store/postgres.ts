import pg from 'pg';
import { PostgresDialect } from 'kysely';
import { StoreError } from '../util/errors.ts';
import type { StoreDialect } from './dialect.ts';

const INT8 = 20;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStoreOptions {
  /** A `postgres://` connection URL, e.g. from `DAYBOOK_DATABASE_URL`. */
  url: string;
  /** The schema that holds the store's tables, created when missing; the connection's search_path by default. */
  schema?: string | undefined;
  /** Connections in the pool. */
  max?: number;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

/**
 * PostgreSQL through a `pg` pool, for several processes or machines sharing one store. int8 comes
 * back as a number, as on PGlite.
 *
 * @example
 * const store = await createStore({ dialect: postgresDialect({ url: process.env.DAYBOOK_DATABASE_URL! }) });
 */
export function postgresDialect({ url, schema, max = 10 }: PostgresStoreOptions): StoreDialect {
  const location = redactUrl(url) + (schema === undefined ? '' : ` (schema ${schema})`);
  if (schema !== undefined && !SCHEMA.test(schema)) {
    throw new StoreError('invalid-config', `store at ${location}: schema ${JSON.stringify(schema)} must be a lowercase SQL identifier`, { field: 'schema' });
  }
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection that drops is replaced by the pool; the next query reports any real outage.
  pool.on('error', () => undefined);
  return {
    name: 'postgres',
    location,
    dialect: new PostgresDialect({ pool }),
    prepare: async (run) => {
      if (schema === undefined) return;
      await run(`create schema if not exists ${schema}`).catch((error: unknown) => {
        // Two processes creating the schema at once: the loser's error means it exists.
        const code = (error as { code?: string }).code;
        if (code !== '23505' && code !== '42P06') throw error;
      });
    },
    release: async () => {
      if (!pool.ended) await pool.end().catch(() => undefined);
    },
  };
}
