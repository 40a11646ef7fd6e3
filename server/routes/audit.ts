// The audit log, filtered and paged, and the auditor's report.
import { z } from 'zod';
import { auditReport, auditReportCsv, DAY_MS, formatDay, tryParseDay, type AuditReport } from '../../framework/index.ts';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { HttpError } from '../http-error.ts';
import { auditPageSchema, auditReportSchema } from '../schemas/audit.ts';
import { assetKeySchema, idSchema, intParam } from '../schemas/params.ts';
import type { ServerServices } from '../services.ts';
import { auditEventView } from '../views.ts';

/** The range a report covers when the request names no dates: 30 days ending today. */
const DEFAULT_DAYS = 30;
/** The longest range one request may cover: a year; longer reports come from `daybook audit report`. */
const MAX_DAYS = 366;

const dayParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((text) => tryParseDay(text) !== undefined, 'not a calendar date');

/** GET /api/audit and GET /api/audit/report. */
export function auditRoutes({ engine, clock, calendars, archive }: ServerServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: 'Audit events in chain order, filtered by asset, partition, run, action or actor',
      tag: 'audit',
      role: 'viewer',
      query: z
        .object({
          asset: z.string().max(200).optional(),
          partition: z.string().max(400).optional(),
          runId: idSchema.optional(),
          action: z.string().max(200).optional(),
          actor: z.string().max(200).optional(),
          afterSeq: intParam(0, Number.MAX_SAFE_INTEGER, 0),
          limit: intParam(1, 1_000, 100),
        })
        .strict(),
      responses: { 200: { description: 'a page of events', schema: auditPageSchema }, 400: { description: 'malformed parameters' } },
      async handle(c, { query }) {
        const events = await engine.store.listAuditEvents(query);
        return c.json({ events: events.map(auditEventView), nextAfterSeq: events.length === query.limit ? events.at(-1)!.seq : null });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/report',
      summary: "The auditor's report per asset and session: materializations, checks, reruns with their reasons and who triggered them, SLA outcomes",
      description:
        'Sessions from `from` to `to` (inclusive, at most 366 days; by default the 30 days ending today in UTC by the server clock). ' +
        '`format=csv` answers `text/csv` as an attachment, one line per asset and session, with the columns of `daybook audit report`. ' +
        'Runs pruned from the store are not included; `daybook audit report` reads them from the exports.',
      tag: 'audit',
      role: 'viewer',
      query: z
        .object({
          from: dayParam.optional().describe('first session, YYYY-MM-DD; default 29 days before `to`'),
          to: dayParam.optional().describe('last session, YYYY-MM-DD; default today (UTC)'),
          asset: assetKeySchema.optional().describe('only this asset'),
          format: z.enum(['json', 'csv']).default('json'),
        })
        .strict(),
      responses: {
        200: { description: 'the report (JSON; CSV with format=csv)', schema: auditReportSchema },
        400: { description: 'malformed parameters, `from` after `to`, or more than 366 days' },
        404: { description: 'an asset that is neither defined nor in the report' },
      },
      async handle(c, { query }) {
        const { from, to } = reportRange(query.from, query.to, clock.now());
        const full = await auditReport({ store: engine.store, definitions: engine.definitions, calendars, from, to, now: clock.now(), ...(archive ? { archive, duckdb: engine.duckdb } : {}) });
        const report: AuditReport = query.asset === undefined ? full : { ...full, rows: full.rows.filter((row) => row.asset === query.asset) };
        // An asset no longer defined is known by its history; anything else gets the usual "did you mean".
        if (query.asset !== undefined && report.rows.length === 0) engine.definitions.get(query.asset);
        if (query.format === 'json') return c.json(report);
        const name = ['audit-report', ...(query.asset === undefined ? [] : [query.asset.replaceAll('/', '_')]), from, to].join('_');
        return c.body(auditReportCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
      },
    }),
  ];
}

/** The request's range, with the defaults filled in from today (UTC) by the server clock. */
function reportRange(from: string | undefined, to: string | undefined, now: number): { from: string; to: string } {
  const last = to === undefined ? Math.floor(now / DAY_MS) : tryParseDay(to)!;
  const first = from === undefined ? last - (DEFAULT_DAYS - 1) : tryParseDay(from)!;
  if (first > last) throw new HttpError(400, 'invalid-request', `query field "from": ${formatDay(first)} is after "to" ${formatDay(last)}`);
  if (last - first + 1 > MAX_DAYS) throw new HttpError(400, 'invalid-request', `query field "from": ${formatDay(first)} .. ${formatDay(last)} spans ${last - first + 1} days; at most ${MAX_DAYS} per request (daybook audit report has no limit)`);
  return { from: formatDay(first), to: formatDay(last) };
}
