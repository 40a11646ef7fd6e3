import { sql, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';

/** The SQL type of every column of a row, e.g. `{ id: 'uuid', status: 'text' }`: the compiler insists on each column. */
export type ColumnTypes<Row> = { readonly [K in keyof Row]-?: string };

const cell = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
};

/** One array parameter per column, each cast to its array type: `unnest($1::uuid[], $2::text[], …)`. */
function unnest<Row>(types: ColumnTypes<Row>, rows: readonly Row[]): { columns: RawBuilder<unknown>; arrays: RawBuilder<unknown> } {
  const names = Object.keys(types) as (keyof Row & string)[];
  return {
    columns: sql.join(names.map((name) => sql.ref(name))),
    arrays: sql.join(names.map((name) => sql`${rows.map((row) => cell(row[name]))}::${sql.raw(types[name])}[]`)),
  };
}

/**
 * `INSERT … SELECT * FROM unnest(arrays)`: one parameter per column whatever the number of rows,
 * which PGlite serializes and parses several times faster than a VALUES list with a parameter per
 * cell, and which never reaches PostgreSQL's parameter limit. Dates go as ISO text and objects as
 * JSON text. Undefined when there are no rows.
 */
export function insertRows<Row>(table: keyof Database, types: ColumnTypes<Row>, rows: readonly Row[], onConflict: RawBuilder<unknown> = sql``): RawBuilder<unknown> | undefined {
  if (rows.length === 0) return undefined;
  const { columns, arrays } = unnest(types, rows);
  return sql`insert into ${sql.table(table)} (${columns}) select * from unnest(${arrays}) ${onConflict}`;
}

/** `UPDATE … FROM unnest(arrays)` by id, setting every column in `types` but the id. Undefined when there are no rows. */
export function updateRows<Row extends { id: string }>(table: keyof Database, types: ColumnTypes<Row>, rows: readonly Row[]): RawBuilder<unknown> | undefined {
  if (rows.length === 0) return undefined;
  const { columns, arrays } = unnest(types, rows);
  const set = sql.join(
    Object.keys(types)
      .filter((name) => name !== 'id')
      .map((name) => sql`${sql.ref(name)} = v.${sql.ref(name)}`),
  );
  return sql`update ${sql.table(table)} as t set ${set} from unnest(${arrays}) as v(${columns}) where t.id = v.id`;
}
