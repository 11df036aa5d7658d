import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaCaptures, metaConnections, metaForms, metaPages } from '../../src/db/schema';
import { newId } from '../../src/lib/ids';
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
    Object.assign(bIds, await leadsFixtures(b));
    Object.assign(bIds, await metaFixtures(b));
  });

  /** A connected Facebook Page in B with a form and a captured lead (rows as the connect flow leaves them). */
  async function metaFixtures(owner: SignedIn) {
    const c = t.c;
    const workspaceId = owner.workspaceId;
    const connectionId = newId();
    const pageRowId = newId();
    const formRowId = newId();
    await c.db.insert(metaConnections).values({
      workspaceId,
      id: connectionId,
      fbUserId: '10000000000000001',
      fbUserName: 'B Facebook',
      userToken: c.keyring.encrypt('EAAFAKEuserB', `meta_user_token:${connectionId}`),
    });
    await c.db.insert(metaPages).values({
      workspaceId,
      id: pageRowId,
      connectionId,
      pageId: '100000000000009',
      name: 'B Page',
      pageToken: c.keyring.encrypt('EAAFAKEpageB', `meta_page_token:${pageRowId}`),
      subscribed: true,
    });
    await c.db.insert(metaForms).values({
      workspaceId,
      id: formRowId,
      pageRowId,
      formId: '200000000000009',
      name: 'B Form',
      questions: [{ key: 'email', label: 'Email', type: 'EMAIL' }],
    });
    await c.db.insert(metaCaptures).values({
      workspaceId,
      leadgenId: '300000000000009',
      pageRowId,
      formId: '200000000000009',
      via: 'webhook',
      status: 'failed',
      lastError: 'B failure',
    });
    return { pageRowId, formRowId, leadgenId: '300000000000009' };
  }

  /** One of every leads-and-contacts resource in B (issue 4). */
  async function leadsFixtures(owner: SignedIn) {
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const ok = <T>(res: { statusCode: number; body: string; json: () => T }, what: string) => {
      if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const lead = ok<any>(
      await owner.client.post(`${ws}/leads`, { contact: { name: 'B Lead', email: uniqueEmail('blead') } }),
      'lead',
    );
    const other = ok<any>(
      await owner.client.post(`${ws}/leads`, { contact: { name: 'B Other', email: uniqueEmail('bother') } }),
      'lead 2',
    );
    const merged = ok<any>(
      await owner.client.post(`${ws}/contacts/${lead.contactId}/merge`, { otherContactId: other.contactId }),
      'merge',
    );
    const note = ok<any>(
      await owner.client.post(`${ws}/notes`, {
        contactId: lead.contactId,
        leadId: lead.id,
        body: 'B note',
        format: 'text',
      }),
      'note',
    );
    const task = ok<any>(
      await owner.client.post(`${ws}/tasks`, { title: 'B task', leadId: lead.id, contactId: lead.contactId }),
      'task',
    );
    const pipelines = ok<any>(await owner.client.get(`${ws}/pipelines`), 'pipelines');
    const field = ok<any>(
      await owner.client.post(`${ws}/fields`, { entity: 'lead', label: 'B Field', type: 'text' }),
      'field',
    );
    const rule = ok<any>(
      await owner.client.post(`${ws}/routing/rules`, {
        name: 'B rule',
        conditions: [],
        assign: { type: 'user', userId: owner.userId },
        enabled: true,
      }),
      'rule',
    );
    const view = ok<any>(
      await owner.client.post(`${ws}/views`, { name: 'B view', shared: true, query: { filters: [] } }),
      'view',
    );
    const operation = await t.c.db.transaction((tx) =>
      t.c.operations.create(tx, owner.workspaceId, { kind: 'import', total: 0, details: {}, createdBy: owner.userId }),
    );
    return {
      leadId: lead.id,
      contactId: lead.contactId,
      mergeId: merged.mergeId,
      noteId: note.id,
      taskId: task.id,
      pipelineId: pipelines.items[0].id,
      stageId: pipelines.items[0].stages[0].id,
      fieldId: field.id,
      ruleId: rule.id,
      viewId: view.id,
      operationId: operation.id,
    };
  }
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

  /** A body the route accepts in shape, so that only authorisation can refuse it. */
  function bodyFor(op: any, hints: Record<string, unknown>): unknown {
    if (op.requestBody?.content?.['multipart/form-data']) return undefined;
    return sampleFor(op.requestBody?.content?.['application/json']?.schema, hints) ?? {};
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
      const body = bodyFor(op, {
        role: 'viewer',
        scopes: ['leads.read'],
        name: 'Hijacked',
      });
      const res = await a.client.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : body);
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
      const body = bodyFor(op, {
        role: 'viewer',
        name: 'Hijacked',
      });
      const res = await a.client.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : body);
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
      const body = bodyFor(op, {
        role: 'viewer',
        scopes: ['leads.read'],
        name: 'Hijacked',
      });
      const res = await keyClient.request(
        method,
        fill(path, bIds),
        method === 'GET' || method === 'DELETE' ? undefined : body,
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
    const lead = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/leads/${bIds.leadId}`);
    expect(lead.statusCode).toBe(200);
    expect(lead.json().name).toBe('B Lead');
    const notes = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/contacts/${bIds.contactId}/notes`);
    expect(notes.json().items.map((n: { body: string }) => n.body)).toEqual(['B note']);
    const pipelines = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/pipelines`);
    expect(pipelines.json().items[0].name).not.toBe('Hijacked');
    const fields = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/fields?entity=lead`);
    expect(fields.json().items.map((f: { label: string }) => f.label)).toEqual(['B Field']);
    const views = await b.client.get(`/api/v1/workspaces/${b.workspaceId}/views`);
    expect(views.json().items.map((v: { name: string }) => v.name)).toEqual(['B view']);
    const sessions = await b.client.get('/api/v1/auth/sessions');
    expect(sessions.statusCode).toBe(200);
    expect(sessions.json().items.map((s: { id: string }) => s.id)).toContain(bIds.sessionId);
    const meta = (await b.client.get(`/api/v1/workspaces/${b.workspaceId}/meta`)).json();
    expect(meta.pages.map((p: { id: string; name: string }) => [p.id, p.name])).toEqual([[bIds.pageRowId, 'B Page']]);
    const [form] = await t.c.db.select().from(metaForms).where(eq(metaForms.id, bIds.formRowId!));
    expect(form!.mapping).toEqual([]);
    const [capture] = await t.c.db.select().from(metaCaptures).where(eq(metaCaptures.leadgenId, bIds.leadgenId!));
    expect(capture).toMatchObject({ workspaceId: b.workspaceId, status: 'failed', lastError: 'B failure' });
  });
});
