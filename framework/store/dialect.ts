import type { Dialect } from 'kysely';

/**
 * A store dialect plug-in: how to reach one kind of database. Both shipped dialects speak
 * PostgreSQL, so one schema, one set of migrations and one set of queries serve them all.
 */
export interface StoreDialect {
  /** `pglite` or `postgres`. */
  readonly name: string;
  /** Where the data lives, for messages: a directory, or a URL without its password. */
  readonly location: string;
  /** The Kysely dialect to open the database with. */
  readonly dialect: Dialect;
  /** Runs once before migrations, e.g. to create the PostgreSQL schema the store lives in. */
  prepare?(run: (statement: string) => Promise<void>): Promise<void>;
  /** Releases what the dialect holds beyond its connections (the PGlite directory lock); called after the database is closed. */
  release(): Promise<void>;
}
