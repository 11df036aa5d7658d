import { and, eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyAcknowledgements } from '../../src/db/schema';
import { type E2E, saveScreenshots, startE2E } from './browser';

/**
 * P34 in a real Chromium: a person whose last acknowledged privacy policy is older than the published one sees the
 * notice on every signed-in page (it cannot be dismissed), can open the policy, and "I have read it" records the
 * acknowledgement: the notice is gone, and stays gone after a reload.
 *
 * `E2E_SCREENSHOTS=<dir>` also saves the notice at laptop and phone width.
 */
describe('browser: a new privacy policy asks to be acknowledged', () => {
  let e: E2E;
  let context: BrowserContext;
  let page: Page;
  let ws = '';
  let userId = '';

  beforeAll(async () => {
    e = await startE2E();
    ({ context, page } = await e.newPage());
    const signup = await context.request.post('/api/v1/auth/signup', {
      data: {
        name: 'Priya Owner',
        email: `priya.${Date.now()}@example.com`,
        phone: '+60123456789',
        password: 'priya-password-123',
        companyName: 'Priya Sdn Bhd',
      },
    });
    expect(signup.status()).toBe(201);
    const body = await signup.json();
    ws = body.workspace.id;
    userId = body.user.id;
    // She accepted the policy at sign-up; make that an older version, as if a newer one had since been published.
    await e.app.container.db
      .update(policyAcknowledgements)
      .set({ policyVersion: '2024-06-01' })
      .where(eq(policyAcknowledgements.userId, userId));
  });
  afterAll(() => e?.close());

  const notice = () => page.getByTestId('policy-update-body');

  it('shows the notice with the date and a link to the policy, on every signed-in page', async () => {
    await page.goto(`/w/${ws}/leads`);
    await notice().waitFor();
    expect(await page.getByTestId('policy-update-title').textContent()).toBe('We updated our privacy policy');
    expect(await page.getByTestId('policy-update-date').textContent()).toBe('1st January 2025');
    const link = page.getByTestId('policy-update-link');
    expect(await link.getAttribute('href')).toBe('/privacy-policy');
    expect(await link.getAttribute('target')).toBe('_blank');
    await saveScreenshots(page, 'policy-update');

    // The policy opens in a new tab, with its last-updated date.
    const [policyTab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await policyTab.waitForLoadState();
    expect(await policyTab.getByTestId('policy-last-updated').textContent()).toBe('1st January 2025');
    await policyTab.close();

    // Escape does not dismiss it, and another signed-in page shows it too.
    await page.keyboard.press('Escape');
    await notice().waitFor();
    await page.goto('/account/profile');
    await notice().waitFor();
  });

  it('"I have read it" records the acknowledgement; the notice is gone, also after a reload', async () => {
    await page.getByTestId('policy-acknowledge').click();
    await notice().waitFor({ state: 'detached' });

    const rows = await e.app.container.db
      .select()
      .from(policyAcknowledgements)
      .where(eq(policyAcknowledgements.userId, userId));
    expect(rows.map((r) => [r.policyVersion, r.method]).sort()).toEqual([
      ['2024-06-01', 'signup'],
      ['2025-01-01', 'prompt'],
    ]);

    await page.reload();
    await page.getByTestId('nav-profile').waitFor();
    await page.waitForTimeout(500);
    expect(await notice().count()).toBe(0);
    await page.goto(`/w/${ws}/leads`);
    await page.getByTestId('nav-leads').waitFor();
    expect(await notice().count()).toBe(0);
  });

  it('fits a phone screen', async () => {
    // Back to needing it: her acknowledgement of the current version is removed.
    await e.app.container.db
      .delete(policyAcknowledgements)
      .where(and(eq(policyAcknowledgements.userId, userId), eq(policyAcknowledgements.policyVersion, '2025-01-01')));
    const phone = await e.newPage({ width: 390, height: 844 });
    await phone.context.addCookies(await context.cookies());
    await phone.page.goto(`/w/${ws}/leads`);
    const button = phone.page.getByTestId('policy-acknowledge');
    await button.waitFor();
    // Both buttons are inside the viewport, so it can be acted on without scrolling sideways.
    for (const id of ['policy-acknowledge', 'policy-sign-out', 'policy-update-link']) {
      const box = (await phone.page.getByTestId(id).boundingBox())!;
      expect(box.x, id).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, id).toBeLessThanOrEqual(390);
    }
    await phone.context.close();
  });
});
