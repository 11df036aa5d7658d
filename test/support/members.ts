import { expect } from 'vitest';
import type { Role } from '../../src/domains/workspaces/permissions';
import { linkIn, type SignedIn, type TestApp, type TestClient, uniqueEmail } from './app';

export interface Member extends SignedIn {
  role: Role;
}

/** The token of the latest invitation mailed to `email` (runs the email jobs first; other mail to them is skipped). */
export async function inviteToken(t: TestApp, email: string): Promise<string> {
  await t.mailTo(email);
  const to = new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'mi');
  const mail = t
    .outbox()
    .filter((m) => to.test(m) && m.replace(/=\r?\n/g, '').includes('/invite/'))
    .at(-1);
  if (!mail) throw new Error(`no invitation email to ${email}`);
  return linkIn(mail, '/invite/').split('/invite/')[1]!;
}

/**
 * Brings a new person into a workspace the way a user does: `inviter` invites an address with a role, the invitation
 * email is sent by the job, and the invitee registers from the link. Returns the invitee signed in.
 */
export async function addMember(
  t: TestApp,
  inviter: { client: TestClient; workspaceId: string },
  role: Role,
  name = `New ${role}`,
): Promise<Member> {
  const email = uniqueEmail(role);
  const password = `a-long-password-${role}`;
  const invited = await inviter.client.post(`/api/v1/workspaces/${inviter.workspaceId}/invites`, { email, role });
  expect(invited.statusCode, invited.body).toBe(201);
  const token = await inviteToken(t, email);
  const client = t.client();
  const reg = await client.post(`/api/v1/invites/${token}/register`, { name, phone: '+60123456780', password });
  expect(reg.statusCode, reg.body).toBe(201);
  await client.refreshCsrf();
  return { client, userId: reg.json().user.id, workspaceId: inviter.workspaceId, email, password, role };
}

/** An existing signed-in person joins another workspace by accepting an invitation sent to their address. */
export async function joinWorkspace(
  t: TestApp,
  inviter: { client: TestClient; workspaceId: string },
  person: { client: TestClient; email: string },
  role: Role,
): Promise<void> {
  const invited = await inviter.client.post(`/api/v1/workspaces/${inviter.workspaceId}/invites`, {
    email: person.email,
    role,
  });
  expect(invited.statusCode, invited.body).toBe(201);
  const token = await inviteToken(t, person.email);
  const accepted = await person.client.post(`/api/v1/invites/${token}/accept`);
  expect(accepted.statusCode, accepted.body).toBe(200);
}
