import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from './browser';

/**
 * The foundation's "done when", in a real Chromium against the real server: a business signs up, confirms its email,
 * turns on two-factor, invites a colleague who joins from the emailed link and is refused the admin pages their role
 * does not allow; the owner then signs in again with a recovery code.
 */
describe('browser: sign-up, 2FA, invitation, roles', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  });
  afterAll(() => e?.close());

  const mailTo = async (address: string): Promise<string> => {
    const dir = path.join(e.dataDir, 'outbox');
    for (let i = 0; i < 100; i++) {
      try {
        const mails = readdirSync(dir)
          .sort()
          .map((f) => readFileSync(path.join(dir, f), 'utf8'))
          .filter((m) => new RegExp(`^To: ${address.replace(/[.+]/g, '\\$&')}`, 'm').test(m));
        if (mails.length) return mails.at(-1)!;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no email to ${address}`);
  };
  const linkIn = (eml: string, prefix: string) => {
    const unfolded = eml.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const m = unfolded.match(
      new RegExp(`${e.baseUrl.replace(/[.]/g, '\\.')}${prefix.replace(/[?]/g, '\\?')}[^\\s"<>]+`),
    );
    if (!m) throw new Error(`no ${prefix} link`);
    return m[0];
  };
  const byTestId = (page: Page, id: string) => page.getByTestId(id);

  const owner = { email: `owner.${Date.now()}@example.com`, password: 'owner-password-123' };
  const agent = { email: `agent.${Date.now()}@example.com`, password: 'agent-password-123' };
  let workspaceId = '';
  let recoveryCode = '';

  it('signs up through the web form and lands on the empty leads page', async () => {
    const { page } = await e.newPage();
    await page.goto('/signup');
    await byTestId(page, 'signup-name').fill('Aisha Rahman');
    await byTestId(page, 'signup-email').fill(owner.email);
    await byTestId(page, 'signup-phone').fill('012-345 6789');
    await byTestId(page, 'signup-password').fill(owner.password);
    await byTestId(page, 'signup-company').fill('Acme Sdn Bhd');
    await byTestId(page, 'signup-submit').click();
    await page.waitForURL(/\/w\/[0-9a-f-]+\/leads/);
    workspaceId = /\/w\/([0-9a-f-]+)\//.exec(page.url())![1]!;
    // The leads list loads after the shell: wait for it rather than sampling the page once.
    await byTestId(page, 'empty-state').waitFor();
    await expect(byTestId(page, 'current-workspace-name').first().textContent()).resolves.toContain('Acme Sdn Bhd');
    await byTestId(page, 'verify-email-banner').waitFor();

    // The emailed link confirms the address and the banner goes away.
    await page.goto(linkIn(await mailTo(owner.email), '/verify-email?token='));
    await byTestId(page, 'verify-email-success').waitFor();
    await page.goto(`/w/${workspaceId}/leads`);
    await byTestId(page, 'empty-state').waitFor();
    expect(await byTestId(page, 'verify-email-banner').count()).toBe(0);

    // Two-factor: scan (read) the secret, confirm a code, keep a recovery code.
    await page.goto('/account/security');
    await byTestId(page, 'mfa-setup-start').click();
    await byTestId(page, 'mfa-qr').waitFor();
    expect(await byTestId(page, 'mfa-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const secret = (await byTestId(page, 'mfa-secret').textContent())!.replace(/\s+/g, '');
    await byTestId(page, 'mfa-code-input').fill(await generate({ secret }));
    await byTestId(page, 'mfa-enable-submit').click();
    await byTestId(page, 'recovery-codes').waitFor();
    const codes = await byTestId(page, 'recovery-code').allTextContents();
    expect(codes).toHaveLength(10);
    recoveryCode = codes[0]!.trim();
    await byTestId(page, 'recovery-codes-done').click();
    await expect(byTestId(page, 'mfa-status').textContent()).resolves.toMatch(/on|enabled/i);
    expect(await byTestId(page, 'session-row').count()).toBeGreaterThanOrEqual(1);

    // Invite a colleague as an agent.
    await page.goto(`/w/${workspaceId}/settings/members`);
    await byTestId(page, 'members-table').waitFor();
    await byTestId(page, 'invite-button').click();
    await byTestId(page, 'invite-email').fill(agent.email);
    await byTestId(page, 'invite-role').click();
    await page.getByRole('option', { name: /^Agent/ }).click();
    await byTestId(page, 'invite-submit').click();
    await page.locator(`[data-testid="invite-row"][data-email="${agent.email}"]`).waitFor();
    await page.context().close();
  });

  it('the colleague joins from the emailed link and sees only what an agent may', async () => {
    const link = linkIn(await mailTo(agent.email), '/invite/');
    const { page } = await e.newPage();
    await page.goto(link);
    await byTestId(page, 'invite-register-form').waitFor();
    expect(await byTestId(page, 'invite-workspace').textContent()).toContain('Acme Sdn Bhd');
    await byTestId(page, 'invite-register-name').fill('Ben Tan');
    await byTestId(page, 'invite-register-phone').fill('+60 12-765 4321');
    await byTestId(page, 'invite-register-password').fill(agent.password);
    await byTestId(page, 'invite-register-submit').click();
    await page.waitForURL(new RegExp(`/w/${workspaceId}/leads`));
    await byTestId(page, 'nav-leads').first().waitFor();
    expect(await byTestId(page, 'nav-audit-log').count()).toBe(0);
    expect(await byTestId(page, 'nav-api-keys').count()).toBe(0);

    // Typing an admin page's address is refused, not crashed.
    for (const section of ['audit-log', 'api-keys', 'jobs']) {
      await page.goto(`/w/${workspaceId}/settings/${section}`);
      await byTestId(page, 'forbidden').waitFor();
    }
    // The server refuses too, whatever the page shows.
    const status = await page.evaluate(
      async (id) => (await fetch(`/api/v1/workspaces/${id}/audit-log`)).status,
      workspaceId,
    );
    expect(status).toBe(403);
    await page.context().close();
  });

  it('the owner sees the new member, then signs in again with a recovery code', async () => {
    const { page } = await e.newPage();
    await page.goto('/login');
    await byTestId(page, 'login-email').fill(owner.email);
    await byTestId(page, 'login-password').fill(owner.password);
    await byTestId(page, 'login-submit').click();
    await byTestId(page, 'mfa-login-code').fill(recoveryCode);
    await byTestId(page, 'mfa-login-submit').click();
    await page.waitForURL(/\/w\/[0-9a-f-]+\//);
    await page.goto(`/w/${workspaceId}/settings/members`);
    const row = page.locator(`[data-testid="member-row"][data-email="${agent.email}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/agent/i);
    await page.goto(`/w/${workspaceId}/settings/audit-log`);
    await byTestId(page, 'audit-table').waitFor();
    const actions = await page
      .locator('[data-testid="audit-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['member.invited', 'member.joined', 'workspace.created']));
    await page.context().close();
  });

  it('works at phone width: the navigation opens from the burger menu', async () => {
    const { page } = await e.newPage({ width: 390, height: 844 });
    await page.goto('/login');
    await byTestId(page, 'login-email').fill(agent.email);
    await byTestId(page, 'login-password').fill(agent.password);
    await byTestId(page, 'login-submit').click();
    await page.waitForURL(/\/w\/[0-9a-f-]+\/leads/);
    await byTestId(page, 'nav-burger').click();
    await byTestId(page, 'nav-leads').first().waitFor({ state: 'visible' });
    await page.context().close();
  });
});
