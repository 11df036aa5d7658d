import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, type SignedIn, type TestApp, totp, uniqueEmail } from '../support/app';
import { addMember, inviteToken, joinWorkspace } from '../support/members';

type MemberView = { userId: string; name: string; email: string; role: string; mfaEnabled: boolean };
type InviteView = { id: string; email: string; role: string; status: string };

describe('workspaces, members and invitations', () => {
  let t: TestApp;
  let owner: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Olivia Owner', companyName: 'Alpha Agency' });
  });
  afterAll(() => t?.close());

  const ws = (id = owner.workspaceId) => `/api/v1/workspaces/${id}`;
  const members = async (id = owner.workspaceId, client = owner.client) =>
    (await client.get(`${ws(id)}/members`)).json().items as MemberView[];
  const invites = async (id = owner.workspaceId) =>
    (await owner.client.get(`${ws(id)}/invites`)).json().items as InviteView[];

  describe('agency mode: several workspaces per person', () => {
    it('creates a second workspace the caller owns, lists both with roles, and opens either', async () => {
      const created = await owner.client.post('/api/v1/workspaces', { name: '  Beta Client  ' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: 'Beta Client', role: 'owner', requireMfa: false });
      const secondId = created.json().id as string;

      const list = await owner.client.get('/api/v1/workspaces');
      expect(list.statusCode).toBe(200);
      const items = list.json().items as { id: string; name: string; role: string; permissions: string[] }[];
      expect(items.map((w) => [w.id, w.name, w.role]).sort()).toEqual(
        [
          [owner.workspaceId, 'Alpha Agency', 'owner'],
          [secondId, 'Beta Client', 'owner'],
        ].sort(),
      );

      for (const id of [owner.workspaceId, secondId]) {
        const opened = await owner.client.get(ws(id));
        expect(opened.statusCode).toBe(200);
        expect(opened.json().id).toBe(id);
      }
      // Each workspace has its own team: the second one has only its creator.
      expect((await members(secondId)).map((m) => m.userId)).toEqual([owner.userId]);
    });

    it('a person with different roles in two workspaces sees each role in the list', async () => {
      const agent = await addMember(t, owner, 'agent', 'Agnes Agent');
      const own = await agent.client.post('/api/v1/workspaces', { name: 'Agnes Own Shop' });
      expect(own.statusCode).toBe(201);
      const items = (await agent.client.get('/api/v1/workspaces')).json().items as { id: string; role: string }[];
      expect(Object.fromEntries(items.map((w) => [w.id, w.role]))).toEqual({
        [owner.workspaceId]: 'agent',
        [own.json().id]: 'owner',
      });
    });

    it('an API key cannot create a workspace, and a signed-out visitor cannot list any', async () => {
      const key = await owner.client.post(`${ws()}/api-keys`, { name: 'ws key', scopes: ['workspace.read'] });
      const keyClient = t.client();
      keyClient.bearer = key.json().secret;
      const res = await keyClient.post('/api/v1/workspaces', { name: 'By key' });
      expect(res.statusCode).toBe(403);
      expect((await t.client().get('/api/v1/workspaces')).statusCode).toBe(401);
    });
  });

  describe('settings', () => {
    it('changes name, default country and timezone, and the change is kept', async () => {
      const res = await owner.client.patch(ws(), {
        name: 'Alpha Agency Sdn Bhd',
        defaultCountry: 'SG',
        timezone: 'Asia/Singapore',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        name: 'Alpha Agency Sdn Bhd',
        defaultCountry: 'SG',
        timezone: 'Asia/Singapore',
      });
      const again = (await owner.client.get(ws())).json();
      expect(again).toMatchObject({ name: 'Alpha Agency Sdn Bhd', defaultCountry: 'SG', timezone: 'Asia/Singapore' });
    });

    it.each([
      [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ timezone: '' }, 'timezone'],
      [{ defaultCountry: 'my' }, 'defaultCountry'],
      [{ defaultCountry: 'MYS' }, 'defaultCountry'],
      [{ defaultCountry: 'XX' }, 'defaultCountry'],
      [{ defaultCountry: 'ZZ' }, 'defaultCountry'],
      [{ name: '   ' }, 'name'],
      [{}, ''],
    ])('refuses %j with 400 and changes nothing', async (body, field) => {
      const before = (await owner.client.get(ws())).json();
      const res = await owner.client.patch(ws(), body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      if (field)
        expect(
          res
            .json()
            .error.details.map((d: { path: string }) => d.path)
            .join(' '),
        ).toContain(field);
      expect((await owner.client.get(ws())).json()).toEqual(before);
    });
  });

  describe('roles', () => {
    let admin: SignedIn;
    let viewer: SignedIn;

    beforeAll(async () => {
      admin = await addMember(t, owner, 'admin', 'Adam Admin');
      viewer = await addMember(t, owner, 'viewer', 'Vera Viewer');
    });

    it('an admin changes a lower role but cannot grant owner or change an owner', async () => {
      const ok = await admin.client.patch(`${ws()}/members/${viewer.userId}`, { role: 'manager' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ userId: viewer.userId, role: 'manager' });

      const grantOwner = await admin.client.patch(`${ws()}/members/${viewer.userId}`, { role: 'owner' });
      expect(grantOwner.statusCode).toBe(403);
      expect(grantOwner.json().error.code).toBe('forbidden');
      const selfOwner = await admin.client.patch(`${ws()}/members/${admin.userId}`, { role: 'owner' });
      expect(selfOwner.statusCode).toBe(403);
      const demoteOwner = await admin.client.patch(`${ws()}/members/${owner.userId}`, { role: 'viewer' });
      expect(demoteOwner.statusCode).toBe(403);
      const removeOwner = await admin.client.delete(`${ws()}/members/${owner.userId}`);
      expect(removeOwner.statusCode).toBe(403);

      const roles = Object.fromEntries((await members()).map((m) => [m.userId, m.role]));
      expect(roles[owner.userId]).toBe('owner');
      expect(roles[admin.userId]).toBe('admin');
      expect(roles[viewer.userId]).toBe('manager');
    });

    it('the last owner can be neither demoted nor removed (409), by anyone', async () => {
      const demote = await owner.client.patch(`${ws()}/members/${owner.userId}`, { role: 'admin' });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error.code).toBe('conflict');
      const leave = await owner.client.delete(`${ws()}/members/${owner.userId}`);
      expect(leave.statusCode).toBe(409);
      expect(leave.json().error.code).toBe('conflict');
      expect((await members()).find((m) => m.userId === owner.userId)?.role).toBe('owner');
    });

    it('an owner grants owner; with two owners one may step down, and the last one again may not', async () => {
      const grant = await owner.client.patch(`${ws()}/members/${admin.userId}`, { role: 'owner' });
      expect(grant.statusCode).toBe(200);
      expect(grant.json().role).toBe('owner');
      // The new owner now changes the first owner: allowed, because another owner remains.
      const stepDown = await admin.client.patch(`${ws()}/members/${owner.userId}`, { role: 'admin' });
      expect(stepDown.statusCode).toBe(200);
      const lastOwner = await admin.client.patch(`${ws()}/members/${admin.userId}`, { role: 'admin' });
      expect(lastOwner.statusCode).toBe(409);
      // Restore: the original owner is owner again (granted by the current owner).
      expect((await admin.client.patch(`${ws()}/members/${owner.userId}`, { role: 'owner' })).statusCode).toBe(200);
      expect((await owner.client.patch(`${ws()}/members/${admin.userId}`, { role: 'admin' })).statusCode).toBe(200);
    });

    it('any member can leave; their next request to the workspace gets 404', async () => {
      const leaver = await addMember(t, owner, 'viewer', 'Lee Leaver');
      const res = await leaver.client.delete(`${ws()}/members/${leaver.userId}`);
      expect(res.statusCode).toBe(204);
      const after = await leaver.client.get(ws());
      expect(after.statusCode).toBe(404);
      expect(after.json().error.code).toBe('not_found');
      expect((await members()).map((m) => m.userId)).not.toContain(leaver.userId);
    });

    it('a member without members.update_role or members.remove is refused', async () => {
      const agent = await addMember(t, owner, 'agent', 'Andy Agent');
      expect((await agent.client.patch(`${ws()}/members/${viewer.userId}`, { role: 'viewer' })).statusCode).toBe(403);
      expect((await agent.client.delete(`${ws()}/members/${viewer.userId}`)).statusCode).toBe(403);
      expect((await members()).find((m) => m.userId === viewer.userId)?.role).toBe('manager');
    });

    it('changing or removing someone who is not a member answers 404', async () => {
      const stranger = await t.signup({ companyName: 'Stranger Co' });
      expect((await owner.client.patch(`${ws()}/members/${stranger.userId}`, { role: 'viewer' })).statusCode).toBe(404);
      expect((await owner.client.delete(`${ws()}/members/${stranger.userId}`)).statusCode).toBe(404);
    });
  });

  describe('inviting with a role', () => {
    it('an admin cannot invite an owner (403); an owner can', async () => {
      const admin = await addMember(t, owner, 'admin', 'Ines Inviter');
      const refused = await admin.client.post(`${ws()}/invites`, { email: uniqueEmail('wannabe'), role: 'owner' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');
      expect(
        (await admin.client.post(`${ws()}/invites`, { email: uniqueEmail('peer'), role: 'admin' })).statusCode,
      ).toBe(201);
      const coOwner = await owner.client.post(`${ws()}/invites`, { email: uniqueEmail('coowner'), role: 'owner' });
      expect(coOwner.statusCode).toBe(201);
      expect(coOwner.json().role).toBe('owner');
    });
  });

  describe('requiring two-factor sign-in', () => {
    it('only an owner with 2FA can require it; then members without 2FA are asked to enrol (403)', async () => {
      const boss = await t.signup({ name: 'Sec Owner', companyName: 'Secure Co' });
      const member = await addMember(t, boss, 'admin', 'Sam Without2fa');
      const secureWs = ws(boss.workspaceId);

      const withoutOwn2fa = await boss.client.patch(secureWs, { requireMfa: true });
      expect(withoutOwn2fa.statusCode).toBe(409);
      expect(withoutOwn2fa.json().error.code).toBe('conflict');
      expect((await member.client.patch(secureWs, { requireMfa: true })).statusCode).toBe(403);

      const setup = await boss.client.post('/api/v1/auth/mfa/setup');
      const code = await totp(setup.json().secret);
      expect((await boss.client.post('/api/v1/auth/mfa/enable', { code })).statusCode).toBe(200);
      const on = await boss.client.patch(secureWs, { requireMfa: true });
      expect(on.statusCode).toBe(200);
      expect(on.json().requireMfa).toBe(true);

      const blocked = await member.client.get(secureWs);
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error.code).toBe('mfa_enrolment_required');
      expect((await member.client.get(`${secureWs}/members`)).statusCode).toBe(403);
      // They still see the workspace in their list, marked as requiring 2FA, so the app can tell them why.
      const listed = (await member.client.get('/api/v1/workspaces')).json().items as {
        id: string;
        requireMfa: boolean;
      }[];
      expect(listed.find((w) => w.id === boss.workspaceId)?.requireMfa).toBe(true);
      expect((await boss.client.get(secureWs)).statusCode).toBe(200);
      // Removing someone else still needs 2FA, but leaving is always allowed.
      expect((await member.client.delete(`${secureWs}/members/${boss.userId}`)).statusCode).toBe(403);
      expect((await member.client.delete(`${secureWs}/members/${member.userId}`)).statusCode).toBe(204);
      const after = (await member.client.get('/api/v1/workspaces')).json().items as { id: string }[];
      expect(after.map((w) => w.id)).not.toContain(boss.workspaceId);
    });
  });

  describe('removing a member', () => {
    it('ends their access to that workspace at once, and only to that one', async () => {
      const other = await t.signup({ name: 'Other Owner', companyName: 'Other Workspace' });
      const member = await addMember(t, owner, 'manager', 'Mia Manager');
      await joinWorkspace(t, other, member, 'viewer');
      // Both work before the removal.
      expect((await member.client.get(ws())).statusCode).toBe(200);
      expect((await member.client.get(ws(other.workspaceId))).statusCode).toBe(200);

      expect((await owner.client.delete(`${ws()}/members/${member.userId}`)).statusCode).toBe(204);

      // The very next request with the same session: the removed workspace is gone…
      const gone = await member.client.get(ws());
      expect(gone.statusCode).toBe(404);
      expect(gone.json().error.code).toBe('not_found');
      expect((await member.client.get(`${ws()}/members`)).statusCode).toBe(404);
      expect((await member.client.post(`${ws()}/invites`, { email: uniqueEmail(), role: 'viewer' })).statusCode).toBe(
        404,
      );
      // …while the other workspace and the session itself still work.
      expect((await member.client.get(ws(other.workspaceId))).statusCode).toBe(200);
      expect((await member.client.get(`${ws(other.workspaceId)}/members`)).statusCode).toBe(200);
      const list = (await member.client.get('/api/v1/workspaces')).json().items as { id: string }[];
      expect(list.map((w) => w.id)).toEqual([other.workspaceId]);
      expect((await member.client.get('/api/v1/auth/session')).statusCode).toBe(200);
    });
  });

  describe('invitations', () => {
    it('invite → email with an /invite/ link → preview → register: signed in, verified, with the invited role', async () => {
      const email = uniqueEmail('newcomer');
      const created = await owner.client.post(`${ws()}/invites`, { email: email.toUpperCase(), role: 'manager' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        email,
        role: 'manager',
        status: 'pending',
        invitedBy: { id: owner.userId, name: 'Olivia Owner' },
      });

      const mail = await t.mailTo(email);
      expect(mail).toMatch(/Subject: .*Olivia Owner invited you/);
      const token = await inviteToken(t, email);
      expect(token.length).toBeGreaterThanOrEqual(40);
      // The stored invitation does not hold the token itself.
      const stored = JSON.stringify(rowsOf(await t.c.db.execute(sql`select * from invites where email = ${email}`)));
      expect(stored).not.toContain(token);

      const preview = await t.client().get(`/api/v1/invites/${token}`);
      expect(preview.statusCode).toBe(200);
      expect(preview.json()).toMatchObject({
        workspaceName: (await owner.client.get(ws())).json().name,
        email,
        role: 'manager',
        inviterName: 'Olivia Owner',
        accountExists: false,
      });

      const browser = t.client();
      const reg = await browser.post(`/api/v1/invites/${token}/register`, {
        name: 'Nina Newcomer',
        phone: '+60 12-345 6789',
        password: 'a-long-password-9',
      });
      expect(reg.statusCode).toBe(201);
      expect(reg.json().user).toMatchObject({ email, name: 'Nina Newcomer', emailVerified: true });
      expect(reg.json().workspace).toMatchObject({ id: owner.workspaceId, role: 'manager' });
      const session = await browser.get('/api/v1/auth/session');
      expect(session.statusCode).toBe(200);
      expect(session.json().user.email).toBe(email);
      expect((await members()).find((m) => m.email === email)?.role).toBe('manager');
      expect((await invites()).find((i) => i.email === email)?.status).toBe('accepted');

      // A used invitation cannot be used again, in any way.
      expect((await t.client().get(`/api/v1/invites/${token}`)).statusCode).toBe(404);
      const again = await t.client().post(`/api/v1/invites/${token}/register`, {
        name: 'Again',
        phone: '+60123456781',
        password: 'a-long-password-9',
      });
      expect(again.statusCode).toBe(404);
      await browser.refreshCsrf();
      expect((await browser.post(`/api/v1/invites/${token}/accept`)).statusCode).toBe(404);
    });

    it('an existing account accepts while signed in with the same email; another signed-in person is refused', async () => {
      const invitee = await t.signup({ name: 'Ian Invitee', companyName: 'Ian Co' });
      const intruder = await t.signup({ name: 'Ivan Intruder', companyName: 'Ivan Co' });
      expect((await owner.client.post(`${ws()}/invites`, { email: invitee.email, role: 'viewer' })).statusCode).toBe(
        201,
      );
      const token = await inviteToken(t, invitee.email);
      expect((await t.client().get(`/api/v1/invites/${token}`)).json().accountExists).toBe(true);

      const wrong = await intruder.client.post(`/api/v1/invites/${token}/accept`);
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe('forbidden');
      expect((await intruder.client.get(ws())).statusCode).toBe(404);

      const signedOut = await t.client().post(`/api/v1/invites/${token}/accept`);
      expect(signedOut.statusCode).toBe(401);

      const ok = await invitee.client.post(`/api/v1/invites/${token}/accept`);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().workspace).toMatchObject({ id: owner.workspaceId, role: 'viewer' });
      expect((await invitee.client.get(ws())).statusCode).toBe(200);
      // Registering a second account from the same (now used) link is impossible.
      const reg = await t.client().post(`/api/v1/invites/${token}/register`, {
        name: 'Dup',
        phone: '+60123456782',
        password: 'a-long-password-9',
      });
      expect(reg.statusCode).toBe(404);
    });

    it('registering from a link for an address that already has an account is refused with 409', async () => {
      const existing = await t.signup({ name: 'Eve Existing', companyName: 'Eve Co' });
      await owner.client.post(`${ws()}/invites`, { email: existing.email, role: 'viewer' });
      const token = await inviteToken(t, existing.email);
      const reg = await t.client().post(`/api/v1/invites/${token}/register`, {
        name: 'Eve Twin',
        phone: '+60123456783',
        password: 'a-long-password-9',
      });
      expect(reg.statusCode).toBe(409);
      expect((await members()).map((m) => m.email)).not.toContain(existing.email);
    });

    it('a revoked invitation answers 404 everywhere', async () => {
      const email = uniqueEmail('revoked');
      const created = await owner.client.post(`${ws()}/invites`, { email, role: 'agent' });
      const token = await inviteToken(t, email);
      expect((await owner.client.delete(`${ws()}/invites/${created.json().id}`)).statusCode).toBe(204);
      expect((await invites()).find((i) => i.id === created.json().id)?.status).toBe('revoked');
      const preview = await t.client().get(`/api/v1/invites/${token}`);
      expect(preview.statusCode).toBe(404);
      expect(preview.json().error.code).toBe('not_found');
      const reg = await t.client().post(`/api/v1/invites/${token}/register`, {
        name: 'Too Late',
        phone: '+60123456784',
        password: 'a-long-password-9',
      });
      expect(reg.statusCode).toBe(404);
      // Revoking twice is a 404, not a silent success.
      expect((await owner.client.delete(`${ws()}/invites/${created.json().id}`)).statusCode).toBe(404);
    });

    it('inviting the same address again revokes the older pending invitation', async () => {
      const email = uniqueEmail('twice');
      const first = await owner.client.post(`${ws()}/invites`, { email, role: 'viewer' });
      const firstToken = await inviteToken(t, email);
      const second = await owner.client.post(`${ws()}/invites`, { email, role: 'manager' });
      expect(second.statusCode).toBe(201);
      const secondToken = await inviteToken(t, email);
      expect(secondToken).not.toBe(firstToken);

      const list = await invites();
      expect(list.find((i) => i.id === first.json().id)?.status).toBe('revoked');
      expect(list.find((i) => i.id === second.json().id)?.status).toBe('pending');
      expect(list.filter((i) => i.email === email && i.status === 'pending')).toHaveLength(1);
      expect((await t.client().get(`/api/v1/invites/${firstToken}`)).statusCode).toBe(404);
      const preview = await t.client().get(`/api/v1/invites/${secondToken}`);
      expect(preview.statusCode).toBe(200);
      expect(preview.json().role).toBe('manager');
    });

    it('inviting someone who is already a member answers 409 already_member, whatever the case of the address', async () => {
      const member = await addMember(t, owner, 'viewer', 'Already Here');
      for (const email of [member.email, member.email.toUpperCase()]) {
        const res = await owner.client.post(`${ws()}/invites`, { email, role: 'agent' });
        expect(res.statusCode).toBe(409);
        expect(res.json().error.code).toBe('already_member');
      }
      expect((await invites()).filter((i) => i.email === member.email && i.status === 'pending')).toHaveLength(0);
    });

    it('an unknown token answers 404 and a malformed one 400', async () => {
      const unknown = await t.client().get(`/api/v1/invites/${'x'.repeat(43)}`);
      expect(unknown.statusCode).toBe(404);
      expect((await t.client().get('/api/v1/invites/short')).statusCode).toBe(400);
    });
  });
});
