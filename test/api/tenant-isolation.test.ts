import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, linkIn, type SignedIn, type TestApp, uniqueEmail } from '../support/app';
import { sampleFor } from '../support/openapi-sample';

/**
 * Tenant isolation sweep (quality.md): every route of the OpenAPI document that takes a workspace or a resource id
 * is called by a full owner of workspace A with workspace B's ids (and with A's workspace but B's resource ids).
 * None may succeed, and B's data must be unchanged afterwards. A new route with an id this sweep cannot fill fails
 * the test until the id is added to `idsOf` below.
 */
describe('tenant isolation: every route refuses another workspace\u2019s ids', () => {
  let t: TestApp;
  let a: SignedIn;
  let b: SignedIn;
  const bIds: Record<string, string> = {};
  const aIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    a = await t.signup({ companyName: 'Alpha' });
    b = await t.signup({ companyName: 'Bravo' });
    // Give B one of everything: a member, a pending invite, an API key, a failed job id.
    const memberEmail = uniqueEmail('bmember');
    await b.client.post(`/api/v1/workspaces/${b.workspaceId}/invites`, { email: memberEmail, role: 'agent' });
    const token = linkIn(await t.mailTo(memberEmail), '/invite/').split('/invite/')[1]!;
    const reg = await t.client().post(`/api/v1/invites/${token}/register`, {
      name: 'B Member',
      phone: '+60123456780',
      password: 'a-long-password-2',
    });
    expect(reg.statusCode).toBe(201);
    const pending = await b.client.post(`/api/v1/workspaces/${b.workspaceId}/invites`, {
      email: uniqueEmail('bpending'),
      role: 'viewer',
    });
    const key = await b.client.post(`/api/v1/workspaces/${b.workspaceId}/api-keys`, {
      name: 'B key',
      scopes: ['leads.read'],
    });
    const sessions = await b.client.get('/api/v1/auth/sessions');
    Object.assign(bIds, {
      workspaceId: b.workspaceId,
      userId: reg.json().user.id,
      inviteId: pending.json().id,
      keyId: key.json().apiKey.id,
      jobId: '01a225b7-0000-7000-8000-000000000001',
      sessionId: sessions.json().items[0].id,
    });
    Object.assign(aIds, { workspaceId: a.workspaceId });
  });
  afterAll(() => t?.close());

  const idsOf = (ids: Record<string, string>) => ids;

  async function routes() {
    const doc = (await t.server.inject('/openapi.json')).json() as { paths: Record<string, Record<string, any>> };
    const out: { method: string; path: string; op: any }[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      if (path.startsWith('/api/v1/invites/')) continue; // addressed by an unguessable token, not an id
      for (const [method, op] of Object.entries(ops)) out.push({ method: method.toUpperCase(), path, op });
    }
    return out;
  }

  function fill(path: string, ids: Record<string, string>): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const id = idsOf(ids)[name];
      if (!id) throw new Error(`The isolation sweep has no id for {${name}} in ${path}: add one to the test setup.`);
      return id;
    });
  }

  it('covers every workspace route in the OpenAPI document', async () => {
    const list = await routes();
    expect(list.length).toBeGreaterThanOrEqual(15);
  });

  it('an owner of A gets 404/403 for every route with B\u2019s workspace id', async () => {
    const failures: string[] = [];
    for (const { method, path, op } of await routes()) {
      if (!path.includes('{workspaceId}')) continue;
      const url = fill(path, bIds);
      const body = sampleFor(op.requestBody?.content?.['application/json']?.schema, {
        role: 'viewer',
        scopes: ['leads.read'],
        name: 'Hijacked',
      });
      const res = await a.client.request(
        method,
        url,
        method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}),
      );
      if (res.statusCode !== 404) failures.push(`${method} ${path} → ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
  });

  it('an owner of A gets 404 for B\u2019s resource ids inside A\u2019s own workspace', async () => {
    const failures: string[] = [];
    for (const { method, path, op } of await routes()) {
      const ids = { ...bIds, workspaceId: a.workspaceId };
      if (!/\{(?!workspaceId)\w+\}/.test(path)) continue;
      const url = fill(path, ids);
      const body = sampleFor(op.requestBody?.content?.['application/json']?.schema, {
        role: 'viewer',
        name: 'Hijacked',
      });
      const res = await a.client.request(
        method,
        url,
        method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}),
      );
      if (res.statusCode !== 404) failures.push(`${method} ${path} → ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
  });

  it('an API key of A is refused on every route of B', async () => {
    const created = await a.client.post(`/api/v1/workspaces/${a.workspaceId}/api-keys`, {
      name: 'A all',
      scopes: ['workspace.read', 'workspace.update', 'members.read', 'audit.read', 'jobs.read', 'leads.read'],
    });
    const keyClient = t.client();
    keyClient.bearer = created.json().secret;
    const failures: string[] = [];
    for (const { method, path, op } of await routes()) {
      if (!path.includes('{workspaceId}')) continue;
      const body = sampleFor(op.requestBody?.content?.['application/json']?.schema, {
        role: 'viewer',
        scopes: ['leads.read'],
        name: 'Hijacked',
      });
      const res = await keyClient.request(
        method,
        fill(path, bIds),
        method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}),
      );
      if (res.statusCode !== 404 && res.statusCode !== 401) failures.push(`${method} ${path} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves B exactly as it was', async () => {
    const ws = await b.client.get(`/api/v1/workspaces/${b.workspaceId}`);
    expect(ws.json().name).toBe('Bravo');
    const members = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/members`);
    expect(members.json().items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toContainEqual([
      bIds.userId,
      'agent',
    ]);
    const invites = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/invites`);
    expect(invites.json().items.find((i: { id: string }) => i.id === bIds.inviteId).status).toBe('pending');
    const keys = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/api-keys`);
    expect(keys.json().items.map((k: { id: string }) => k.id)).toContain(bIds.keyId);
    const sessions = await b.client.get('/api/v1/auth/sessions');
    expect(sessions.statusCode).toBe(200);
    expect(sessions.json().items.map((s: { id: string }) => s.id)).toContain(bIds.sessionId);
  });
});
