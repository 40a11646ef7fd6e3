// The catalog UI in a real browser (Debian's chromium through playwright-core) against the real
// server on 127.0.0.1, a real PGlite store and NorthBridge materialized by the real engine: browse,
// search, open an asset, read its lineage and partition grid, rematerialize one partition as an
// operator and watch it finish through live events. Screenshots go to test/artifacts/.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetList, AuditPage, CreatedToken, RunDetail, SlaBoard } from '../../server/api-types.ts';
import { xnys } from '../../calendars/index.ts';
import { generateLanding } from '../../assets/northbridge/generator/index.ts';
import { northbridge } from '../../assets/northbridge/index.ts';
import { defineDefinitions } from '../../framework/definitions/definitions.ts';
import { materialize, type RunSummary } from '../../framework/executor/materialize.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { ensureAdminToken } from '../../server/auth.ts';
import { listen, type RunningServer } from '../../server/serve.ts';
import { statusColour } from '../../ui/src/status.ts';
import { ARTIFACTS, openChromium, type TestBrowser } from '../support/chromium.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';

/** Four sessions are landed; the fifth ended session (2026-11-20) is left missing. */
const FROM = '2026-11-16';
const TO = '2026-11-19';
const BLOCKED = '2026-11-19|GSCO';
const TARGET = '2026-11-18|PF002';

let engine: TestEngine;
let app: DaybookApp;
let server: RunningServer;
let browser: TestBrowser;
let page: Page;
let operatorToken: string;
let firstRun: RunSummary;

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The centre of a grid cell, from the geometry the grid writes on its canvas at each draw. */
async function cellCentre(column: number, row: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('partition-grid');
  const box = (await canvas.boundingBox())!;
  const geometry = await canvas.evaluate((node) => ({ ...(node as HTMLCanvasElement).dataset }));
  const perCell = Number(geometry.columnsPerCell);
  expect(perCell, 'the grid shows one column per date at this size').toBe(1);
  return {
    x: box.x + Number(geometry.left) + (column - Number(geometry.firstColumn) + 0.5) * Number(geometry.cellWidth),
    y: box.y + Number(geometry.top) + (row + 0.5) * Number(geometry.cellHeight),
  };
}

/** Points at a grid cell and reads the tooltip. */
async function hoverCell(column: number, row: number, tooltip: string): Promise<void> {
  const { x, y } = await cellCentre(column, row);
  await page.mouse.move(x, y);
  await expect.poll(() => page.locator('.tooltip').textContent()).toBe(tooltip);
}

/** How many canvas pixels have exactly each colour. */
async function pixelCounts<K extends string>(colours: Record<K, string>): Promise<Record<K, number>> {
  return page.getByTestId('partition-grid').evaluate((node, wanted: Record<string, string>) => {
    const canvas = node as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts: Record<string, number> = {};
    for (const [name, hex] of Object.entries(wanted)) {
      const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
      counts[name] = n;
    }
    return counts as Record<K, number>;
  }, colours);
}

beforeAll(async () => {
  engine = await openTestEngine({ definitions: defineDefinitions(northbridge) });
  await generateLanding({ root: engine.landing, from: FROM, to: TO, scale: 0.2, seed: 11 });
  // GSCO sends a file with a duplicated execution on the 19th: a blocking check stops it and what reads it.
  const gsco = join(engine.landing, `executions/GSCO/${TO}.csv`);
  const lines = (await readFile(gsco, 'utf8')).split('\n');
  await writeFile(gsco, [...lines.slice(0, 4), lines[3], ...lines.slice(4)].join('\n'));
  firstRun = await materialize(engine, { partitions: { from: FROM, to: TO } });
  expect(firstRun.status).toBe('failed');

  // As `daybook serve` does: the admin token exists before the app loads its token table.
  const admin = await ensureAdminToken(engine.store, 'test/ui/browser');
  app = await createApp({ engine, calendars: [xnys()], anonymousReads: true });
  server = await listen(app, { port: 0, host: '127.0.0.1' });
  const created = await api<CreatedToken>('/api/tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin!.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ui-operator', role: 'operator' }),
  });
  operatorToken = created.token;

  browser = await openChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  await engine?.close();
});

describe('the catalog UI in chromium', () => {
  it('lists every asset with its status, and narrows the list to what a search finds', async () => {
    await page.goto(`${server.url}/`);
    const rows = page.locator('a.asset-key');
    await expect.poll(() => rows.count()).toBe(12);
    await expect.poll(() => page.locator('.live.on').count(), { message: 'the live connection is up' }).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'catalog.png'), fullPage: true });

    await page.getByLabel('search assets').fill('positions');
    const wanted = await api<AssetList>('/api/assets?q=positions');
    expect(wanted.assets.map((asset) => asset.key)).toContain('northbridge/positions');
    expect(wanted.total).toBeLessThan(12);
    await expect.poll(() => rows.allTextContents()).toEqual(wanted.assets.map((asset) => asset.key));
    expect(page.url()).toContain('#/?q=positions');
  });

  it('opens an asset page with its lineage graph and a partition grid showing real statuses', async () => {
    await page.locator('a.asset-key', { hasText: /^northbridge\/positions$/ }).click();
    await page.getByTestId('asset-title').waitFor();
    expect(page.url()).toContain('#/assets/northbridge/positions');

    const graph = page.getByTestId('lineage-graph');
    await graph.waitFor();
    for (const key of ['northbridge/executions', 'northbridge/positions', 'northbridge/pnl', 'northbridge/risk-positions-file']) {
      expect(await graph.locator(`a[data-asset="${key}"]`).count(), key).toBe(1);
    }
    expect(await graph.locator('.node-focus').getAttribute('data-asset')).toBe('northbridge/positions');
    expect(await graph.locator('path.edge').count()).toBeGreaterThanOrEqual(3);

    // Five ended sessions × five portfolios: the first three sessions are fresh; GSCO's blocked file
    // held back every portfolio on the 19th, and nothing has landed for the 20th.
    const grid = page.getByTestId('partition-grid');
    await grid.waitFor();
    await expect.poll(() => grid.evaluate((node) => (node as HTMLCanvasElement).dataset.columns)).toBe('5');
    const pixels = await pixelCounts({ fresh: statusColour('fresh'), missing: statusColour('missing'), failed: statusColour('failed') });
    expect(pixels.missing).toBeGreaterThan(0);
    expect(pixels.fresh / pixels.missing).toBeCloseTo(15 / 10, 1);
    expect(pixels.failed).toBe(0);
    await hoverCell(4, 0, 'date 2026-11-20, portfolio PF001: 1 missing');
    await hoverCell(2, 2, 'date 2026-11-18, portfolio PF003: 1 fresh');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(ARTIFACTS, 'asset.png'), fullPage: true });

    // A click on a box opens that asset; its grid (dates × brokers) shows GSCO's failed partition.
    await graph.locator('a[data-asset="northbridge/executions"]').click();
    await expect.poll(() => page.getByTestId('asset-title').textContent()).toContain('northbridge/executions');
    await expect.poll(() => page.getByTestId('partition-grid').evaluate((node) => (node as HTMLCanvasElement).dataset.rows)).toBe('3');
    expect((await pixelCounts({ failed: statusColour('failed') })).failed).toBeGreaterThan(0);
    await hoverCell(3, 0, `date 2026-11-19, broker GSCO: 1 failed`);
    await page.goBack();
    await expect.poll(() => page.getByTestId('asset-title').textContent()).toContain('northbridge/positions');
  });

  it('rematerializes one partition as an operator and shows the run finishing from live events', async () => {
    await page.getByRole('link', { name: 'Rematerialize…' }).click();
    await page.getByLabel('bearer token').fill(operatorToken);
    await page.getByRole('button', { name: 'Save token' }).click();
    await expect.poll(() => page.getByTestId('whoami').textContent()).toContain('ui-operator (operator)');

    await page.getByTestId('partition-grid').waitFor();
    await expect.poll(() => page.getByTestId('partition-grid').evaluate((node) => (node as HTMLCanvasElement).dataset.columns)).toBe('5');
    const cell = await cellCentre(2, 1);
    await page.mouse.click(cell.x, cell.y);
    await expect.poll(() => page.getByTestId('selection-summary').textContent()).toBe(`One run: northbridge/positions: ${TARGET} (forced)`);

    const events: string[] = [];
    page.on('request', (request) => request.url().endsWith('/api/events') && events.push(request.headers().authorization ?? ''));
    const launched = page.waitForResponse((response) => response.url().endsWith('/api/materialize') && response.request().method() === 'POST');
    await page.getByTestId('launch').click();
    const response = await launched;
    expect(response.status()).toBe(202);
    expect(response.request().headers().authorization).toBe(`Bearer ${operatorToken}`);
    const { runId } = (await response.json()) as { runId: string };

    await expect.poll(() => page.getByTestId('tracked-run-status').textContent(), { timeout: 30_000 }).toBe('succeeded');
    // The event log is written only from /api/events: the step's progress arrived live.
    const log = await page.getByTestId('event-log').textContent();
    expect(log).toContain(`step northbridge/positions[${TARGET}] running`);
    expect(log).toContain(`step northbridge/positions[${TARGET}] succeeded`);
    expect(log).toContain(`run ${runId.slice(0, 8)} succeeded`);
    await page.screenshot({ path: join(ARTIFACTS, 'rematerialize.png'), fullPage: true });

    const detail = await api<RunDetail>(`/api/runs/${runId}`);
    expect(detail.run).toMatchObject({ status: 'succeeded', triggeredBy: 'ui-operator', selection: 'northbridge/positions' });
    expect(detail.steps.map((step) => [step.asset, step.partition, step.status, step.reason])).toEqual([['northbridge/positions', TARGET, 'succeeded', 'forced']]);
    const audit = await api<AuditPage>(`/api/audit?action=api.materialize&actor=ui-operator`);
    expect(audit.events.map((event) => event.payload.status)).toEqual([202]);
    expect(events, 'no second event stream was opened for the page').toEqual([]);
  });

  it('shows the SLA board of a day with the states the freshness API reports', async () => {
    const board = await api<SlaBoard>('/api/sla?date=2026-11-19');
    expect(board.items.map((item) => item.asset).sort()).toEqual(['northbridge/finance-pnl-file', 'northbridge/risk-positions-file']);
    await page.goto(`${server.url}/#/sla?date=2026-11-19`);
    for (const item of board.items) {
      const row = page.locator('tr', { has: page.locator(`a[href="#/assets/${item.asset}"]`) });
      await expect.poll(() => row.locator('[data-sla]').getAttribute('data-sla')).toBe(item.state);
      expect(await row.textContent()).toContain(item.localDeadline);
    }
  });

  it('shows a run page with its timeline and the context of the step a check blocked', async () => {
    await page.goto(`${server.url}/#/runs/${firstRun.runId}`);
    await page.getByTestId('gantt').waitFor();
    expect(await page.getByTestId('run-status').textContent()).toBe('failed');
    // A bar for each step that ran, a mark for each step held back without running.
    const detail = await api<RunDetail>(`/api/runs/${firstRun.runId}`);
    const ran = detail.steps.filter((step) => step.startedAt !== null).length;
    expect(ran).toBe(firstRun.steps - firstRun.byStatus['blocked-by-check']! + 1);
    expect(await page.locator('svg.gantt rect.bar').count()).toBe(ran);
    expect(await page.locator('svg.gantt path.mark').count()).toBe(firstRun.steps - ran);

    const blocked = page.locator('.failed-step', { hasText: 'unique_exec_id_version' });
    await expect.poll(() => blocked.count()).toBe(1);
    const text = await blocked.textContent();
    expect(text).toContain(BLOCKED);
    expect(text).toContain('unique_exec_id_version');
    expect(text).toContain('occurrences');
    await page.screenshot({ path: join(ARTIFACTS, 'run.png'), fullPage: true });
  });
});
