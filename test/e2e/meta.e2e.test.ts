import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormInfo, PageInfo } from '../../sim';
import { type E2E, saveScreenshots, startE2E } from './browser';

/**
 * Issue 5 in a real Chromium against the real server and the Meta simulator: connect a Page through the simulated
 * Login dialog, send a test lead and see it in the leads table, see an ad's campaign on a lead, watch the reconnect
 * banner when Facebook drops the token, then disconnect the Page and see its leads deleted.
 *
 * `E2E_SCREENSHOTS=<dir>` also saves each screen at laptop and phone width.
 */
const MARKUP_PAGE_NAME = '<img src=x onerror="window.__pwned=1">Acme <b>Outlet</b>';

describe('browser: Facebook Lead Ads capture', () => {
  let e: E2E;
  let context: BrowserContext;
  let page: Page;
  let ws = '';
  let fbPage: PageInfo;
  let form: FormInfo;
  const headers: Record<string, string> = {};
  const owner = { email: `meta.owner.${Date.now()}@example.com`, password: 'meta-owner-password-1' };

  beforeAll(async () => {
    e = await startE2E({ meta: true });
    const sim = e.sim!;
    fbPage = sim.createPage({ name: 'Acme Properties', instagram: true });
    // Names come from Facebook: they must be shown as text, never as markup.
    sim.createPage({ name: MARKUP_PAGE_NAME });
    form = sim.createForm({ pageId: fbPage.id, name: 'Free consultation' });
    // A lead whose webhook never came: the 90-day backfill at connection must bring it in.
    sim.createLead({ formId: form.id, answers: { full_name: 'Bella Backfill' }, deliver: false });
    ({ context, page } = await e.newPage());
  });
  afterAll(() => e?.close());

  const api = () => `/api/v1/workspaces/${ws}`;
  const findLeads = async (q: string) => {
    const res = await context.request.post(`${api()}/leads/query`, { data: { q }, headers });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()).items as { id: string; name: string; source: string }[];
  };
  const leadRow = (name: string) => page.locator('[data-testid="lead-row"]', { hasText: name });
  const pageCard = () => page.locator(`[data-testid="meta-page-card"][data-page-id="${fbPage.id}"]`);

  /** Goes through the simulated Login dialog (it approves at once) and back to the settings page. */
  const loginWithFacebook = async (button: string) => {
    await page.getByTestId(button).click();
    await page.waitForURL(/\/w\/[0-9a-f-]+\/settings\/integrations\/facebook\?connected=1/, { timeout: 20_000 });
    await page.getByTestId('meta-connected-notice').waitFor();
  };

  it('signs up and finds Facebook under Settings → Integrations', async () => {
    await page.goto('/signup');
    await page.getByTestId('signup-name').fill('Farah Owner');
    await page.getByTestId('signup-email').fill(owner.email);
    await page.getByTestId('signup-phone').fill('012-345 6789');
    await page.getByTestId('signup-password').fill(owner.password);
    await page.getByTestId('signup-company').fill('Acme Properties Sdn Bhd');
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(/\/w\/[0-9a-f-]+\/leads/);
    ws = /\/w\/([0-9a-f-]+)\//.exec(page.url())![1]!;
    headers['x-csrf-token'] = (await (await context.request.get('/api/v1/auth/session')).json()).csrfToken;

    await page.getByTestId('nav-integrations').click();
    await page.getByTestId('meta-connect-card').waitFor();
    // P4: only the Lead Ads scopes unless ad attribution is ticked.
    const scopes = await page.getByTestId('meta-scope').evaluateAll((els) => els.map((el) => el.dataset.scope));
    expect(scopes).toContain('leads_retrieval');
    expect(scopes).not.toContain('ads_read');
    await page.getByTestId('meta-feature-ad-attribution').check();
    await page.locator('[data-testid="meta-scope"][data-scope="ads_read"]').waitFor();
    await saveScreenshots(page, 'meta-1-connect');
  });

  it('connects through the Facebook dialog and picks the Page', async () => {
    await loginWithFacebook('meta-continue');
    await expect.poll(() => page.getByTestId('meta-fb-user').textContent()).toContain('Test User');
    const option = page.locator(`[data-testid="meta-available-page"][data-page-id="${fbPage.id}"]`);
    await option.waitFor();
    const picker = page.getByTestId('meta-page-picker');
    await expect.poll(() => picker.textContent()).toContain(MARKUP_PAGE_NAME);
    expect(await picker.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await saveScreenshots(page, 'meta-2-pick-pages');
    await option.getByTestId('meta-page-checkbox').check();
    await page.getByTestId('meta-connect-pages').click();

    await pageCard().waitFor({ timeout: 20_000 });
    await expect
      .poll(() => pageCard().getByTestId('meta-page-subscription').getAttribute('data-subscribed'))
      .toBe('true');
    await pageCard().getByTestId('meta-page-instagram').waitFor();
    await pageCard().locator(`[data-testid="meta-form-row"][data-form-id="${form.id}"]`).waitFor();
    // The backfill brought the lead whose webhook never came.
    await expect.poll(async () => (await findLeads('Bella Backfill')).length, { timeout: 20_000 }).toBe(1);
  });

  it('sends a test lead that comes back through the whole path and shows in the leads table', async () => {
    await pageCard().getByTestId('meta-test-lead').click();
    const link = pageCard().getByTestId('meta-test-lead-link');
    await link.waitFor({ timeout: 30_000 });
    await saveScreenshots(page, 'meta-3-health');
    await link.click();
    await page.getByTestId('lead-detail').waitFor();
    const name = (await page.getByTestId('lead-name').textContent())?.trim() ?? '';
    expect(name.length).toBeGreaterThan(0);
    expect(await page.getByTestId('attribution-source').textContent()).toContain('Meta Lead Ads');
    expect(await page.getByTestId('attribution-ad').textContent()).toContain('Organic');

    await page.getByTestId('back-to-leads').click();
    await leadRow(name).waitFor();
    await leadRow('Bella Backfill').waitFor();
  });

  it('shows the campaign, ad set and ad of a lead that came from an ad', async () => {
    const sim = e.sim!;
    const ad = sim.createAd({
      pageId: fbPage.id,
      formId: form.id,
      name: 'Condo tour video',
      adsetName: 'KL buyers 25-45',
      campaignName: 'March condo launch',
    });
    sim.createLead({
      formId: form.id,
      adId: ad.id,
      platform: 'ig',
      answers: { full_name: 'Nur Aisyah', email: 'nur.aisyah@example.com' },
    });
    await expect.poll(async () => (await findLeads('Nur Aisyah')).length, { timeout: 20_000 }).toBe(1);

    await page.goto(`/w/${ws}/leads`);
    // Attribution as optional columns: the ad's campaign, and "Organic" for the test lead that had no ad.
    await page.getByTestId('column-chooser').click();
    await page.getByTestId('column-campaign_name').check();
    await page.getByTestId('column-platform').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => leadRow('Nur Aisyah').textContent()).toContain('March condo launch');
    expect(await leadRow('Nur Aisyah').textContent()).toContain('Instagram');
    expect(await leadRow('Bella Backfill').textContent()).toContain('Organic');
    await leadRow('Nur Aisyah').click();
    await page.getByTestId('lead-detail').waitFor();
    expect(await page.getByTestId('attribution-campaign').textContent()).toBe('March condo launch');
    expect(await page.getByTestId('attribution-adset').textContent()).toBe('KL buyers 25-45');
    expect(await page.getByTestId('attribution-ad').textContent()).toBe('Condo tour video');
    expect(await page.getByTestId('attribution-form').textContent()).toBe('Free consultation');
    expect(await page.getByTestId('attribution-platform').textContent()).toBe('Instagram');
    await saveScreenshots(page, 'meta-4-lead-attribution');
  });

  it('a lead created in the simulator appears in the open leads table without a reload', async () => {
    await page.goto(`/w/${ws}/leads`);
    await leadRow('Nur Aisyah').waitFor();
    const navigations: string[] = [];
    const onNavigate = (frame: { url(): string }) => navigations.push(frame.url());
    page.on('framenavigated', onNavigate);
    e.sim!.createLead({ formId: form.id, answers: { full_name: 'Lina Live', email: 'lina.live@example.com' } });
    // Without the table's own polling the row would never show: nothing reloads the page.
    await leadRow('Lina Live').waitFor({ timeout: 15_000 });
    page.off('framenavigated', onNavigate);
    expect(navigations).toEqual([]);
    expect(await leadRow('Nur Aisyah').isVisible()).toBe(true);
  });

  it('maps a form question to a lead field, and the next lead fills it', async () => {
    const field = await context.request.post(`${api()}/fields`, {
      data: { entity: 'lead', label: 'Budget range', key: 'budget_range', type: 'text' },
      headers,
    });
    expect(field.status(), await field.text()).toBeLessThan(300);
    await page.goto(`/w/${ws}/settings/integrations/facebook`);
    await pageCard()
      .locator(`[data-testid="meta-form-row"][data-form-id="${form.id}"]`)
      .getByTestId('meta-edit-mapping')
      .click();
    const row = page.locator('[data-testid="meta-mapping-row"][data-question-key="what_is_your_budget?"]');
    await row.waitFor();
    expect(await row.getByTestId('meta-mapping-target').inputValue()).toBe('Keep as a form answer');
    await saveScreenshots(page, 'meta-5-mapping');
    await row.getByTestId('meta-mapping-target').click();
    await page.getByRole('option', { name: 'Lead · Budget range' }).click();
    await page.getByTestId('meta-mapping-save').click();
    await row.waitFor({ state: 'detached' });

    e.sim!.createLead({ formId: form.id, answers: { full_name: 'Mei Mapping', 'what_is_your_budget?': 'Over 10000' } });
    await expect.poll(async () => (await findLeads('Mei Mapping')).length, { timeout: 20_000 }).toBe(1);
    const [lead] = await findLeads('Mei Mapping');
    await page.goto(`/w/${ws}/leads/${lead!.id}`);
    await expect.poll(() => page.getByTestId('custom-field-budget_range').textContent()).toContain('Over 10000');
  });

  it('warns everyone when Facebook drops the token, and reconnecting clears it', async () => {
    e.sim!.faults.expireToken({ userId: e.sim!.testUserId });
    await page.goto(`/w/${ws}/settings/integrations/facebook`);
    await pageCard().getByTestId('meta-sync-page').click();
    await expect
      .poll(async () => (await (await context.request.get(`${api()}/meta`)).json()).connection?.status as string, {
        timeout: 30_000,
      })
      .toBe('needs_reconnect');

    await page.goto(`/w/${ws}/leads`);
    const banner = page.getByTestId('meta-reconnect-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('New leads are being kept');
    await saveScreenshots(page, 'meta-6-reconnect-banner');
    await page.getByTestId('meta-reconnect-banner-button').click();
    await page.getByTestId('meta-reconnect-alert').waitFor();
    await loginWithFacebook('meta-reconnect');
    await expect.poll(() => page.getByTestId('meta-connection').getAttribute('data-status')).toBe('active');
    await page.goto(`/w/${ws}/leads`);
    await leadRow('Nur Aisyah').waitFor();
    expect(await page.getByTestId('meta-reconnect-banner').count()).toBe(0);
  });

  it('disconnects the Page after a plain warning, and its leads are gone', async () => {
    await page.goto(`/w/${ws}/settings/integrations/facebook`);
    await pageCard().getByTestId('meta-disconnect-page').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('meta-disconnect-warning').textContent()).toMatch(
      /every lead and every contact detail that came only from this Page will be permanently deleted/i,
    );
    await saveScreenshots(page, 'meta-7-disconnect');
    await dialog.getByTestId('confirm-button').click();
    await pageCard().waitFor({ state: 'detached' });

    expect(await findLeads('Nur Aisyah')).toEqual([]);
    expect(await findLeads('Bella Backfill')).toEqual([]);
    await page.goto(`/w/${ws}/leads`);
    await page.getByTestId('empty-state').waitFor();
    expect(await page.locator('[data-testid="lead-row"]').count()).toBe(0);
  });

  it('disconnects Facebook altogether', async () => {
    await page.goto(`/w/${ws}/settings/integrations/facebook`);
    await page.getByTestId('meta-disconnect-all').click();
    await page.getByRole('dialog').getByTestId('confirm-button').click();
    await page.getByTestId('meta-connect-card').waitFor();
    expect((await (await context.request.get(`${api()}/meta`)).json()).connection).toBeNull();
  });
});
