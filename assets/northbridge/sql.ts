// Small SQL fragments shared by the NorthBridge computes. They only ever splice in constants of this
// folder (column lists, asset keys), never data: partition values reach SQL through getvariable().

/**
 * A relation read with exactly the given columns and types, whatever else it has, and empty when it
 * is empty. An offset dependency before the first partition (the previous session's positions on the
 * first session) is an empty relation whose columns the executor may not know, so those inputs are
 * read through this rather than trusted to have a schema.
 */
export function columnsOf(relation: string, columns: Readonly<Record<string, string>>): string {
  const entries = Object.entries(columns);
  const template = entries.map(([name, type]) => `cast(null as ${type}) as ${name}`).join(', ');
  const select = entries.map(([name, type]) => `cast(${name} as ${type}) as ${name}`).join(', ');
  return `(select ${select} from (select ${template} where false union all by name select * from ${relation}))`;
}

/**
 * A CTE named `guard` that raises one error listing the first problems when the CTE `problems`
 * (one column, `problem`) has rows. The final SELECT ends with `where (select failed from guard) is null`
 * so bad input fails the step instead of publishing: DuckDB evaluates the guard even when the
 * result would be empty.
 */
export function guard(asset: string): string {
  return `guard as (
    select case when count(*) > 0 then error(
      '${asset}[' || coalesce(getvariable('partition_key'), '?') || ']: ' || count(*) || ' problem(s): '
        || array_to_string(list_slice(list(problem order by problem), 1, 5), '; ')
        || case when count(*) > 5 then '; …' else '' end
    ) end as failed
    from problems
  )`;
}

/** The session being computed, as a DATE. */
export const PARTITION_DATE = `cast(getvariable('partition_date') as date)`;

/** A SQL list of string constants, e.g. the portfolios. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')})`;
}
