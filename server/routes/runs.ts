// Runs: history and detail, and launching, cancelling and retrying them.
import { z } from 'zod';
import { selectAssets, type JsonObject, type PartitionRequest, type RunSummary, type StepStatus } from '../../framework/index.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { HttpError, notFound } from '../http-error.ts';
import {
  backfillListSchema,
  backfillRequestSchema,
  cancelResponseSchema,
  launchedRunSchema,
  materializeRequestSchema,
  runDetailSchema,
  runListSchema,
  runStatusSchema,
  stepViewSchema,
} from '../schemas/runs.ts';
import { idParams, idSchema, intParam } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import { backfillView, runView, stepView } from '../views.ts';

/** Steps whose log tail comes with the run detail: the ones an operator needs to look at. */
const PROBLEMS: ReadonlySet<StepStatus> = new Set(['failed', 'blocked-by-check', 'waiting', 'upstream-failed', 'cancelled']);
/** Steps a retry runs again: those that failed and those that did not run because of them. */
const RETRIED: ReadonlySet<StepStatus> = new Set(['failed', 'blocked-by-check', 'upstream-failed', 'cancelled']);

const launched = { description: 'the run is recorded and running in the background', schema: launchedRunSchema };
const refused = {
  400: { description: 'a malformed body, selection, partition or range' },
  401: { description: 'no token' },
  403: { description: 'the token is not an operator' },
  404: { description: 'an unknown asset' },
};

/** The request as the planner takes it; windows that have not ended by now are left out, as in the CLI. */
function partitionRequest(body: { partition?: string | undefined; from?: string | undefined; to?: string | undefined; where?: Record<string, string> | undefined }, now: number): PartitionRequest {
  return { partition: body.partition, from: body.from, to: body.to, where: body.where ?? {}, endedBy: now };
}

/** GET /api/runs, /api/runs/{id}, /api/runs/{id}/steps/{stepId}, /api/backfills; POST /api/materialize, /api/backfills, /api/runs/{id}/cancel, /api/runs/{id}/retry-failed. */
export function runRoutes({ engine, runs, clock }: ServerServices): AnyRoute[] {
  const { store, definitions } = engine;
  return [
    defineRoute({
      method: 'get',
      path: '/api/runs',
      summary: 'Runs, newest first',
      tag: 'runs',
      role: 'viewer',
      query: z
        .object({ status: runStatusSchema.optional(), limit: intParam(1, 500, 50), before: z.iso.datetime({ offset: true }).optional() })
        .strict(),
      responses: { 200: { description: 'the runs', schema: runListSchema }, 400: { description: 'malformed parameters' } },
      async handle(c, { query }) {
        const records = await store.listRuns({
          limit: query.limit,
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.before === undefined ? {} : { before: new Date(query.before) }),
        });
        return c.json({ runs: records.map((run) => runView(run, runs.isActive(run.id))) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/{id}',
      summary: "A run: its steps with timings, and for the steps that did not succeed their error, inputs, log tail and blocking checks",
      tag: 'runs',
      role: 'viewer',
      params: idParams,
      responses: { 200: { description: 'the run', schema: runDetailSchema }, 400: { description: 'a malformed id' }, 404: { description: 'unknown run' } },
      async handle(c, { params }) {
        const run = await store.getRun(params.id);
        if (!run) throw notFound(`unknown run "${params.id}"`);
        const steps = await store.listSteps(run.id);
        const counts: Record<string, number> = {};
        for (const step of steps) counts[step.status] = (counts[step.status] ?? 0) + 1;
        const views = [];
        for (const step of steps) {
          const checks = step.status === 'blocked-by-check' ? await store.listCheckResults({ stepId: step.id, limit: 100 }) : [];
          views.push(stepView(step, PROBLEMS.has(step.status), checks));
        }
        return c.json({ run: runView(run, runs.isActive(run.id)), counts, steps: views });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/{id}/steps/{stepId}',
      summary: 'One step, with its log tail and check results',
      tag: 'runs',
      role: 'viewer',
      params: z.object({ id: idSchema, stepId: idSchema }),
      responses: { 200: { description: 'the step', schema: stepViewSchema }, 400: { description: 'a malformed id' }, 404: { description: 'unknown run or step' } },
      async handle(c, { params }) {
        const step = await store.getStep(params.stepId);
        if (!step || step.runId !== params.id) throw notFound(`run "${params.id}" has no step "${params.stepId}"`);
        return c.json(stepView(step, true, await store.listCheckResults({ stepId: step.id, limit: 100 })));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/materialize',
      summary: 'Launch a run: a selection, plus a partition (a key or a date) or a date range, optionally filtered by dimension',
      tag: 'runs',
      role: 'operator',
      audit: 'materialize',
      body: materializeRequestSchema,
      responses: { 202: launched, ...refused },
      async handle(c, { body }) {
        selectAssets(definitions, body.selection);
        const caller = c.get('caller')!;
        const { runId, steps } = await runs.launch({ selection: body.selection, partitions: partitionRequest(body, clock.now()), force: body.force, actor: caller.name });
        c.set('auditSubject', { runId });
        return c.json({ runId, steps, backfillId: null, retryOf: null }, 202);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/backfills',
      summary: 'Backfills, newest first',
      tag: 'runs',
      role: 'viewer',
      query: z.object({ limit: intParam(1, 500, 50) }).strict(),
      responses: { 200: { description: 'the backfills', schema: backfillListSchema } },
      async handle(c, { query }) {
        return c.json({ backfills: (await store.listBackfills({ limit: query.limit })).map(backfillView) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/backfills',
      summary: 'Launch a recorded backfill of a selection over a date range',
      tag: 'runs',
      role: 'operator',
      audit: 'backfill',
      body: backfillRequestSchema,
      responses: { 202: launched, ...refused },
      async handle(c, { body }) {
        selectAssets(definitions, body.selection);
        const caller = c.get('caller')!;
        const partitions = partitionRequest(body, clock.now());
        const backfill = await store.createBackfill({
          selection: body.selection,
          partitionRequest: JSON.parse(JSON.stringify(partitions)) as JsonObject,
          status: 'running',
          triggeredBy: caller.name,
          actor: caller.name,
        });
        const finish = async (status: 'completed' | 'failed' | 'cancelled', message?: string) =>
          void (await store.updateBackfill({ backfillId: backfill.id, status, actor: caller.name, ...(message === undefined ? {} : { message }) }));
        let launch;
        try {
          launch = await runs.launch({
            selection: body.selection,
            partitions,
            force: body.force,
            actor: caller.name,
            trigger: 'backfill',
            backfillId: backfill.id,
            onFinished: (summary) => finish(...backfillOutcome(summary)),
          });
        } catch (error) {
          await finish('failed', error instanceof Error ? error.message : String(error));
          throw error;
        }
        c.set('auditSubject', { runId: launch.runId });
        return c.json({ runId: launch.runId, steps: launch.steps, backfillId: backfill.id, retryOf: null }, 202);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/{id}/cancel',
      summary: 'Cancel a run in progress in this server: running steps are aborted and nothing new starts',
      tag: 'runs',
      role: 'operator',
      audit: 'cancel',
      params: idParams,
      responses: {
        202: { description: 'cancelling', schema: cancelResponseSchema },
        ...refused,
        404: { description: 'unknown run' },
        409: { description: 'the run is not running in this server' },
      },
      async handle(c, { params }) {
        c.set('auditSubject', { runId: params.id });
        const run = await store.getRun(params.id);
        if (!run) throw notFound(`unknown run "${params.id}"`);
        if (!runs.cancel(run.id)) throw new HttpError(409, 'conflict', `run ${run.id} is ${run.status} and not running in this server; nothing to cancel`);
        return c.json({ runId: run.id, cancelling: true }, 202);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/runs/{id}/retry-failed',
      summary: "Rerun a run's failed steps and those that did not run because of them, over the run's partition request",
      tag: 'runs',
      role: 'operator',
      audit: 'retry-failed',
      params: idParams,
      responses: { 202: launched, ...refused, 404: { description: 'unknown run' }, 409: { description: 'the run is still running, or has no failed steps' } },
      async handle(c, { params }) {
        c.set('auditSubject', { runId: params.id });
        const run = await store.getRun(params.id);
        if (!run) throw notFound(`unknown run "${params.id}"`);
        if (runs.isActive(run.id)) throw new HttpError(409, 'conflict', `run ${run.id} is still running; cancel it or wait for it to end`);
        const failed = (await store.listSteps(run.id)).filter((step) => RETRIED.has(step.status));
        if (failed.length === 0) throw new HttpError(409, 'conflict', `run ${run.id} has no failed, blocked, upstream-failed or cancelled steps to retry`);
        const selection = [...new Set(failed.map((step) => step.asset))].join(',');
        const caller = c.get('caller')!;
        // Planned over the original request, only what is not fresh now runs: the failures and what they held up.
        const { runId, steps } = await runs.launch({ selection, partitions: run.partitionRequest as PartitionRequest, actor: caller.name, trigger: 'retry' });
        return c.json({ runId, steps, backfillId: null, retryOf: run.id }, 202);
      },
    }),
  ];
}

/** A backfill's status after its run, as `daybook backfill` decides it: steps left waiting keep it resumable. */
function backfillOutcome(summary: RunSummary): ['completed' | 'failed' | 'cancelled', string?] {
  const waiting = summary.byStatus.waiting ?? 0;
  if (summary.status === 'cancelled') return ['cancelled'];
  if (summary.status === 'failed' || waiting > 0) return waiting > 0 ? ['failed', `${waiting} steps waiting for input`] : ['failed'];
  return ['completed'];
}
