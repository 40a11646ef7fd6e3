// The alerts page in a real browser (Debian's chromium through playwright-core) against the real server
// on 127.0.0.1, over alerts the alert manager stored (real PGlite): firing first with severity colours,
// filtered by state from the picker, and an alert's history opened on demand.
// Screenshot: test/artifacts/alerts.png.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xnys } from '../../calendars/index.ts';
import { createAlertManager, defineAsset, defineDefinitions, fixedClock, staticKeys } from '../../framework/index.ts';
import { createApp, type DaybookApp } from '../../server/app.ts';
import { listen, type RunningServer } from '../../server/serve.ts';
import { statusColour } from '../../ui/src/status.ts';
import { openTestEngine, type TestEngine } from '../support/test-engine.ts';
import { ARTIFACTS, openChromium, type TestBrowser } from '../support/chromium.ts';

const clock = fixedClock(Date.parse('2026-11-20T16:00:00Z'));
let engine: TestEngine;
let app: DaybookApp;
let server: RunningServer;
let browser: TestBrowser;
let page: Page;

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

beforeAll(async () => {
  engine = await openTestEngine({ definitions: defineDefinitions([defineAsset({ key: 'weekly/quality', partitions: staticKeys(['2026-11-15']), compute: 'select 1 as x' })]), clock });
  const alerts = createAlertManager({ store: engine.store });
  await alerts.fire({ key: 'queue-depth:redshift', kind: 'queue-depth', severity: 'warning', summary: 'pool redshift: 240 steps waiting' });
  await alerts.reconcile('queue-depth', []);
  await alerts.fire({ key: 'daemon-heartbeat:daemon@ops-1', kind: 'daemon-heartbeat', severity: 'critical', summary: 'daemon@ops-1: no heartbeat for 3m' });
  await alerts.fire({ key: 'sla:weekly/quality[2026-11-15]', kind: 'sla-at-risk', severity: 'warning', asset: 'weekly/quality', partition: '2026-11-15', summary: 'weekly/quality[2026-11-15] is at risk' });
  app = await createApp({ engine, calendars: [xnys()], clock, anonymousReads: true });
  server = await listen(app, { port: 0, host: '127.0.0.1' });
  browser = await openChromium();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  await engine?.close();
});

describe('the alerts page in chromium', () => {
  it('opens from the nav with every alert, coloured by state and severity, and counts what fires', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Alerts' }).click();
    expect(page.url()).toContain('#/alerts');
    const rows = page.locator('section.panel tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const summaries = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[3]!.textContent));
    expect(summaries.sort()).toEqual(['daemon@ops-1: no heartbeat for 3m', 'pool redshift: 240 steps waiting', 'weekly/quality[2026-11-15] is at risk']);
    const stateOf = (summary: string) => rows.filter({ hasText: summary }).locator('[data-alert-state] .badge');
    expect(await stateOf('pool redshift').textContent()).toBe('resolved');
    expect(await stateOf('daemon@ops-1').evaluate((node) => getComputedStyle(node).backgroundColor)).toBe(rgb(statusColour('firing')));
    expect(await stateOf('pool redshift').evaluate((node) => getComputedStyle(node).backgroundColor)).toBe(rgb(statusColour('resolved')));
    expect(await page.locator('.counts').textContent()).toContain('1 critical firing');
    expect(await rows.filter({ hasText: 'is at risk' }).getByRole('link').textContent()).toBe('weekly/quality[2026-11-15]');
    await page.screenshot({ path: join(ARTIFACTS, 'alerts.png'), fullPage: true });
  });

  it('narrows to firing alerts from the picker, in the URL too, and shows an alert\'s history when opened', async () => {
    await page.getByLabel('alert state').selectOption('firing');
    await expect.poll(() => page.locator('[data-alert-state] .badge').allTextContents()).toEqual(['firing', 'firing']);
    expect(page.url()).toContain('#/alerts?state=firing');
    const row = page.locator('tr', { hasText: 'daemon@ops-1' }).first();
    await row.locator('summary').click();
    await expect.poll(() => row.locator('details tbody tr').count()).toBe(1);
    expect(await row.locator('details tbody tr td').nth(1).textContent()).toBe('fired');
  });
});
