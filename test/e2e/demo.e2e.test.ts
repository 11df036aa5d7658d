import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2E, SCREENSHOTS_DIR, saveScreenshots, startE2E } from './browser';

/**
 * The demo in a real Chromium against the real server running the Meta simulator in-process (as `leadsboost start
 * --demo` does): "Try the demo" on the sign-in page, sample Facebook leads filling the table, the demo banner, the
 * simulated-Facebook note, then "Remove demo data" leaving an empty workspace.
 *
 * `E2E_SCREENSHOTS=<dir>` also saves each screen at laptop and phone width.
 */
describe('browser: the demo workspace', () => {
  let e: E2E;
  let context: BrowserContext;
  let page: Page;
  let ws = '';

  beforeAll(async () => {
    e = await startE2E({ demo: true, env: { DEMO_LEAD_EVERY_SECONDS: '0.5' } });
    ({ context, page } = await e.newPage());
  });
  afterAll(() => e?.close());

  const rows = () => page.getByTestId('lead-row');

  it('offers "Try the demo" on the sign-in and sign-up pages of a sandbox server', async () => {
    const info = await (await context.request.get('/api/v1/meta')).json();
    expect(info.demo).toBe(true);

    await page.goto('/signup');
    await page.getByTestId('try-demo-button').waitFor();
    await saveScreenshots(page, 'demo-sign-up');

    await page.goto('/login');
    await page.getByTestId('try-demo-button').waitFor();
    expect(await page.getByTestId('try-demo').textContent()).toContain(
      'Explore a sample workspace where Facebook leads arrive every few seconds — no Facebook account needed',
    );
    await saveScreenshots(page, 'demo-sign-in');
  });

  it('signs in to the demo workspace, whose table fills with sample Facebook leads', async () => {
    await page.getByTestId('try-demo-button').click();
    // The first time, the server builds the workspace and connects its Page: the button shows it is working.
    if (SCREENSHOTS_DIR) await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'demo-sign-in-loading-laptop.png') });
    await page.waitForURL(/\/w\/[0-9a-f-]+\/leads/, { timeout: 30_000 });
    ws = /\/w\/([0-9a-f-]+)\//.exec(page.url())![1]!;

    await page.getByTestId('demo-banner').waitFor();
    expect(await page.getByTestId('demo-banner').textContent()).toContain(
      'This is a demo workspace with sample data. New sample leads arrive every few seconds.',
    );
    // Leads keep arriving (one every 0.5 s here) and the table follows them without a reload.
    await expect.poll(() => rows().count(), { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const texts = await rows().allTextContents();
    // Every sample lead came from Facebook: an ad's campaign, or "Organic" for the Page's organic form.
    for (const text of texts) expect(text).toMatch(/Leads - Spring 2026|Valuations|Organic/);
    expect(texts.some((t) => /Leads - Spring 2026|Valuations/.test(t))).toBe(true);
    await saveScreenshots(page, 'demo-leads');

    const workspace = await (await context.request.get(`/api/v1/workspaces/${ws}`)).json();
    expect(workspace.isDemo).toBe(true);
  });

  it('says on the Facebook page that Facebook is simulated', async () => {
    await page.getByTestId('nav-integrations').click();
    await page.getByTestId('meta-connection').waitFor();
    await page.getByTestId('meta-simulated-note').waitFor();
    expect(await page.getByTestId('meta-simulated-note').textContent()).toContain(
      'Facebook is simulated on this server',
    );
    await saveScreenshots(page, 'demo-facebook');
  });

  it('removes the demo data: the table is empty and the banner gone', { timeout: 120_000 }, async () => {
    await page.getByTestId('nav-leads').click();
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('remove-demo-data').click();
    const modal = page.getByRole('dialog');
    await modal.getByTestId('confirm-button').waitFor();
    expect(await modal.textContent()).toContain(
      'deletes every lead, contact and demo team member in this workspace and disconnects the simulated Facebook Page',
    );
    await saveScreenshots(page, 'demo-remove-confirm');
    await modal.getByTestId('confirm-button').click();

    await page.getByTestId('demo-banner').waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('Demo data removed').waitFor();
    await page.getByTestId('empty-state').waitFor();
    expect(await rows().count()).toBe(0);
    await saveScreenshots(page, 'demo-removed');

    // Nothing arrives afterwards: the autopilot stopped and the simulated Page is disconnected.
    await page.waitForTimeout(2_000);
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    expect(await rows().count()).toBe(0);
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    const workspace = await (await context.request.get(`/api/v1/workspaces/${ws}`)).json();
    expect(workspace.isDemo).toBe(false);
  });
});
