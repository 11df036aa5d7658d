import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { consents, leads, metaPages } from '../../src/db/schema';
import { hubSignature } from '../../src/domains/meta/signatures';
import type { SignedIn } from '../support/app';
import {
  captured,
  captureOf,
  connectFacebook,
  connectionOf,
  connectPages,
  META_SECRET,
  type MetaHarness,
  startMetaHarness,
  waitFor,
} from '../support/meta';

const BUDGET = {
  key: 'what_is_your_budget?',
  label: 'Qual é o seu orçamento?',
  type: 'CUSTOM',
  options: [
    { key: 'under_5000', value: 'Menos de 5000' },
    { key: '5000_10000', value: '5000 - 10000' },
  ],
};

/**
 * Meta Lead Ads capture end to end: the simulator plays Meta (Login dialog, Graph API, signed webhooks over real
 * HTTP to the listening app), the app captures with its real jobs. Tests run in order on one workspace.
 */
describe('Meta Lead Ads capture against the simulator', () => {
  let h: MetaHarness;
  let owner: SignedIn;
  let ws: string;
  let page: { id: string; name: string; accessToken: string; instagramAccountId: string | null };
  let form: { id: string };
  let ad: { id: string };
  let pageRowId: string;

  beforeAll(async () => {
    h = await startMetaHarness();
    owner = await h.t.signup({ companyName: 'Casa Lisboa' });
    ws = `/api/v1/workspaces/${owner.workspaceId}`;
    page = h.sim.createPage({ name: 'Casa Lisboa Imóveis', instagram: true });
    form = h.sim.createForm({
      pageId: page.id,
      name: 'Spring 2026 - quote request',
      questions: ['full_name', 'email', 'phone_number', 'city', BUDGET],
      consents: ['marketing_consent'],
    });
    ad = h.sim.createAd({
      pageId: page.id,
      formId: form.id,
      name: 'Spring promo - video A',
      adsetName: 'Lisbon 25-45',
      campaignName: 'Leads - Spring 2026',
    });
  });
  afterAll(() => h?.close());

  const lead = async (leadgenId: string) => {
    const row = await captured(h.t, owner.workspaceId, leadgenId);
    const res = await owner.client.get(`${ws}/leads/${row.leadId}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const metaLeadCount = async () =>
    rowsOf<{ n: number }>(
      await h.t.c.db.execute(
        sql`select count(*)::int as n from leads where workspace_id = ${owner.workspaceId} and source = 'meta_lead_ads'`,
      ),
    )[0]!.n;

  it('health before connecting: enabled, no connection', async () => {
    const res = await owner.client.get(`${ws}/meta`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ enabled: true, connection: null, pages: [] });
    expect((await owner.client.get(`${ws}/meta/available-pages`)).json().error.code).toBe('meta_not_connected');
  });

  it('Facebook Login asks only the features’ scopes, stores the token encrypted, records consent; a declined scope is flagged missing', async () => {
    h.sim.faults.declineScopes(['ads_read']);
    const { location, scopes } = await connectFacebook(h, owner, ['ad_attribution']);
    expect(scopes.sort()).toEqual(
      [
        'ads_read',
        'leads_retrieval',
        'pages_manage_ads',
        'pages_manage_metadata',
        'pages_read_engagement',
        'pages_show_list',
      ].sort(),
    );
    expect(location).toBe(`/w/${owner.workspaceId}/settings/integrations/facebook?connected=1`);
    const health = (await owner.client.get(`${ws}/meta`)).json();
    expect(health.connection).toMatchObject({ status: 'active', fbUserName: 'Test User', missingScopes: ['ads_read'] });
    expect(health.connection.grantedScopes).toContain('leads_retrieval');
    expect(health.connection.grantedScopes).not.toContain('ads_read');
    const row = await connectionOf(h.t, owner.workspaceId);
    expect(row!.userToken).toMatch(/^enc:v1:/);
    expect(row!.fbUserId).toBe(h.sim.testUserId);
    const consent = await h.t.c.db
      .select()
      .from(consents)
      .where(and(eq(consents.workspaceId, owner.workspaceId), eq(consents.purpose, 'meta_connection')));
    expect(consent).toHaveLength(1);
    expect(consent[0]).toMatchObject({ method: 'facebook_login', grantedBy: owner.userId, withdrawnAt: null });
  });

  it('the callback refuses a forged state and another person’s state', async () => {
    const res = await owner.client.get('/api/v1/meta/oauth/callback?code=abc&state=forged.state');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/settings/integrations/facebook?error=invalid_state');
    const other = await h.t.signup({ companyName: 'Other' });
    const start = await owner.client.post(`${ws}/meta/oauth/start`, {});
    const state = new URL(start.json().url).searchParams.get('state')!;
    const stolen = await other.client.get(`/api/v1/meta/oauth/callback?code=abc&state=${encodeURIComponent(state)}`);
    expect(stolen.headers.location).toBe('/settings/integrations/facebook?error=wrong_user');
    h.sim.faults.denyOAuth();
    const dialog = await fetch(start.json().url, { redirect: 'manual' });
    const back = new URL(dialog.headers.get('location')!);
    const denied = await owner.client.get(`${back.pathname}${back.search}`);
    expect(denied.headers.location).toBe(`/w/${owner.workspaceId}/settings/integrations/facebook?error=access_denied`);
    expect((await connectionOf(h.t, owner.workspaceId))!.status).toBe('active');
  });

  it('lists the person’s Pages; connecting one subscribes it to leadgen, stores its token encrypted and lists forms', async () => {
    const available = await owner.client.get(`${ws}/meta/available-pages`);
    expect(available.statusCode).toBe(200);
    expect(available.json().items).toContainEqual({
      pageId: page.id,
      name: page.name,
      instagramAccountId: page.instagramAccountId,
      connected: false,
    });
    const [health] = await connectPages(owner, [page.id]);
    expect(health).toMatchObject({
      pageId: page.id,
      name: page.name,
      subscribed: true,
      instagramAccountId: page.instagramAccountId,
      lastError: null,
    });
    expect(health!.forms.map((f) => f.formId)).toContain(form.id);
    pageRowId = health!.id;
    // The 90-day backfill started by connecting finishes (empty: no lead yet).
    await waitFor('the backfill', async () => (await owner.client.get(`${ws}/meta`)).json().pages[0].lastSyncedAt);
    const [row] = await h.t.c.db.select().from(metaPages).where(eq(metaPages.id, pageRowId));
    expect(row!.pageToken).toMatch(/^enc:v1:/);
    expect(row!.pageToken).not.toContain(page.accessToken);
    const subscribe = h.sim.calls().find((c) => c.method === 'POST' && c.path.endsWith(`${page.id}/subscribed_apps`));
    expect(subscribe?.query.subscribed_fields).toBe('leadgen');
    expect((await owner.client.get(`${ws}/meta/available-pages`)).json().items[0].connected).toBe(true);
  });

  it('a lead webhook becomes a lead: attribution names, answers in the form’s language, routed, on the timeline', async () => {
    const rule = await owner.client.post(`${ws}/routing/rules`, {
      name: 'Meta to owner',
      conditions: [{ field: 'source', op: 'eq', value: 'meta_lead_ads' }],
      assign: { type: 'user', userId: owner.userId },
      enabled: true,
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const created = h.sim.createLead({
      formId: form.id,
      adId: ad.id,
      answers: {
        full_name: 'Ana Pereira',
        email: 'ana.pereira@example.com',
        phone_number: '+351912345678',
        city: 'Lisboa',
        'what_is_your_budget?': '5000_10000',
      },
    });
    expect(created.webhook).toBe('queued');
    const got = await lead(created.id);
    expect(got).toMatchObject({
      name: 'Ana Pereira',
      email: 'ana.pereira@example.com',
      source: 'meta_lead_ads',
      externalId: created.id,
      formId: form.id,
      formName: 'Spring 2026 - quote request',
      adId: ad.id,
      adName: 'Spring promo - video A',
      adsetName: 'Lisbon 25-45',
      campaignName: 'Leads - Spring 2026',
      platform: 'fb',
      ownerId: owner.userId,
    });
    expect(got.contact.city).toBe('Lisboa');
    expect(got.answers).toContainEqual({
      key: 'what_is_your_budget?',
      question: 'Qual é o seu orçamento?',
      value: '5000 - 10000',
    });
    const timeline = (await owner.client.get(`${ws}/leads/${got.id}/timeline`)).json();
    expect(timeline.items.map((i: { type: string }) => i.type)).toEqual(
      expect.arrayContaining(['lead.created', 'lead.assigned']),
    );
    const capture = await captureOf(h.t, owner.workspaceId, created.id);
    expect(capture).toMatchObject({ via: 'webhook', status: 'captured', formId: form.id, adId: ad.id });
    // The ticked disclaimer is a consent of the contact (P31).
    const consent = await h.t.c.db
      .select()
      .from(consents)
      .where(and(eq(consents.workspaceId, owner.workspaceId), eq(consents.subjectId, got.contactId)));
    expect(consent.map((c) => [c.purpose, c.method])).toEqual([['marketing_consent', 'lead_form_disclaimer']]);
  });

  it('duplicated, batched and reordered webhooks create exactly one lead each', async () => {
    h.sim.configure({ duplicateRate: 1, batchSize: 4, reorder: true });
    const before = await metaLeadCount();
    const made = Array.from({ length: 8 }, (_, i) =>
      h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: `batch${i}@example.com` } }),
    );
    await h.sim.flush();
    for (const m of made) await captured(h.t, owner.workspaceId, m.id);
    h.sim.configure({ duplicateRate: 0, batchSize: 1, reorder: false });
    // A Meta retry of an already-captured lead, delivered by hand: still nothing new.
    await h.sim.flush();
    expect(await metaLeadCount()).toBe(before + 8);
    const dupes = rowsOf<{ n: number }>(
      await h.t.c.db.execute(sql`select count(*)::int as n from (select external_id from leads
        where workspace_id = ${owner.workspaceId} group by external_id having count(*) > 1) d`),
    );
    expect(dupes[0]!.n).toBe(0);
    expect(h.sim.deliveries().length).toBeGreaterThan(2);
  });

  it('a burst of leads in one webhook: each lead once, attributed, on its timeline; one person twice is one contact', async () => {
    h.sim.configure({ batchSize: 12 });
    const made = Array.from({ length: 12 }, (_, i) =>
      h.sim.createLead({
        formId: form.id,
        adId: ad.id,
        answers: { email: i === 11 ? 'burst0@example.com' : `burst${i}@example.com`, full_name: `Burst ${i}` },
      }),
    );
    await h.sim.flush();
    h.sim.configure({ batchSize: 1 });
    const got = [];
    for (const m of made) got.push(await lead(m.id));
    expect(new Set(got.map((l) => l.id)).size).toBe(12);
    expect(got.every((l) => l.adName === 'Spring promo - video A' && l.campaignName === 'Leads - Spring 2026')).toBe(
      true,
    );
    expect(got[11].contactId).toBe(got[0].contactId);
    expect(new Set(got.map((l) => l.contactId)).size).toBe(11);
    for (const l of [got[0], got[11]]) {
      const timeline = await owner.client.get(`${ws}/leads/${l.id}/timeline`);
      expect(timeline.statusCode).toBe(200);
      expect(timeline.json().items.map((e: { type: string }) => e.type)).toContain('lead.created');
    }
  });

  it('a repeat person attaches to the same contact', async () => {
    const first = h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: 'repeat@example.com' } });
    const second = h.sim.createLead({
      formId: form.id,
      adId: ad.id,
      answers: { email: 'Repeat@Example.com', full_name: 'Rita Repeat' },
    });
    const a = await lead(first.id);
    const b = await lead(second.id);
    expect(a.id).not.toBe(b.id);
    expect(b.contactId).toBe(a.contactId);
  });

  it('an organic Instagram lead carries platform ig and no ad', async () => {
    const created = h.sim.createLead({ formId: form.id, platform: 'ig', answers: { email: 'insta@example.com' } });
    const got = await lead(created.id);
    expect(got).toMatchObject({ platform: 'ig', adId: null, adName: null, campaignName: null, formId: form.id });
  });

  it('a lead whose webhook was dropped arrives by reconciliation (sync now)', async () => {
    h.sim.faults.dropWebhooks({ count: 1 });
    const created = h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: 'dropped@example.com' } });
    await h.sim.flush();
    expect(await captureOf(h.t, owner.workspaceId, created.id)).toBeUndefined();
    const sync = await owner.client.post(`${ws}/meta/sync`, { pageRowId });
    expect(sync.statusCode).toBe(202);
    const row = await captured(h.t, owner.workspaceId, created.id);
    expect(row.via).toBe('reconcile');
    expect((await lead(created.id)).adName).toBe('Spring promo - video A');
    const filtering = h.sim
      .calls()
      .filter((c) => c.path.endsWith(`${form.id}/leads`))
      .at(-1)?.query.filtering;
    expect(JSON.parse(filtering!)[0]).toMatchObject({ field: 'time_created', operator: 'GREATER_THAN' });
  });

  it('transient Graph failures are retried with backoff until the lead is captured', async () => {
    const created = h.sim.createLead({ formId: form.id, adId: ad.id, deliver: false });
    h.sim.faults.failGraph({ count: 2, code: 2, path: created.id });
    // Deliver the webhook now (created with deliver=false so the fault is in place first).
    const res = await fetch(`${h.appUrl}/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(webhookBody(page.id, form.id, created.id)),
      },
      body: webhookBody(page.id, form.id, created.id),
    });
    expect(res.status).toBe(200);
    const row = await captured(h.t, owner.workspaceId, created.id);
    expect(row.attempts).toBe(3);
    const failures = h.sim.calls().filter((c) => c.path.endsWith(created.id) && c.errorCode === 2);
    expect(failures).toHaveLength(2);
  });

  it('a 190 is checked with debug_token: tokens Meta still calls valid keep the connection active and the lead is retried', async () => {
    const created = h.sim.createLead({ formId: form.id, adId: ad.id, deliver: false });
    h.sim.faults.failGraph({ count: 1, code: 190, subcode: 463, path: created.id });
    const checksBefore = h.sim.calls().filter((c) => c.path.endsWith('debug_token')).length;
    const body = webhookBody(page.id, form.id, created.id);
    const res = await fetch(`${h.appUrl}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body,
    });
    expect(res.status).toBe(200);
    const row = await captured(h.t, owner.workspaceId, created.id);
    expect(row.attempts).toBe(2);
    expect(h.sim.calls().filter((c) => c.path.endsWith('debug_token')).length).toBeGreaterThan(checksBefore);
    const connection = await connectionOf(h.t, owner.workspaceId);
    expect(connection?.status).toBe('active');
    expect(connection?.alertedAt).toBeNull();
  });

  for (const code of [4, 17, 32, 80004, 80005] as const) {
    it(`a throttle (${code}) is waited out and the lead captured`, async () => {
      h.sim.faults.throttle({ count: 1, code, path: '' });
      const created = h.sim.createLead({ formId: form.id, adId: ad.id });
      const row = await captured(h.t, owner.workspaceId, created.id);
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(h.sim.calls().some((c) => c.errorCode === code)).toBe(true);
    });
  }

  it('health shows leads today per Page and form', async () => {
    const health = (await owner.client.get(`${ws}/meta`)).json();
    const p = health.pages.find((x: { id: string }) => x.id === pageRowId);
    expect(p.leadsToday).toBe(await metaLeadCount());
    expect(p.lastLeadAt).not.toBeNull();
    expect(p.forms.find((f: { formId: string }) => f.formId === form.id).leadsToday).toBe(p.leadsToday);
  });

  it('a mapping edit sends a custom answer to a lead field', async () => {
    const field = await owner.client.post(`${ws}/fields`, {
      entity: 'lead',
      label: 'Budget',
      key: 'budget',
      type: 'single_select',
      options: [{ label: 'Menos de 5000' }, { label: '5000 - 10000' }],
    });
    expect(field.statusCode, field.body).toBe(201);
    const health = (await owner.client.get(`${ws}/meta`)).json();
    const formRowId = health.pages[0].forms.find((f: { formId: string }) => f.formId === form.id).id;
    const before = (await owner.client.get(`${ws}/meta/forms/${formRowId}`)).json();
    expect(before.defaultMapping).toContainEqual({ key: 'what_is_your_budget?', target: 'answer' });
    expect(before.targets).toContainEqual({ value: 'lead.budget', label: 'Lead field: Budget' });
    const bad = await owner.client.request('PUT', `${ws}/meta/forms/${formRowId}/mapping`, {
      mapping: [{ key: 'what_is_your_budget?', target: 'lead.nope' }],
    });
    expect(bad.statusCode).toBe(400);
    const put = await owner.client.request('PUT', `${ws}/meta/forms/${formRowId}/mapping`, {
      mapping: [{ key: 'what_is_your_budget?', target: 'lead.budget' }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().mapping).toContainEqual({ key: 'what_is_your_budget?', target: 'lead.budget' });
    expect(put.json().mapping).toContainEqual({ key: 'email', target: 'contact.email' });
    const created = h.sim.createLead({
      formId: form.id,
      adId: ad.id,
      answers: { 'what_is_your_budget?': 'under_5000' },
    });
    const got = await lead(created.id);
    expect(Object.values(got.custom)).toHaveLength(1);
    expect(got.answers.map((a: { key: string }) => a.key)).not.toContain('what_is_your_budget?');
  });

  it('a lead Meta refuses is failed with its error; the captures list shows it and retry captures it', async () => {
    const created = h.sim.createLead({ formId: form.id, adId: ad.id, deliver: false });
    h.sim.faults.failGraph({ count: 1, code: 100, path: created.id, message: 'Unsupported get request (#100)' });
    await fetch(`${h.appUrl}/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(webhookBody(page.id, form.id, created.id)),
      },
      body: webhookBody(page.id, form.id, created.id),
    });
    await waitFor(
      'capture failed',
      async () => (await captureOf(h.t, owner.workspaceId, created.id))?.status === 'failed',
    );
    const failed = await owner.client.get(`${ws}/meta/captures?status=failed`);
    expect(failed.statusCode).toBe(200);
    expect(failed.json().items).toEqual([
      expect.objectContaining({
        leadgenId: created.id,
        status: 'failed',
        errorKind: 'rejected',
        lastError: 'Unsupported get request (#100)',
        leadId: null,
        pageRowId,
      }),
    ]);
    const health = (await owner.client.get(`${ws}/meta`)).json();
    expect(health.pages[0].failedCount).toBe(1);
    const retry = await owner.client.post(`${ws}/meta/captures/${created.id}/retry`);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json().status).toBe('pending');
    await captured(h.t, owner.workspaceId, created.id);
    expect((await owner.client.post(`${ws}/meta/captures/999999/retry`)).statusCode).toBe(404);
  });

  it('the captures list pages with a keyset cursor, newest first, without gaps or repeats', async () => {
    const all = (await owner.client.get(`${ws}/meta/captures?limit=200`)).json().items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `${ws}/meta/captures?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = (await owner.client.get(q)).json();
      seen.push(...res.items.map((i: { leadgenId: string }) => i.leadgenId));
      cursor = res.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i: { leadgenId: string }) => i.leadgenId));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await owner.client.get(`${ws}/meta/captures?cursor=garbage`)).statusCode).toBe(400);
  });

  it('an expired token: connection needs reconnecting, admins emailed once, leads wait and arrive after reconnecting', async () => {
    h.sim.faults.expireToken({ userId: h.sim.testUserId });
    const first = h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: 'waiting1@example.com' } });
    const second = h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: 'waiting2@example.com' } });
    await waitFor('both captures refused', async () => {
      const rows = await Promise.all([first.id, second.id].map((id) => captureOf(h.t, owner.workspaceId, id)));
      return rows.every((r) => r?.errorKind === 'auth_expired');
    });
    const connection = (await owner.client.get(`${ws}/meta`)).json().connection;
    expect(connection.status).toBe('needs_reconnect');
    expect(connection.statusReason).toMatch(/expired/);
    expect((await captureOf(h.t, owner.workspaceId, first.id))!.status).toBe('pending');
    await h.t.drainJobs();
    const mails = () => h.t.outbox().filter((m) => m.includes('Subject: Reconnect Facebook'));
    expect(mails()).toHaveLength(1);
    expect(mails()[0]).toContain(owner.email);
    // The link opens this workspace's Facebook settings, whichever workspace the admin used last.
    // (quoted-printable: long lines are wrapped with a trailing `=`)
    expect(mails()[0]!.replace(/=\r?\n/g, '')).toContain(`/w/${owner.workspaceId}/settings/integrations/facebook`);
    // A third lead while disconnected: still one email.
    const third = h.sim.createLead({ formId: form.id, adId: ad.id });
    await waitFor('third refused', async () => (await captureOf(h.t, owner.workspaceId, third.id))?.errorKind);
    await h.t.drainJobs();
    expect(mails()).toHaveLength(1);

    const { location } = await connectFacebook(h, owner);
    expect(location).toBe(`/w/${owner.workspaceId}/settings/integrations/facebook?connected=1`);
    for (const id of [first.id, second.id, third.id]) await captured(h.t, owner.workspaceId, id);
    expect((await connectionOf(h.t, owner.workspaceId))!).toMatchObject({ status: 'active', alertedAt: null });
  });

  it('the token check marks a connection whose scope was revoked', async () => {
    h.sim.faults.revokeScope('leads_retrieval');
    await h.t.c.metaConnections.checkAll();
    const connection = (await owner.client.get(`${ws}/meta`)).json().connection;
    expect(connection.status).toBe('needs_reconnect');
    expect(connection.statusReason).toMatch(/leads_retrieval/);
    // Reconnecting grants it again.
    await connectFacebook(h, owner);
    expect((await connectionOf(h.t, owner.workspaceId))!.status).toBe('active');
  });

  it('a test lead goes through the whole path', async () => {
    const res = await owner.client.post(`${ws}/meta/pages/${pageRowId}/test-lead`, {});
    expect(res.statusCode, res.body).toBe(200);
    const got = await lead(res.json().leadgenId);
    expect(got.source).toBe('meta_lead_ads');
  });

  it('a second workspace connecting the same Page backfills its 90 days, and each new lead reaches both', async () => {
    const agency = await h.t.signup({ companyName: 'Agency' });
    await connectFacebook(h, agency);
    await connectPages(agency, [page.id]);
    const expected = h.sim.leads(form.id).map((l) => l.id);
    expect(expected.length).toBeGreaterThan(15);
    for (const id of expected) await captured(h.t, agency.workspaceId, id);
    const backfilled = await captureOf(h.t, agency.workspaceId, expected[0]!);
    expect(backfilled!.via).toBe('reconcile');
    const both = h.sim.createLead({ formId: form.id, adId: ad.id, answers: { email: 'both@example.com' } });
    const mine = await captured(h.t, owner.workspaceId, both.id);
    const theirs = await captured(h.t, agency.workspaceId, both.id);
    expect(mine.leadId).not.toBe(theirs.leadId);
    expect(theirs.via).toBe('webhook');
    // The agency's copy is its own: another workspace's owner cannot read it.
    expect((await owner.client.get(`/api/v1/workspaces/${agency.workspaceId}/leads/${theirs.leadId}`)).statusCode).toBe(
      404,
    );
  });

  it('disconnecting a Page needs confirmation, then deletes its leads and the contacts that came only from it', async () => {
    const other = h.sim.createPage({ name: 'Sorriso Clinic' });
    const otherForm = h.sim.createForm({ pageId: other.id, name: 'Dental check-up' });
    const [otherHealth] = await connectPages(owner, [other.id]);
    const onlyHere = h.sim.createLead({ formId: otherForm.id, answers: { email: 'only.sorriso@example.com' } });
    const shared = h.sim.createLead({ formId: otherForm.id, answers: { email: 'ana.pereira@example.com' } });
    const onlyLead = await lead(onlyHere.id);
    const sharedLead = await lead(shared.id);
    const metaBefore = await metaLeadCount();

    const refused = await owner.client.delete(`${ws}/meta/pages/${otherHealth!.id}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('confirmation_required');
    const res = await owner.client.delete(`${ws}/meta/pages/${otherHealth!.id}?deleteData=true`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ deleted: { leads: 2, contacts: 1 } });
    expect((await owner.client.get(`${ws}/leads/${onlyLead.id}`)).statusCode).toBe(404);
    expect((await owner.client.get(`${ws}/contacts/${onlyLead.contactId}`)).statusCode).toBe(404);
    // Ana also came from the first Page: her contact and that lead stay.
    expect((await owner.client.get(`${ws}/contacts/${sharedLead.contactId}`)).statusCode).toBe(200);
    expect(await metaLeadCount()).toBe(metaBefore - 2);
    expect(h.sim.calls().some((c) => c.method === 'DELETE' && c.path.endsWith(`${other.id}/subscribed_apps`))).toBe(
      true,
    );
    const pages = (await owner.client.get(`${ws}/meta`)).json().pages;
    expect(pages.map((p: { pageId: string }) => p.pageId)).toEqual([page.id]);
  });

  it('disconnecting Facebook deletes every Page’s data and the connection; consent withdrawn', async () => {
    expect((await owner.client.delete(`${ws}/meta`)).json().error.code).toBe('confirmation_required');
    const res = await owner.client.delete(`${ws}/meta?deleteData=true`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().deleted.leads).toBeGreaterThan(10);
    expect(await metaLeadCount()).toBe(0);
    expect(await connectionOf(h.t, owner.workspaceId)).toBeUndefined();
    const [consent] = await h.t.c.db
      .select()
      .from(consents)
      .where(and(eq(consents.workspaceId, owner.workspaceId), eq(consents.purpose, 'meta_connection')));
    expect(consent!.withdrawnAt).not.toBeNull();
    expect((await owner.client.get(`${ws}/meta`)).json()).toEqual({ enabled: true, connection: null, pages: [] });
    const remaining = await h.t.c.db.select().from(leads).where(eq(leads.workspaceId, owner.workspaceId));
    expect(remaining.every((l) => l.source !== 'meta_lead_ads')).toBe(true);
  });
});

const webhookBody = (pageId: string, formId: string, leadgenId: string) =>
  JSON.stringify({
    object: 'page',
    entry: [
      {
        id: pageId,
        time: Math.floor(Date.now() / 1000),
        changes: [
          {
            field: 'leadgen',
            value: {
              form_id: formId,
              leadgen_id: leadgenId,
              page_id: pageId,
              created_time: Math.floor(Date.now() / 1000),
            },
          },
        ],
      },
    ],
  });

const sign = (body: string) => hubSignature(body, META_SECRET);
