// GET /api/audit/report on NorthBridge materialized at set times (real DuckDB and PGlite): the JSON is
// what auditReport() gives on the same store, the CSV is auditReportCsv()'s as an attachment, the
// range defaults to the server clock's last 30 days, readers need a viewer token, and bad input is
// refused with the usual error shape. The report's SQL is the framework's, tested on PostgreSQL in
// test/framework/audit/report.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import { auditReport, auditReportCsv, type AuditReport as FrameworkReport } from '../../framework/index.ts';
import type { ApiError, AuditReport } from '../../server/api-types.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { generateToken } from '../../server/auth.ts';
import { auditReportSchema } from '../../server/schemas/audit.ts';
import { openAuditReportPipeline, REPORT_NOW, REPORT_SESSIONS, RERUN, type AuditReportPipeline } from '../support/audit-report-pipeline.ts';
import { json } from './harness.ts';

let pipeline: AuditReportPipeline;
let app: DaybookApp;
let viewer: string;

beforeAll(async () => {
  pipeline = await openAuditReportPipeline();
  const { token, hash, prefix } = generateToken();
  await pipeline.engine.store.createApiToken({ name: 'auditor', role: 'viewer', tokenHash: hash, prefix }, { actor: 'test' });
  viewer = token;
  app = await createApp({ engine: pipeline.engine, calendars: [xnys()], clock: pipeline.clock, ui: async () => new Map() });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await pipeline?.close();
});

const get = (path: string, token: string | null = viewer) => app.request(path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
const expected = async (from: string, to: string): Promise<FrameworkReport> =>
  auditReport({ store: pipeline.engine.store, definitions: pipeline.engine.definitions, calendars: [xnys()], from, to, now: REPORT_NOW });
/** The report as it travels: JSON has no `undefined` and no readonly. */
const asJson = (report: FrameworkReport) => JSON.parse(JSON.stringify(report)) as AuditReport;

describe('GET /api/audit/report', () => {
  it('answers what auditReport() gives on the same store, over the 30 days ending today by the server clock', async () => {
    const response = await get('/api/audit/report');
    expect(response.status).toBe(200);
    const body = await json<AuditReport>(response);
    expect(body).toEqual(asJson(await expected('2026-10-20', '2026-11-18')));
    expect(auditReportSchema.parse(body), 'the schema describes every field').toEqual(body);
    // The figures themselves, so an empty report equal to an empty report cannot pass.
    const row = (asset: string, session: string) => body.rows.find((r) => r.asset === asset && r.session === session)!;
    const [monday, tuesday] = REPORT_SESSIONS;
    expect(new Set(body.rows.map((r) => r.session))).toEqual(new Set(REPORT_SESSIONS));
    expect(row('northbridge/risk-positions-file', monday).sla).toMatchObject({ outcome: 'met', deadline: '2026-11-17T11:30:00.000Z', readyAt: '2026-11-17T10:00:00.000Z' });
    expect(row('northbridge/risk-positions-file', tuesday)).toMatchObject({ materializations: 0, sla: { outcome: 'missed', readyAt: null } });
    // The duplicate fails the broker file's blocking check (a check of the source), and so GSCO's executions step.
    expect(row('northbridge/broker-executions', tuesday)).toMatchObject({ checksFailed: 1, checksFailedBlocking: 1 });
    expect(row('northbridge/executions', tuesday)).toMatchObject({ failures: 1 });
    expect(row(RERUN.asset, monday)).toMatchObject({
      partitions: 5,
      materializations: 6,
      rerunReasons: { forced: 1 },
      reruns: [{ partition: RERUN.partition, reason: 'forced', note: RERUN.note, triggeredBy: RERUN.actor, runId: pipeline.runs.rerun.runId, status: 'succeeded' }],
      triggeredBy: [RERUN.actor, 'scheduler'],
    });
  });

  it('takes a range and one asset; `from` defaults to 29 days before `to`', async () => {
    const [monday, tuesday] = REPORT_SESSIONS;
    const body = await json<AuditReport>(await get(`/api/audit/report?from=${tuesday}&to=${tuesday}&asset=northbridge%2Fexecutions`));
    const full = await expected(tuesday, tuesday);
    expect(body).toEqual(asJson({ ...full, rows: full.rows.filter((r) => r.asset === 'northbridge/executions') }));
    expect(body.rows).toHaveLength(1);
    expect((await json<AuditReport>(await get(`/api/audit/report?to=${monday}`))).from).toBe('2026-10-18');
    // A defined asset with nothing in the range is an empty report, not an error.
    expect((await json<AuditReport>(await get('/api/audit/report?from=2026-11-01&to=2026-11-13&asset=northbridge/pnl'))).rows).toEqual([]);
  });

  it('answers CSV as an attachment with format=csv: the lines of daybook audit report', async () => {
    const [monday, tuesday] = REPORT_SESSIONS;
    const response = await get(`/api/audit/report?from=${monday}&to=${tuesday}&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="audit-report_${monday}_${tuesday}.csv"`);
    const text = await response.text();
    expect(text).toBe(auditReportCsv(await expected(monday, tuesday)));
    expect(text.split('\r\n').find((line) => line.startsWith(`${RERUN.asset},${monday},`))).toContain(`,forced:1,${RERUN.actor},${RERUN.note},`);

    const one = await get(`/api/audit/report?from=${monday}&to=${tuesday}&asset=northbridge/risk-positions-file&format=csv`);
    expect(one.headers.get('content-disposition')).toBe(`attachment; filename="audit-report_northbridge_risk-positions-file_${monday}_${tuesday}.csv"`);
    expect((await one.text()).trimEnd().split('\r\n').map((line) => line.split(',').at(-1))).toEqual(['sla_outcome', 'met', 'missed']);
  });

  it('needs a viewer token when reads are not open, like every read', async () => {
    const response = await get('/api/audit/report', null);
    expect(response.status).toBe(401);
    expect((await json<ApiError>(response)).error.code).toBe('unauthorized');
  });

  it('refuses bad dates, a reversed or too long range, a bad format and unknown assets, naming the field', async () => {
    const cases: [string, number, string, RegExp][] = [
      ['from=2026-02-30', 400, 'invalid-request', /^query field "from": not a calendar date/],
      ['to=20261118', 400, 'invalid-request', /^query field "to": expected YYYY-MM-DD/],
      ['from=2026-11-18&to=2026-11-16', 400, 'invalid-request', /^query field "from": 2026-11-18 is after "to" 2026-11-16/],
      ['from=2025-01-01&to=2026-11-18', 400, 'invalid-request', /spans 687 days; at most 366 per request/],
      ['format=xml', 400, 'invalid-request', /^query field "format": /],
      ['sessions=2', 400, 'invalid-request', /^query: Unrecognized key: "sessions"/],
      ['asset=Northbridge/Positions', 400, 'invalid-request', /^query field "asset": malformed asset key/],
      ['asset=northbridge/positons', 404, 'unknown-asset', /^unknown asset "northbridge\/positons"; did you mean "northbridge\/positions"\?/],
    ];
    for (const [query, status, code, message] of cases) {
      const response = await get(`/api/audit/report?${query}`);
      expect(response.status, query).toBe(status);
      const { error } = await json<ApiError>(response);
      expect(error.code, query).toBe(code);
      expect(error.message, query).toMatch(message);
    }
  });

  it('is in the OpenAPI document with its parameters and the report schema', async () => {
    const document = await json<{ paths: Record<string, { get: { parameters: { name: string }[]; 'x-daybook-role': string; responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }> }>(
      await get('/api/openapi.json'),
    );
    const operation = document.paths['/api/audit/report']!.get;
    expect(operation.parameters.map((p) => p.name)).toEqual(['from', 'to', 'asset', 'format']);
    expect(operation['x-daybook-role']).toBe('viewer');
    expect(operation.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/AuditReport' });
  });
});
