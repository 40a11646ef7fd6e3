import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Frozen once released, as 0001 is. Called by framework/automation/workers/finish.ts.
const statements = [
  // The queue's side of a worker's commit, in one call under the store's write lock (taken first,
  // as every audited queue change does): which steps the worker still holds the lease of, which runs
  // are still queued, the steps held back downstream of held steps, and the queue rows of ended steps
  // and runs. Held kinds are ranks: 1 upstream-failed, 2 blocked-by-check, 3 cancelled, 4 waiting;
  // a step downstream of several held steps takes the lowest rank.
  sql`create function daybook_finish_queue(
      worker text, touched uuid[], starts uuid[], done uuid[], held uuid[], held_ranks integer[],
      retried uuid[], retry_at timestamptz[]
    ) returns json language plpgsql set jit = off
    as $$
    declare
      owned uuid[];
      queued uuid[];
      held_back json;
      ended_ids uuid[];
      ended_ranks integer[];
      ready integer := 0;
      requeued integer := 0;
      runs_ended json;
    begin
      perform 1 from audit_head where id = 1 for update;
      select coalesce(array_agg(step_id), '{}') into owned
        from (select step_id from step_queue where step_id = any(touched) and lease_owner = worker for update) as leased;
      select coalesce(array_agg(id), '{}') into queued from runs where id = any(starts) and status = 'queued';
      done := array(select unnest(done) intersect select unnest(owned));
      select coalesce(array_agg(h.step_id), '{}'), coalesce(array_agg(h.rank), '{}') into held, held_ranks
        from unnest(held, held_ranks) as h(step_id, rank) where h.step_id = any(owned);

      with recursive down (step_id, rank) as (
        select e.downstream, h.rank from unnest(held, held_ranks) as h(step_id, rank) join step_edges e on e.upstream = h.step_id
        union
        select e.downstream, d.rank from down d join step_edges e on e.upstream = d.step_id
      )
      select coalesce(json_agg(json_build_array(q.step_id, q.run_id, m.rank)), '[]'),
        held || coalesce(array_agg(q.step_id), '{}'), held_ranks || coalesce(array_agg(m.rank), '{}')
        into held_back, ended_ids, ended_ranks
        from (select step_id, min(rank) as rank from down where not (step_id = any(held)) group by step_id) as m
        join step_queue q on q.step_id = m.step_id;
      ended_ids := done || ended_ids;
      ended_ranks := array_fill(null::integer, array[cardinality(done)]) || ended_ranks;

      if cardinality(done) > 0 then
        with counted as (
          select downstream, count(*)::integer as n from step_edges where upstream = any(done) group by downstream
        ), lowered as (
          update step_queue q set blockers = q.blockers - c.n from counted c where q.step_id = c.downstream returning q.blockers
        )
        select count(*) filter (where blockers = 0) into ready from lowered;
      end if;
      update step_queue q set lease_owner = null, lease_expires_at = null, ready_at = r.ready_at
        from unnest(retried, retry_at) as r(step_id, ready_at)
        where q.step_id = r.step_id and r.step_id = any(owned);
      get diagnostics requeued = row_count;

      with ended as (
        select * from unnest(ended_ids, ended_ranks) as e(step_id, rank)
      ), gone as (
        delete from step_queue q using ended e where q.step_id = e.step_id returning q.run_id, e.rank
      ), counted as (
        select run_id, count(*)::integer as n, count(*) filter (where rank in (1, 2))::integer as problems,
          count(*) filter (where rank = 3)::integer as cancelled
        from gone group by run_id
      ), lowered as (
        update run_queue q set remaining = q.remaining - c.n, problems = q.problems + c.problems, cancelled = q.cancelled + c.cancelled
        from counted c where q.run_id = c.run_id
        returning q.run_id, q.remaining, q.problems, q.cancelled
      )
      select coalesce(json_agg(json_build_array(run_id, case when cancelled > 0 then 'cancelled' when problems > 0 then 'failed' else 'succeeded' end)), '[]')
        into runs_ended from lowered where remaining = 0;
      delete from run_queue where remaining = 0 and run_id in (select (r->>0)::uuid from json_array_elements(runs_ended) as r);
      delete from step_edges where upstream = any(ended_ids);

      return json_build_object('owned', owned, 'queued', queued, 'held_back', held_back, 'claimable', ready + requeued, 'runs_ended', runs_ended);
    end
  $$`,
];

/** One call for the work queue's side of a worker's commit (framework/automation/workers/finish.ts). */
export const finishQueue: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
