import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, consents, metaCaptures, metaConnections, metaForms, metaPages } from '../../src/db/schema';
import { newId } from '../../src/lib/ids';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/meta');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const deletion = fixture('data-deletion-signed-request.json');
const deauth = fixture('deauthorize-signed-request.json');
const FB_USER = deletion.payload.user_id as string;

/** A workspace connected to Facebook by FB_USER (rows as the connect flow leaves them), with one captured lead. */
async function connectedWorkspace(t: TestApp, owner: SignedIn, fbUserId = FB_USER) {
  const c = t.c;
  const ws = owner.workspaceId;
  const connectionId = newId();
  const pageRowId = newId();
  await c.db.insert(metaConnections).values({
    workspaceId: ws,
    id: connectionId,
    fbUserId,
    fbUserName: 'Test User',
    userToken: c.keyring.encrypt('EAAFAKElongLivedUserToken0001', `meta_user_token:${connectionId}`),
    grantedScopes: ['pages_show_list', 'leads_retrieval'],
  });
  await c.db.insert(metaPages).values({
    workspaceId: ws,
    id: pageRowId,
    connectionId,
    pageId: '100000000000001',
    name: 'Casa Lisboa Imóveis',
    pageToken: c.keyring.encrypt('EAAFAKEpageToken0001', `meta_page_token:${pageRowId}`),
    subscribed: true,
  });
  await c.db
    .insert(metaForms)
    .values({ workspaceId: ws, id: newId(), pageRowId, formId: '200000000000001', name: 'Spring 2026' });
  await c.db.insert(consents).values({
    workspaceId: ws,
    id: newId(),
    subjectType: 'workspace',
    subjectId: ws,
    purpose: 'meta_connection',
    method: 'facebook_login',
  });
  const lead = await owner.client.post(`/api/v1/workspaces/${ws}/leads`, {
    contact: { name: 'Ana Pereira', email: 'ana.pereira@example.com' },
    source: 'meta_lead_ads',
    externalId: '300000000000001',
  });
  expect(lead.statusCode).toBe(201);
  await c.db.insert(metaCaptures).values({
    workspaceId: ws,
    leadgenId: '300000000000001',
    pageRowId,
    formId: '200000000000001',
    via: 'webhook',
    status: 'captured',
    leadId: lead.json().id,
  });
  return { connectionId, pageRowId, leadId: lead.json().id as string };
}

const postForm = (t: TestApp, url: string, body: string) =>
  t.server.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe("Meta's data-deletion and deauthorize callbacks (P33)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ META_APP_ID: '900000000000001', META_APP_SECRET: deletion.app_secret });
  });
  afterAll(async () => t?.close());

  const connectionsOf = (ws: string) =>
    t.c.db.select().from(metaConnections).where(eq(metaConnections.workspaceId, ws));

  it('refuses a tampered, unsigned or garbled request and changes nothing', async () => {
    const owner = await t.signup();
    await connectedWorkspace(t, owner);
    for (const body of [
      `signed_request=${deletion.tampered_signed_request}`,
      '',
      'signed_request=',
      'signed_request=not-a-signed-request',
      `signed_request=${deletion.encoded_payload}`,
    ]) {
      const res = await postForm(t, '/webhooks/meta/data-deletion', body);
      expect(res.statusCode, body).toBe(401);
      expect(res.json().error.code).toBe('invalid_signature');
      const res2 = await postForm(t, '/webhooks/meta/deauthorize', body);
      expect(res2.statusCode).toBe(401);
    }
    expect(await connectionsOf(owner.workspaceId)).toHaveLength(1);
  });

  it('a request signed with another secret is refused', async () => {
    const other = await createTestApp({ META_APP_ID: '1', META_APP_SECRET: 'some-other-secret' });
    try {
      const res = await postForm(other, '/webhooks/meta/data-deletion', deletion.http_request.body);
      expect(res.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('deletes the user’s connection and tokens, answers {url, confirmation_code}, and the status page reports completion', async () => {
    const owner = await t.signup();
    const { pageRowId, leadId } = await connectedWorkspace(t, owner);
    const bystander = await t.signup();
    await connectedWorkspace(t, bystander, '10000000000000999');

    const res = await postForm(t, '/webhooks/meta/data-deletion', deletion.http_request.body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const answer = res.json();
    expect(Object.keys(answer).sort()).toEqual(['confirmation_code', 'url']);
    expect(answer.confirmation_code).toMatch(/^[A-Z0-9]+$/);
    expect(answer.url).toBe(`http://localhost:3000/privacy/deletion-status?code=${answer.confirmation_code}`);

    await t.drainJobs();
    const page = await t.server.inject({
      method: 'GET',
      url: new URL(answer.url).pathname + new URL(answer.url).search,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('data-testid="deletion-status">Completed');
    expect(page.body).toContain(answer.confirmation_code);
    expect(page.body).not.toContain(FB_USER);

    const ws = owner.workspaceId;
    expect(await connectionsOf(ws)).toHaveLength(0);
    expect(await t.c.db.select().from(metaPages).where(eq(metaPages.id, pageRowId))).toHaveLength(0);
    expect(await t.c.db.select().from(metaForms).where(eq(metaForms.pageRowId, pageRowId))).toHaveLength(0);
    const [consent] = await t.c.db.select().from(consents).where(eq(consents.workspaceId, ws));
    expect(consent?.withdrawnAt).toBeInstanceOf(Date);
    const audit = await t.c.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, ws), eq(auditLog.action, 'meta.data_deleted')));
    expect(audit).toHaveLength(1);
    // The business's lead stays: it is not the Facebook user's data.
    expect((await owner.client.get(`/api/v1/workspaces/${ws}/leads/${leadId}`)).statusCode).toBe(200);
    // Another user's connection is untouched.
    expect(await connectionsOf(bystander.workspaceId)).toHaveLength(1);

    // Meta may call again: a second request completes with nothing more to delete.
    const again = await postForm(t, '/webhooks/meta/data-deletion', deletion.http_request.body);
    expect(again.statusCode).toBe(200);
    expect(again.json().confirmation_code).not.toBe(answer.confirmation_code);
    await t.drainJobs();
    expect(await connectionsOf(bystander.workspaceId)).toHaveLength(1);
  });

  it('shows a clear page for an unknown confirmation code', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/privacy/deletion-status?code=NOPE1234' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No deletion request');
    const xss = await t.server.inject({ method: 'GET', url: '/privacy/deletion-status?code=%3Cscript%3E' });
    expect(xss.body).not.toContain('<script>');
  });

  it('the deauthorize callback removes the connection at once', async () => {
    const owner = await t.signup();
    await connectedWorkspace(t, owner, deauth.payload.user_id);
    const res = await postForm(t, '/webhooks/meta/deauthorize', deauth.http_request.body);
    expect(res.statusCode).toBe(200);
    expect(await connectionsOf(owner.workspaceId)).toHaveLength(0);
  });
});
