// The audit report page in a real browser (Debian's chromium through playwright-core) against the real
// server on 127.0.0.1, over NorthBridge materialized by the real engine at set times: the range comes
// from the server clock, the rows and totals are the API's, SLA outcomes are coloured, reruns name
// their reason and who triggered them, the CSV link downloads the report, and print hides the chrome.
// Screenshot: test/artifacts/audit-report.png.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import type { AuditReport } from '../../server/api-types.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { generateToken } from '../../server/auth.ts';
import { listen, type RunningServer } from '../../server/serve.ts';
import { statusColour } from '../../ui/src/status.ts';
import { openAuditReportPipeline, REPORT_SESSIONS, RERUN, type AuditReportPipeline } from '../support/audit-report-pipeline.ts';
import { ARTIFACTS, openChromium, type TestBrowser } from '../support/chromium.ts';

const [MONDAY, TUESDAY] = REPORT_SESSIONS;
/** The 30 days ending on the server clock's today, 2026-11-18. */
const DEFAULT_RANGE = { from: '2026-10-20', to: '2026-11-18' };

let pipeline: AuditReportPipeline;
let app: DaybookApp;
let server: RunningServer;
let browser: TestBrowser;
let page: Page;
let viewerToken: string;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** `#2f9e62` as the browser reports a computed colour. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

beforeAll(async () => {
  pipeline = await openAuditReportPipeline();
  const { token, hash, prefix } = generateToken();
  await pipeline.engine.store.createApiToken({ name: 'auditor', role: 'viewer', tokenHash: hash, prefix }, { actor: 'test' });
  viewerToken = token;
  app = await createApp({ engine: pipeline.engine, calendars: [xnys()], clock: pipeline.clock, anonymousReads: true });
  server = await listen(app, { port: 0, host: '127.0.0.1' });
  browser = await openChromium({ acceptDownloads: true });
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  await pipeline?.close();
});

describe('the audit report page in chromium', () => {
  it('opens from the nav on the last 30 days by the server clock, with a row per asset and session and the totals of the API', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Audit report' }).click();
    expect(page.url()).toContain('#/audit');
    const report = await api<AuditReport>('/api/audit/report');
    expect(report).toMatchObject(DEFAULT_RANGE);
    expect(report.rows.length).toBeGreaterThan(10);

    const rows = page.locator('section.panel').first().locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(report.rows.length);
    expect(await page.getByLabel('first session').inputValue()).toBe(DEFAULT_RANGE.from);
    expect(await page.getByLabel('last session').inputValue()).toBe(DEFAULT_RANGE.to);
    expect(page.url(), 'dates not picked stay out of the URL: a rolling bookmark').toMatch(/#\/audit$/);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(0, 5).map((td) => td.textContent)));
    expect(cells).toEqual(report.rows.map((row) => [row.asset, row.session, String(row.partitions), String(row.materializations), String(row.failures)]));

    const sum = (of: (row: AuditReport['rows'][number]) => number) => report.rows.reduce((total, row) => total + of(row), 0);
    const count = (name: string) => page.locator(`[data-count="${name}"]`).textContent();
    expect(await count('materializations')).toBe(`${sum((row) => row.materializations)} materializations`);
    expect(await count('reruns')).toBe('1 rerun');
    expect(sum((row) => row.checksFailed)).toBe(1);
    expect(await count('check failures')).toBe('1 check failure');
    expect(await count('failed steps')).toBe(`${sum((row) => row.failures)} failed steps`);
    expect(await count('sla met')).toBe('SLA met: 2');
    expect(await count('sla missed')).toBe('SLA missed: 2');
    await page.screenshot({ path: join(ARTIFACTS, 'audit-report.png'), fullPage: true });
  });

  it('colours SLA outcomes, met green and missed red, and lists the rerun with its reason and who triggered it', async () => {
    const slaCell = (session: string) =>
      page
        .locator('tbody tr', { has: page.getByRole('link', { name: 'northbridge/risk-positions-file', exact: true }) })
        .filter({ has: page.locator('code', { hasText: new RegExp(`^${session}$`) }) })
        .locator('[data-sla] .badge');
    await expect.poll(() => slaCell(MONDAY).textContent()).toBe('met');
    expect(await slaCell(MONDAY).evaluate((node) => getComputedStyle(node).backgroundColor)).toBe(rgb(statusColour('met')));
    expect(await slaCell(TUESDAY).textContent()).toBe('missed');
    expect(await slaCell(TUESDAY).evaluate((node) => getComputedStyle(node).backgroundColor)).toBe(rgb(statusColour('missed')));
    expect(statusColour('met')).not.toBe(statusColour('missed'));

    const rerun = page.locator('section.panel').nth(1).locator('tbody tr');
    expect(await rerun.count()).toBe(1);
    const texts = await rerun.locator('td').allTextContents();
    expect(texts.slice(0, 7)).toEqual([RERUN.asset, RERUN.partition, 'forced', RERUN.note, RERUN.actor, 'manual', 'succeeded']);
    expect(await rerun.getByRole('link').getAttribute('href')).toBe(`#/runs/${pipeline.runs.rerun.runId}`);
  });

  it('downloads the CSV of the range shown, and narrows to the dates picked', async () => {
    const link = page.getByTestId('download-csv');
    expect(await link.getAttribute('href')).toBe(`/api/audit/report?from=${DEFAULT_RANGE.from}&to=${DEFAULT_RANGE.to}&format=csv`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`audit-report_${DEFAULT_RANGE.from}_${DEFAULT_RANGE.to}.csv`);
    const csv = await (await fetch(`${server.url}${await link.getAttribute('href')}`)).text();
    expect(csv.trimEnd().split('\r\n')).toHaveLength(1 + (await api<AuditReport>('/api/audit/report')).rows.length);

    // With a token stored, the CSV is fetched with it: a refused token says so, a good one downloads.
    await page.evaluate(() => localStorage.setItem('daybook.token', 'dbk_not-a-token'));
    await link.click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/answered 401/);
    await page.evaluate((token) => localStorage.setItem('daybook.token', token), viewerToken);
    const [withToken] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(withToken.suggestedFilename()).toBe(download.suggestedFilename());
    expect(await readFile((await withToken.path())!, 'utf8')).toBe(csv);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.evaluate(() => localStorage.removeItem('daybook.token'));

    await page.getByLabel('first session').fill(TUESDAY);
    const sessions = page.locator('section.panel').first().locator('tbody tr td:nth-child(2)');
    await expect.poll(async () => new Set(await sessions.allTextContents())).toEqual(new Set([TUESDAY]));
    expect(page.url()).toContain(`from=${TUESDAY}&to=${DEFAULT_RANGE.to}`);
    expect(await link.getAttribute('href')).toBe(`/api/audit/report?from=${TUESDAY}&to=${DEFAULT_RANGE.to}&format=csv`);
    expect(await page.locator('[data-count="reruns"]').textContent()).toBe('0 reruns');

    // A reversed range shows the server's refusal, and no figures of the range before.
    await page.getByLabel('last session').fill(MONDAY);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(`query field "from": ${TUESDAY} is after "to" ${MONDAY}`);
    expect(await page.locator('[data-count]').count()).toBe(0);
  });

  it('prints the report without the nav and the controls', async () => {
    await page.getByRole('link', { name: 'Audit report' }).click();
    await expect.poll(() => page.locator('section.panel').first().locator('tbody tr').count()).toBeGreaterThan(10);
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.locator('header.topbar').isVisible()).toBe(false);
      expect(await page.getByTestId('download-csv').isVisible()).toBe(false);
      expect(await page.locator('section.panel').first().locator('tbody tr').first().isVisible()).toBe(true);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    expect(await page.locator('header.topbar').isVisible()).toBe(true);
  });
});
