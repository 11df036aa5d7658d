import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from './browser';

/**
 * Issue 4 in a real Chromium against the real server: create a lead, filter and save a view, drag a card across
 * stages, import a CSV with bad rows and download the rejects, merge two duplicates and undo.
 */
describe('browser: leads, board, import, duplicates', () => {
  let e: E2E;
  let context: BrowserContext;
  let page: Page;
  let ws = '';
  let api = '';
  const stages: Record<string, string> = {};
  const headers: Record<string, string> = {};

  beforeAll(async () => {
    e = await startE2E();
    ({ context, page } = await e.newPage());
    const signup = await context.request.post('/api/v1/auth/signup', {
      data: {
        name: 'Lena Owner',
        email: `lena.${Date.now()}@example.com`,
        phone: '+60123456789',
        password: 'lena-password-123',
        companyName: 'Lena Sdn Bhd',
      },
    });
    expect(signup.status()).toBe(201);
    ws = (await signup.json()).workspace.id;
    api = `/api/v1/workspaces/${ws}`;
    headers['x-csrf-token'] = (await (await context.request.get('/api/v1/auth/session')).json()).csrfToken;
    const pipelines = await (await context.request.get(`${api}/pipelines`)).json();
    for (const s of pipelines.items[0].stages as { id: string; name: string }[]) stages[s.name] = s.id;
    const post = async (path: string, data: unknown) => {
      const res = await context.request.post(`${api}${path}`, { data, headers });
      expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
      return res.json();
    };
    await post('/fields', { entity: 'lead', label: 'Budget', key: 'budget', type: 'number' });
    await post('/leads', {
      contact: { name: 'Alice Qualified', email: 'alice@example.com' },
      stageId: stages.Qualified,
    });
    await post('/leads', { contact: { name: 'Bob Newcomer', email: 'bob@example.com' }, stageId: stages.New });
    await post('/leads', { contact: { name: 'Dana Lim', email: 'dana@example.com', phone: '+60121112222' } });
    await post('/leads', { contact: { name: 'Dana Lim', email: 'dana.lim@work.example', phone: '+60131112222' } });
  });
  afterAll(() => e?.close());

  const leadRow = (name: string) => page.locator('[data-testid="lead-row"]', { hasText: name });

  it('creates a lead from the leads page', async () => {
    await page.goto(`/w/${ws}/leads`);
    await leadRow('Alice Qualified').waitFor();
    await page.getByTestId('add-lead').click();
    await page.getByTestId('add-lead-name').fill('Carla <b>Bold</b> Tan');
    await page.getByTestId('add-lead-email').fill('carla@example.com');
    await page.getByTestId('add-lead-phone').fill('012-987 6543');
    await page.getByTestId('add-lead-submit').click();
    // The new lead opens; its name is shown as typed.
    await page.getByTestId('lead-detail').waitFor();
    expect(await page.getByTestId('lead-name').textContent()).toContain('Carla <b>Bold</b> Tan');
    await page.goto(`/w/${ws}/leads`);
    await leadRow('Carla <b>Bold</b> Tan').waitFor();
    // Stored markup shows as text, never as an element.
    expect(await page.locator('[data-testid="leads-table"] b').count()).toBe(0);
    await expect.poll(async () => page.getByTestId('leads-count').textContent()).toMatch(/5 leads/);
  });

  it('filters by stage and saves the view, which comes back after a reload', async () => {
    await page.getByTestId('filter-add').click();
    await page.getByTestId('filter-field').click();
    await page.getByRole('option', { name: 'Stage', exact: true }).click();
    await page.getByTestId('filter-value').click();
    await page.getByRole('option', { name: 'Qualified' }).click();
    await page.getByTestId('filter-apply').click();
    await page.getByTestId('filter-chip').first().waitFor();
    await expect.poll(async () => page.locator('[data-testid="lead-row"]').count()).toBe(1);
    await leadRow('Alice Qualified').waitFor();

    await page.getByTestId('views-menu').click();
    await page.getByTestId('view-save').click();
    await page.getByTestId('view-name').fill('Qualified only');
    await page.getByTestId('view-save-submit').click();
    await expect.poll(async () => (await (await context.request.get(`${api}/views`)).json()).items.length).toBe(1);

    // A fresh page starts unfiltered; picking the saved view brings the filter back.
    const fresh = await context.newPage();
    await fresh.goto(`/w/${ws}/leads`);
    await fresh.locator('[data-testid="lead-row"]', { hasText: 'Bob Newcomer' }).waitFor();
    await fresh.getByTestId('views-menu').click();
    await fresh.getByTestId('view-item').filter({ hasText: 'Qualified only' }).click();
    await fresh.getByTestId('filter-chip').first().waitFor();
    await expect.poll(async () => fresh.locator('[data-testid="lead-row"]').count()).toBe(1);
    await fresh.close();
  });

  it('drags a card from New to Contacted on the board', async () => {
    await page.goto(`/w/${ws}/board`);
    const card = page.locator('[data-testid="board-card"]', { hasText: 'Bob Newcomer' });
    await card.waitFor();
    const target = page.locator(`[data-testid="board-column"][data-stage-id="${stages.Contacted}"]`);
    await card.dragTo(target);
    await target.locator('[data-testid="board-card"]', { hasText: 'Bob Newcomer' }).waitFor();
    await expect
      .poll(async () => {
        const res = await (
          await context.request.post(`${api}/leads/query`, { data: { q: 'bob newcomer' }, headers })
        ).json();
        return res.items[0]?.stageId;
      })
      .toBe(stages.Contacted);
  });

  it('imports a CSV with bad rows and offers the rejected rows for download', async () => {
    await page.goto(`/w/${ws}/import`);
    const csv = [
      'Name;Email;Phone;Budget',
      'Eve Import;eve@example.com;012-555 0001;1200',
      '"Farid ""The Closer"" Omar";farid@example.com;012-555 0002;3400',
      'Gina Bad Budget;gina@example.com;012-555 0003;lots',
      ';;;',
    ].join('\r\n');
    await page
      .getByTestId('import-file-input')
      .setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`) });
    await page.getByTestId('import-upload').click();
    await page.getByTestId('import-mapping').waitFor();
    await page.getByTestId('import-preview-button').click();
    await page.getByTestId('preview-counts').waitFor();
    await expect.poll(async () => page.getByTestId('preview-create').textContent()).toMatch(/2/);
    expect(await page.getByTestId('preview-reject').textContent()).toMatch(/2/);
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-done').waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-rejects').click()]);
    const body = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(body).toString('utf8');
    expect(text).toContain('Gina Bad Budget');
    expect(text).toMatch(/Budget: expected a number/);
    const imported = await (await context.request.post(`${api}/leads/query`, { data: { q: 'farid' }, headers })).json();
    expect(imported.items.map((l: { name: string }) => l.name)).toEqual(['Farid "The Closer" Omar']);
  });

  it('merges two duplicates from the lead page and undoes it', async () => {
    const found = await (
      await context.request.post(`${api}/leads/query`, { data: { q: 'dana@example.com' }, headers })
    ).json();
    const dana = found.items[0] as { id: string; contactId: string };
    await page.goto(`/w/${ws}/leads/${dana.id}`);
    const duplicate = page.getByTestId('duplicate-item').first();
    await duplicate.waitFor();
    expect(await duplicate.textContent()).toMatch(/2222/);
    const otherContactId = await duplicate.getAttribute('data-contact-id');
    await page.getByTestId('merge-button').first().click();
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('merge-done').waitFor();
    // "Merge into this contact": the duplicate survives and holds both leads; this contact is folded into it.
    const survivor = await (await context.request.get(`${api}/contacts/${otherContactId}`)).json();
    expect(survivor.leads).toHaveLength(2);
    expect((await context.request.get(`${api}/contacts/${dana.contactId}`)).status()).toBe(404);
    await page.getByTestId('undo-merge').click();
    await expect.poll(async () => (await context.request.get(`${api}/contacts/${dana.contactId}`)).status()).toBe(200);
    const restored = await (await context.request.get(`${api}/contacts/${dana.contactId}`)).json();
    expect(restored.leads.map((l: { id: string }) => l.id)).toEqual([dana.id]);
    expect((await (await context.request.get(`${api}/contacts/${otherContactId}`)).json()).leads).toHaveLength(1);
  });
});
