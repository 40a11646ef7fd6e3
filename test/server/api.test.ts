// The read API on NorthBridge materialized for real: catalog, partitions, freshness, lineage, runs,
// audit, metrics and the OpenAPI document, and how it answers bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetail, AssetList, AuditPage, Freshness, FreshnessBatch, PartitionGrid, PartitionLineage, PartitionsResponse, AssetLineage, RunDetail, RunList, ApiError, SlaBoard } from '../../server/api-types.ts';
import { json, openServerHarness, SESSIONS, type ServerHarness } from './harness.ts';

let h: ServerHarness;
beforeAll(async () => {
  h = await openServerHarness({ anonymousReads: true });
});
afterAll(async () => {
  await h?.close();
});

const [MONDAY, TUESDAY] = SESSIONS;

describe('catalog', () => {
  it('lists every asset with its status counts and the freshness of its latest session', async () => {
    const { assets, total } = await json<AssetList>(await h.request('/api/assets'));
    expect(total).toBe(12);
    expect(assets.map((asset) => asset.key)).toEqual(h.engine.definitions.assets.map((asset) => asset.key));
    const positions = assets.find((asset) => asset.key === 'northbridge/positions')!;
    expect(positions).toMatchObject({
      kind: 'asset',
      group: 'positions',
      partitionsKind: 'multi',
      dimensions: ['date', 'portfolio'],
      partitions: { expected: 10, counts: { fresh: 10, stale: 0, missing: 0, failed: 0, running: 0 } },
      freshness: { partition: TUESDAY, status: 'fresh', partitions: 5 },
    });
  });

  it('filters by group, owner, tag, kind, text and status', async () => {
    const keys = async (query: string) => (await json<AssetList>(await h.request(`/api/assets?${query}`))).assets.map((asset) => asset.key);
    expect(await keys('group=publish')).toEqual(['northbridge/risk-positions-file', 'northbridge/finance-pnl-file']);
    expect(await keys('owner=team:finance')).toEqual(['northbridge/finance-pnl-file']);
    expect(await keys('tag=consumer=risk')).toEqual(['northbridge/risk-positions-file']);
    expect(await keys('kind=source&q=fx')).toEqual(['northbridge/fx-rates-file']);
    expect(await keys('status=missing')).toEqual([]);
    expect(await keys('status=fresh')).toHaveLength(12);
  });

  it('gives an asset the same detail whether its key is URL-encoded or a plain path', async () => {
    const encoded = await json<AssetDetail>(await h.request('/api/assets/northbridge%2Fpnl'));
    const plain = await json<AssetDetail>(await h.request('/api/assets/northbridge/pnl'));
    expect(plain).toEqual(encoded);
    expect(encoded.deps).toContainEqual({ asset: 'northbridge/positions', as: 'previous_positions', declared: true, mapping: expect.objectContaining({ kind: 'dimensions' }) });
    expect(encoded.dependents.map((edge) => edge.asset)).toEqual(['northbridge/finance-pnl-file']);
    expect(encoded.materializations).toHaveLength(10);
    const stored = await h.engine.store.currentMaterializations('northbridge/pnl', { partitions: [`${TUESDAY}|PF003`] });
    expect(encoded.materializations.find((m) => m.partition === `${TUESDAY}|PF003`)).toMatchObject({ dataVersion: stored[0]!.dataVersion, seq: stored[0]!.seq });
  });

  it("shows a published asset's checks, targets and SLA", async () => {
    const detail = await json<AssetDetail>(await h.request('/api/assets/northbridge/finance-pnl-file'));
    expect(detail.checks.definitions.map((check) => check.name)).toHaveLength(3);
    expect(detail.checks.latest.every((result) => result.passed)).toBe(true);
    expect(detail.checks.latest.length).toBeGreaterThanOrEqual(6);
    expect(detail.publish).toEqual(['warehouse']);
    expect(detail.publishes.map((p) => p.partition).sort()).toEqual([...SESSIONS]);
    expect(detail.sla).toEqual({
      deadline: '06:30',
      tz: 'America/New_York',
      calendar: 'XNYS',
      partition: 'previousSession',
      weekday: null,
      status: { deadline: '2026-11-18T11:30:00.000Z', state: 'met' },
    });
  });
});

describe('partitions', () => {
  it('counts statuses as ranges and pages partitions newest first, with data versions', async () => {
    const body = await json<PartitionsResponse>(await h.request('/api/assets/northbridge/positions/partitions?limit=3'));
    expect(body).toMatchObject({ asset: 'northbridge/positions', expected: 10, counts: { fresh: 10 }, ranges: [{ start: 0, end: 10, status: 'fresh' }], rangesTruncated: false });
    expect(body.dimensions.map((d) => [d.name, d.keys?.length ?? null])).toEqual([
      ['date', null],
      ['portfolio', 5],
    ]);
    expect(body.page.items.map((item) => item.partition)).toEqual([`${TUESDAY}|PF005`, `${TUESDAY}|PF004`, `${TUESDAY}|PF003`]);
    const [stored] = await h.engine.store.currentMaterializations('northbridge/positions', { partitions: [`${TUESDAY}|PF005`] });
    expect(body.page.items[0]).toMatchObject({ index: 9, status: 'fresh', reason: null, dataVersion: stored!.dataVersion, materializedAt: stored!.createdAt.toISOString() });
    const oldest = await json<PartitionsResponse>(await h.request('/api/assets/northbridge%2Fpositions/partitions?order=asc&offset=1&limit=1'));
    expect(oldest.page.items.map((item) => item.partition)).toEqual([`${MONDAY}|PF002`]);
    const failed = await json<PartitionsResponse>(await h.request('/api/assets/northbridge/positions/partitions?status=failed'));
    expect(failed.page).toMatchObject({ total: 0, items: [] });
  });

  it('draws the grid as one character per partition, sessions not yet ended as "-"', async () => {
    const grid = await json<PartitionGrid>(await h.request('/api/assets/northbridge/pnl/partitions/grid?limit=15'));
    expect(grid).toMatchObject({ asset: 'northbridge/pnl', offset: 0, count: 15, codes: 'ffffffffff-----' });
  });
});

describe('freshness', () => {
  it('defaults to the latest expected session, covering its portfolios', async () => {
    const freshness = await json<Freshness>(await h.request('/api/freshness/northbridge/pnl'));
    expect(freshness).toMatchObject({ asset: 'northbridge/pnl', partition: TUESDAY, status: 'fresh', checks: 'none', sla: null, partitions: 5 });
    expect(freshness.dataVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers for one partition with its stored data version and time', async () => {
    const freshness = await json<Freshness>(await h.request(`/api/freshness/northbridge%2Fpositions?partition=${encodeURIComponent(`${MONDAY}|PF002`)}`));
    const [stored] = await h.engine.store.currentMaterializations('northbridge/positions', { partitions: [`${MONDAY}|PF002`] });
    expect(freshness).toEqual({
      asset: 'northbridge/positions',
      partition: `${MONDAY}|PF002`,
      status: 'fresh',
      dataVersion: stored!.dataVersion,
      materializedAt: stored!.createdAt.toISOString(),
      checks: 'passed',
      sla: null,
      partitions: 1,
    });
  });

  it('gives the SLA deadline of the session: 06:30 New York on the next session', async () => {
    const monday = await json<Freshness>(await h.request(`/api/freshness/northbridge/risk-positions-file?partition=${MONDAY}`));
    // The deadline has passed on the harness's clock: met only if the store recorded it by then.
    const [stored] = await h.engine.store.currentMaterializations('northbridge/risk-positions-file', { partitions: [MONDAY] });
    const deadline = Date.parse('2026-11-17T11:30:00.000Z');
    expect(monday.sla).toEqual({ deadline: '2026-11-17T11:30:00.000Z', state: stored!.createdAt.getTime() <= deadline ? 'met' : 'missed' });
    const tuesday = await json<Freshness>(await h.request('/api/freshness/northbridge/risk-positions-file'));
    expect(tuesday.sla).toEqual({ deadline: '2026-11-18T11:30:00.000Z', state: 'met' });
  });

  it('answers for many assets at once, by selection', async () => {
    const { results } = await json<FreshnessBatch>(await h.request('/api/freshness?assets=group:publish,northbridge/prices'));
    expect(results.map((r) => [r.asset, r.partition, r.status])).toEqual([
      ['northbridge/prices', TUESDAY, 'fresh'],
      ['northbridge/risk-positions-file', TUESDAY, 'fresh'],
      ['northbridge/finance-pnl-file', TUESDAY, 'fresh'],
    ]);
  });

  it('shows the SLA board of the day', async () => {
    const board = await json<SlaBoard>(await h.request('/api/sla'));
    expect(board.date).toBe('2026-11-18');
    expect(board.items.map((item) => [item.asset, item.partition, item.deadline, item.localDeadline, item.state])).toEqual([
      ['northbridge/risk-positions-file', TUESDAY, '2026-11-18T11:30:00.000Z', '06:30 America/New_York', 'met'],
      ['northbridge/finance-pnl-file', TUESDAY, '2026-11-18T11:30:00.000Z', '06:30 America/New_York', 'met'],
    ]);
  });
});

describe('lineage', () => {
  it('returns the whole graph', async () => {
    const graph = await json<AssetLineage>(await h.request('/api/lineage'));
    expect(graph.nodes).toHaveLength(12);
    const edges = h.engine.definitions.assets.reduce((sum, _, id) => sum + h.engine.definitions.depsOf(id).length, 0);
    expect(graph.edges).toHaveLength(edges);
    expect(graph.edges).toContainEqual({ from: 'northbridge/positions', to: 'northbridge/positions', as: 'previous_positions', mapping: expect.objectContaining({ kind: 'dimensions' }) });
  });

  it("returns an asset's neighbourhood within a depth", async () => {
    const graph = await json<AssetLineage>(await h.request('/api/lineage/northbridge%2Fpnl?depth=1'));
    expect(graph.root).toBe('northbridge/pnl');
    expect(Object.fromEntries(graph.nodes.map((node) => [node.key, node.depth]))).toEqual({
      'northbridge/fx-rates': -1,
      'northbridge/executions': -1,
      'northbridge/positions': -1,
      'northbridge/prices': -1,
      'northbridge/pnl': 0,
      'northbridge/finance-pnl-file': 1,
    });
  });

  it('lists the exact input partitions and data versions that fed one partition, and what reads it', async () => {
    const partition = `${TUESDAY}|PF001`;
    const lineage = await json<PartitionLineage>(await h.request(`/api/lineage/northbridge/pnl?partition=${encodeURIComponent(partition)}&depth=1`));
    const [pnl] = await h.engine.store.currentMaterializations('northbridge/pnl', { partitions: [partition] });
    const inputs = lineage.edges.filter((edge) => edge.to.asset === 'northbridge/pnl');
    const consumed = Object.entries(pnl!.consumed).flatMap(([asset, versions]) => Object.entries(versions).map(([key, version]) => `${asset}[${key}] ${version}`));
    expect(inputs.map((edge) => `${edge.from.asset}[${edge.from.partition}] ${edge.consumedVersion}`).sort()).toEqual(consumed.sort());
    expect(inputs.map((edge) => edge.from.partition)).toContain(`${MONDAY}|PF001`);
    expect(inputs.every((edge) => edge.currentVersion === edge.consumedVersion)).toBe(true);
    const readers = lineage.edges.filter((edge) => edge.from.asset === 'northbridge/pnl');
    expect(readers.map((edge) => edge.to)).toEqual([{ asset: 'northbridge/finance-pnl-file', partition: TUESDAY }]);
    expect(readers[0]!.consumedVersion).toBe(pnl!.dataVersion);
    expect(lineage.nodes.find((node) => node.depth === 0)).toMatchObject({ asset: 'northbridge/pnl', partition, dataVersion: pnl!.dataVersion, status: 'fresh' });
  });
});

describe('runs and audit', () => {
  it('lists runs and shows one with its steps and timings', async () => {
    const { runs } = await json<RunList>(await h.request('/api/runs'));
    expect(runs.map((run) => run.id)).toContain(h.run.runId);
    const detail = await json<RunDetail>(await h.request(`/api/runs/${h.run.runId}`));
    expect(detail.run).toMatchObject({ id: h.run.runId, status: 'succeeded', active: false });
    expect(detail.counts).toEqual({ succeeded: h.run.steps });
    expect(detail.steps).toHaveLength(h.run.steps);
    expect(detail.steps.every((step) => step.durationMs !== null && step.logTail === null)).toBe(true);
    const step = detail.steps[0]!;
    const one = await json<RunDetail['steps'][number]>(await h.request(`/api/runs/${h.run.runId}/steps/${step.id}`));
    expect(one.logTail).toContain('wrote');
    expect(one.inputs.length).toBeGreaterThan(0);
  });

  it('pages audit events filtered by action and asset', async () => {
    const first = await json<AuditPage>(await h.request('/api/audit?action=asset.materialized&asset=northbridge%2Fpnl&limit=4'));
    expect(first.events.map((event) => [event.action, event.asset])).toEqual(Array(4).fill(['asset.materialized', 'northbridge/pnl']));
    const rest = await json<AuditPage>(await h.request(`/api/audit?action=asset.materialized&asset=northbridge%2Fpnl&afterSeq=${first.nextAfterSeq}`));
    expect(rest.events).toHaveLength(6);
    expect(rest.nextAfterSeq).toBeNull();
  });
});

describe('metrics and the OpenAPI document', () => {
  it('serves Prometheus text that parses, with partitions and SLA states per asset', async () => {
    const response = await h.request('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const samples = new Map<string, number>();
    for (const line of text.trim().split('\n')) {
      if (line.startsWith('#')) {
        expect(line).toMatch(/^# (HELP|TYPE) daybook_[a-z_]+ .+$/);
        continue;
      }
      const match = /^(daybook_[a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (-?[0-9.e+]+)$/.exec(line);
      expect(match, line).not.toBeNull();
      samples.set(match![1]!, Number(match![2]));
    }
    expect(samples.get('daybook_partitions{asset="northbridge/pnl",status="fresh"}')).toBe(10);
    expect(samples.get('daybook_sla_state{asset="northbridge/risk-positions-file",state="met"}')).toBe(1);
    expect(samples.get('daybook_queue_depth')).toBe(0);
  });

  it('lists every route in the OpenAPI document, with its parameters and schemas', async () => {
    const document = await json<{ openapi: string; paths: Record<string, Record<string, { parameters: { name: string }[]; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } }>(
      await h.request('/api/openapi.json'),
    );
    expect(document.openapi).toBe('3.1.0');
    const mounted = h.app.routes
      .filter((route) => route.method !== 'ALL' && route.path !== '/*')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual([...new Set(mounted)].sort());
    expect(document.paths['/api/assets/{key}/partitions']!.get!.parameters.map((p) => p.name)).toEqual(['key', 'status', 'order', 'offset', 'limit', 'maxRanges']);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Freshness', 'AssetDetail', 'PartitionView', 'MaterializeRequest', 'Error']));
  });
});

describe('bad input', () => {
  it('answers 404 for an unknown asset, with a suggestion, in every asset route', async () => {
    for (const path of ['/api/assets/northbridge/positons', '/api/assets/northbridge%2Fpositons/partitions', '/api/freshness/northbridge/positons', '/api/lineage/northbridge/positons']) {
      const response = await h.request(path);
      expect(response.status, path).toBe(404);
      expect((await json<ApiError>(response)).error.message).toBe('unknown asset "northbridge/positons"; did you mean "northbridge/positions"?');
    }
  });

  it('answers 400 naming the field for a malformed key, partition or query', async () => {
    const cases: [string, string, RegExp][] = [
      ['/api/assets/Northbridge%2FPnl', 'invalid-request', /^path field "key": malformed asset key/],
      ['/api/freshness/northbridge/pnl?partition=2026-11-19%7CPF009', 'invalid-partition-key', /partition "2026-11-19\|PF009" is not a key of/],
      ['/api/assets/northbridge/pnl/partitions?limit=0', 'invalid-request', /^query field "limit": /],
      ['/api/assets/northbridge/pnl/partitions?statuz=fresh', 'invalid-request', /^query: Unrecognized key: "statuz"/],
      ['/api/lineage/northbridge/pnl?partition=2026-11-17', 'invalid-partition-key', /partition "2026-11-17" is not a key of/],
      ['/api/runs/not-a-uuid', 'invalid-request', /^path field "id": expected a UUID/],
    ];
    for (const [path, code, message] of cases) {
      const response = await h.request(path);
      expect(response.status, path).toBe(400);
      const { error } = await json<ApiError>(response);
      expect(error.code, path).toBe(code);
      expect(error.message, path).toMatch(message);
    }
  });

  it('answers 400 with the zod issues for a malformed body, and 404 for an unknown run', async () => {
    const response = await h.request('/api/materialize', { method: 'POST', as: 'operator', body: { selection: '', partition: '2026-11-17', from: '2026-11-16', extra: 1 } });
    expect(response.status).toBe(400);
    const { error } = await json<ApiError>(response);
    expect(error.code).toBe('invalid-request');
    expect(error.issues!.map((issue) => [issue.path.join('.'), issue.code])).toEqual(
      expect.arrayContaining([
        ['selection', 'too_small'],
        ['', 'unrecognized_keys'],
      ]),
    );
    const notJson = await h.request('/api/materialize', { method: 'POST', as: 'operator', body: '{"selection":' });
    expect(notJson.status).toBe(400);
    expect((await json<ApiError>(notJson)).error.message).toMatch(/^body: not valid JSON/);
    expect((await h.request('/api/runs/01a20490-c490-7000-b336-6f19231af319')).status).toBe(404);
    expect((await h.request('/api/nothing-here')).status).toBe(404);
  });
});
