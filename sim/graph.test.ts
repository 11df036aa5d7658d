import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageInfo, type Simulator, startSimulator } from './index';
import { connectTestUser, FAKE_APP, fixture, graphClient, keyPaths } from './testing';

const LEAD_FIELDS =
  'id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,is_organic,platform,field_data,custom_disclaimer_responses';
const EXPIRED_MESSAGE =
  /^Error validating access token: Session has expired on \w+day, \d\d-\w{3}-\d\d \d\d:\d\d:\d\d P[DS]T\. The current time is \w+day, \d\d-\w{3}-\d\d \d\d:\d\d:\d\d P[DS]T\.$/;

describe('simulator Graph API', () => {
  let sim: Simulator;
  let graph: ReturnType<typeof graphClient>;
  let page: PageInfo;
  let page2: PageInfo;
  let formId: string;
  let adId: string;
  let userToken: string;
  let pageToken: string;
  let page2Token: string;

  beforeAll(async () => {
    sim = await startSimulator({ ...FAKE_APP, fast: true, seed: 7 });
    graph = graphClient(sim);
    page = sim.createPage({ name: 'Casa Lisboa Imóveis', instagram: true });
    page2 = sim.createPage({ name: 'Sorriso Clinic', category: 'Dentist & Dental Office' });
    formId = sim.createForm({
      pageId: page.id,
      name: 'Spring 2026 - quote request',
      consents: ['marketing_consent'],
    }).id;
    sim.createForm({ pageId: page.id, name: 'Old form', status: 'ARCHIVED', questions: [] });
    adId = sim.createAd({
      pageId: page.id,
      formId,
      name: 'Spring promo - video A',
      adsetName: 'Lisbon 25-45',
      campaignName: 'Leads - Spring 2026',
    }).id;
    const connected = await connectTestUser(sim, [
      'pages_show_list',
      'pages_read_engagement',
      'pages_manage_metadata',
      'pages_manage_ads',
      'leads_retrieval',
      'ads_read',
    ]);
    userToken = connected.userToken;
    pageToken = connected.pageTokens[page.id] as string;
    page2Token = connected.pageTokens[page2.id] as string;
  });
  afterAll(() => sim?.close());

  describe('shapes match the fixtures', () => {
    it('me/accounts lists the Pages with never-expiring Page tokens (me-accounts-response.json)', async () => {
      const res = await graph.get('me/accounts', userToken);
      expect(res.status).toBe(200);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('me-accounts-response.json')));
      expect(res.body.data.map((p: { id: string }) => p.id)).toEqual([page.id, page2.id]);
      expect(res.body.data[0].access_token).toBe(pageToken);
      expect(res.body.paging.next).toBeUndefined();
    });

    it('GET /{lead} with every field (lead-get-response.json)', async () => {
      const lead = sim.createLead({
        formId,
        adId,
        consents: { marketing_consent: true, whatsapp_contact_consent: false },
      });
      const res = await graph.get(`${lead.id}?fields=${LEAD_FIELDS}`, pageToken);
      expect(res.status).toBe(200);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('lead-get-response.json')));
      expect(Object.keys(res.body)).toEqual(Object.keys(fixture('lead-get-response.json')));
      expect(res.body).toMatchObject({
        id: lead.id,
        ad_id: adId,
        ad_name: 'Spring promo - video A',
        adset_name: 'Lisbon 25-45',
        campaign_name: 'Leads - Spring 2026',
        form_id: formId,
        is_organic: false,
        platform: 'fb',
        custom_disclaimer_responses: [
          { checkbox_key: 'marketing_consent', is_checked: '1' },
          { checkbox_key: 'whatsapp_contact_consent', is_checked: '' },
        ],
      });
      expect(res.body.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      expect(/^\d+$/.test(res.body.id) && /^\d+$/.test(res.body.adset_id) && /^\d+$/.test(res.body.campaign_id)).toBe(
        true,
      );
    });

    it('an organic Instagram lead has no ad fields (lead-get-response-organic.json)', async () => {
      const lead = sim.createLead({ formId, platform: 'ig', consents: {} });
      const res = await graph.get(`${lead.id}?fields=${LEAD_FIELDS}`, pageToken);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('lead-get-response-organic.json')));
      expect(res.body).toMatchObject({ is_organic: true, platform: 'ig' });
    });

    it('GET /{lead} without fields answers id, created_time and field_data', async () => {
      const lead = sim.createLead({ formId, adId, answers: { email: 'ana@example.com', 'what_is_your_budget?': [] } });
      const res = await graph.get(lead.id, pageToken);
      expect(Object.keys(res.body).sort()).toEqual(['created_time', 'field_data', 'id']);
      const names = res.body.field_data.map((f: { name: string }) => f.name);
      expect(names).toEqual(['full_name', 'email', 'phone_number', 'city']);
      expect(res.body.field_data[1]).toEqual({ name: 'email', values: ['ana@example.com'] });
    });

    it('leadgen_forms (page-leadgen-forms.json)', async () => {
      const res = await graph.get(
        `${page.id}/leadgen_forms?fields=id,name,status,locale,created_time,leads_count,expired_leads_count,organic_leads_count,questions`,
        pageToken,
      );
      expect(res.status).toBe(200);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('page-leadgen-forms.json')));
      const active = res.body.data.find((f: { id: string }) => f.id === formId);
      expect(active.questions.map((q: { key: string }) => q.key)).toEqual([
        'full_name',
        'email',
        'phone_number',
        'city',
        'what_is_your_budget?',
      ]);
      expect(active.leads_count).toBe(sim.leads(formId).length);
      expect(active.organic_leads_count).toBe(sim.leads(formId).filter((l) => l.isOrganic).length);
    });

    it('Page fields instagram_business_account,name', async () => {
      const res = await graph.get(`${page.id}?fields=instagram_business_account,name`, pageToken);
      expect(res.body).toEqual({
        instagram_business_account: { id: expect.stringMatching(/^17841\d+$/) },
        name: 'Casa Lisboa Imóveis',
        id: page.id,
      });
      const noIg = await graph.get(`${page2.id}?fields=instagram_business_account,name`, userToken);
      expect(noIg.body).toEqual({ name: 'Sorriso Clinic', id: page2.id });
    });

    it('subscribed_apps: POST with a Page token, GET lists fields, DELETE uninstalls (subscribed-apps-responses.json)', async () => {
      const f = fixture('subscribed-apps-responses.json');
      const fields = 'leadgen,messages,messaging_postbacks,message_echoes,message_deliveries,message_reads';
      const post = await graph.post(`${page2.id}/subscribed_apps?subscribed_fields=${fields}`, page2Token);
      expect(post.body).toEqual(f.post_page_subscribed_apps.response);
      const get = await graph.get(`${page2.id}/subscribed_apps`, page2Token);
      expect(keyPaths(get.body)).toEqual(keyPaths(f.get_page_subscribed_apps.response));
      expect(get.body.data[0]).toMatchObject({ id: FAKE_APP.appId, subscribed_fields: fields.split(',') });
      const viaUser = await graph.post(`${page2.id}/subscribed_apps?subscribed_fields=leadgen`, userToken);
      expect(viaUser.body.error.code).toBe(210);
      const missing = await graph.post(`${page2.id}/subscribed_apps`, page2Token);
      expect(missing.body.error.code).toBe(100);
      const bogus = await graph.post(`${page2.id}/subscribed_apps?subscribed_fields=leadgen,nope`, page2Token);
      expect(bogus.body.error.code).toBe(100);
      expect((await graph.del(`${page2.id}/subscribed_apps`, page2Token)).body).toEqual({ success: true });
      expect((await graph.get(`${page2.id}/subscribed_apps`, page2Token)).body).toEqual({ data: [] });
    });

    it('ad and ad insights (ad-insights-response.json): strings everywhere, `lead` = the ad’s leads', async () => {
      const ad = await graph.get(`${adId}?fields=name,adset_id,campaign_id`, userToken);
      expect(ad.body).toEqual({
        name: 'Spring promo - video A',
        adset_id: expect.stringMatching(/^\d+$/),
        campaign_id: expect.stringMatching(/^\d+$/),
        id: adId,
      });
      const res = await graph.get(`${adId}/insights?date_preset=maximum`, userToken);
      expect(res.status).toBe(200);
      expect(keyPaths(res.body)).toEqual(keyPaths(fixture('ad-insights-response.json')));
      const leads = sim.leads(formId).filter((l) => l.adId === adId).length;
      expect(leads).toBeGreaterThan(0);
      const row = res.body.data[0];
      expect(row.actions.find((a: { action_type: string }) => a.action_type === 'lead').value).toBe(String(leads));
      expect(Number(row.spend)).toBeCloseTo(leads * 11.15, 2);
      expect(row.ad_id).toBe(adId);
      // Meta's default window (last 30 days) excludes today.
      expect((await graph.get(`${adId}/insights`, userToken)).body).toEqual({ data: [] });
    });

    it('usage headers on normal answers (rate-limit-headers.json), far below 80 %', async () => {
      const res = await graph.get(`${formId}/leads?limit=1`, pageToken);
      const f = fixture('rate-limit-headers.json');
      const app = JSON.parse(res.headers.get('x-app-usage') ?? 'null');
      expect(keyPaths(app)).toEqual(keyPaths(JSON.parse(f['x-app-usage'])));
      expect(app.call_count).toBeLessThan(80);
      const buc = JSON.parse(res.headers.get('x-business-use-case-usage') ?? 'null');
      expect(Object.keys(buc)).toEqual([page.id]);
      expect(buc[page.id][0].type).toBe('leadgen');
      expect(keyPaths(buc[page.id][0])).toEqual(
        keyPaths(JSON.parse(f['x-business-use-case-usage'])['100000000000001'][0]),
      );
    });
  });

  describe('form leads: newest first, cursors, filtering', () => {
    let pagedForm: string;
    // Recent: leads older than 90 days are no longer served.
    const base = Math.floor(Date.now() / 1000) - 3600;
    beforeAll(() => {
      pagedForm = sim.createForm({ pageId: page.id, name: 'Paged' }).id;
      for (let i = 0; i < 7; i++) sim.createLead({ formId: pagedForm, createdTime: base + i * 10, deliver: false });
    });

    it('follows `next` to the end: every lead once, newest first; the last page has no next (form-leads-page1/2.json)', async () => {
      const filtering = encodeURIComponent(
        JSON.stringify([{ field: 'time_created', operator: 'GREATER_THAN', value: base - 100 }]),
      );
      const first = await graph.get(
        `${pagedForm}/leads?fields=id,created_time,field_data&filtering=${filtering}&limit=3`,
        pageToken,
      );
      expect(keyPaths(first.body)).toEqual(keyPaths(fixture('form-leads-page1.json')));
      const next = new URL(first.body.paging.next);
      expect(`${next.protocol}//${next.host}`).toBe(sim.url);
      expect(next.pathname).toBe(`/v25.0/${pagedForm}/leads`);
      expect(next.searchParams.get('access_token')).toBe(pageToken);
      expect(next.searchParams.get('after')).toBe(first.body.paging.cursors.after);
      expect(next.searchParams.get('fields')).toBe('id,created_time,field_data');
      expect(JSON.parse(next.searchParams.get('filtering') ?? '')).toEqual([
        { field: 'time_created', operator: 'GREATER_THAN', value: base - 100 },
      ]);
      expect(next.searchParams.get('limit')).toBe('3');

      // A lead arriving between pages must not shift the next pages (cursors name a position, not an offset).
      sim.createLead({ formId: pagedForm, createdTime: base + 1000, deliver: false });
      const seen: string[] = first.body.data.map((l: { created_time: string }) => l.created_time);
      let body = first.body;
      let pages = 1;
      while (body.paging?.next) {
        body = (await graph.get(body.paging.next, null)).body;
        pages++;
        seen.push(...body.data.map((l: { created_time: string }) => l.created_time));
      }
      expect(pages).toBe(3);
      expect(keyPaths(body)).toEqual(keyPaths(fixture('form-leads-page2.json')));
      expect(body.paging.previous).toContain('before=');
      const expected = [6, 5, 4, 3, 2, 1, 0].map((i) =>
        new Date((base + i * 10) * 1000).toISOString().replace('.000Z', '+0000'),
      );
      expect(seen).toEqual(expected);
    });

    it('default page size is 25, at most 100', async () => {
      const big = sim.createForm({ pageId: page.id, name: 'Big' }).id;
      for (let i = 0; i < 120; i++) sim.createLead({ formId: big, deliver: false });
      expect((await graph.get(`${big}/leads`, pageToken)).body.data).toHaveLength(25);
      expect((await graph.get(`${big}/leads?limit=500`, pageToken)).body.data).toHaveLength(100);
    });

    it('filtering on time_created: >, >=, < (combined as AND)', async () => {
      const q = (filters: object[]) =>
        graph
          .get(`${pagedForm}/leads?limit=100&filtering=${encodeURIComponent(JSON.stringify(filters))}`, pageToken)
          .then((r) => r.body.data.length);
      const f = (operator: string, value: number) => ({ field: 'time_created', operator, value });
      expect(await q([f('GREATER_THAN', base + 30)])).toBe(4); // 40, 50, 60 and the late one
      expect(await q([f('GREATER_THAN_OR_EQUAL', base + 30)])).toBe(5);
      expect(await q([f('LESS_THAN', base + 30)])).toBe(3);
      expect(await q([f('GREATER_THAN', base), f('LESS_THAN', base + 60)])).toBe(5);
      const bad = await graph.get(`${pagedForm}/leads?filtering=${encodeURIComponent('[{"field":"x"}]')}`, pageToken);
      expect(bad.body.error.code).toBe(100);
    });

    it('leads older than 90 days are no longer served (expired_leads_count)', async () => {
      const old = sim.createForm({ pageId: page.id, name: 'Old leads' }).id;
      const expired = sim.createLead({ formId: old, createdTime: Date.now() - 91 * 86_400_000, deliver: false });
      const fresh = sim.createLead({ formId: old, deliver: false });
      const list = await graph.get(`${old}/leads`, pageToken);
      expect(list.body.data.map((l: { id: string }) => l.id)).toEqual([fresh.id]);
      expect((await graph.get(expired.id, pageToken)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
      const form = await graph.get(`${old}?fields=leads_count,expired_leads_count`, pageToken);
      expect(form.body).toEqual({ leads_count: 2, expired_leads_count: 1, id: old });
    });

    it('empty results have no paging', async () => {
      const empty = sim.createForm({ pageId: page.id, name: 'Empty' }).id;
      expect((await graph.get(`${empty}/leads`, pageToken)).body).toEqual({ data: [] });
    });
  });

  describe('errors', () => {
    it('unknown token → 190 without subcode; Bearer header works like the parameter', async () => {
      const res = await graph.get('me', 'EAAnot-a-token');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(190);
      expect(res.body.error.error_subcode).toBeUndefined();
      expect(res.body.error.type).toBe('OAuthException');
      const bearer = await graph.get('me', userToken, { bearer: true });
      expect(bearer.body).toEqual({ id: sim.testUserId, name: 'Test User' });
    });

    it('expired token → 190/463 with Meta’s message (graph-error-expired-token.json)', async () => {
      const token = sim.issueUserToken().accessToken;
      sim.faults.expireToken({ token });
      const res = await graph.get('me', token);
      const f = fixture('graph-error-expired-token.json');
      expect(res.status).toBe(f.http_status);
      expect(keyPaths(res.body)).toEqual(keyPaths(f.body));
      expect(res.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
      expect(res.body.error.message).toMatch(EXPIRED_MESSAGE);
      expect(f.body.error.message).toMatch(EXPIRED_MESSAGE);
    });

    it('appsecret_proof: missing or wrong → 100; right → 200', async () => {
      expect((await graph.get('me', userToken, { proof: false })).body.error.code).toBe(100);
      expect((await graph.get('me', userToken, { proof: 'ab'.repeat(32) })).body.error.code).toBe(100);
      expect((await graph.get('me', userToken)).status).toBe(200);
      const relaxed = await startSimulator({ ...FAKE_APP, requireAppSecretProof: false });
      try {
        const token = relaxed.issueUserToken().accessToken;
        const g = graphClient(relaxed);
        expect((await g.get('me', token, { proof: false })).status).toBe(200);
        expect((await g.get('me', token, { proof: 'ab'.repeat(32) })).body.error.code).toBe(100);
      } finally {
        await relaxed.close();
      }
    });

    const throttles: [number, any][] = fixture('graph-error-rate-limits.json').map(
      (f: { body: { error: { code: number } } }) => [f.body.error.code, f],
    );
    it.each(throttles)('throttle %i answers the fixture body and headers', async (code, f) => {
      sim.faults.throttle({ count: 1, code: code as 4 });
      const path = code === 80004 ? `${adId}?fields=name` : code === 80005 ? `${formId}/leads` : 'me';
      const token = code === 80004 ? userToken : code === 80005 ? pageToken : userToken;
      const res = await graph.get(path, token);
      expect(res.status).toBe(f.http_status);
      const { fbtrace_id: _a, ...error } = res.body.error;
      const { fbtrace_id: _b, ...expected } = f.body.error;
      expect(error).toEqual(expected);
      expect(typeof _a).toBe('string');
      for (const name of ['x-app-usage', 'x-page-usage', 'x-business-use-case-usage']) {
        if (!(name in f.headers)) {
          expect(res.headers.get(name)).toBeNull();
          continue;
        }
        const got = JSON.parse(res.headers.get(name) ?? 'null');
        const want = JSON.parse(f.headers[name]);
        if (name === 'x-business-use-case-usage') {
          // Keyed by the object the call was about.
          const id = code === 80005 ? page.id : sim.state().users[0]?.adAccountId;
          expect(Object.keys(got)).toEqual([id]);
          expect(got[id as string]).toEqual(Object.values(want)[0]);
        } else expect(got).toEqual(want);
      }
      // Only `count` calls fail.
      expect((await graph.get(path, token)).status).toBe(200);
    });

    it('counters throttle for real when a quota is spent (error 4, X-App-Usage at 100)', async () => {
      const small = await startSimulator({ ...FAKE_APP, limits: { tokenCallsPerHour: 4 } });
      try {
        const token = small.issueUserToken().accessToken;
        const g = graphClient(small);
        const usages: number[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await g.get('me', token);
          expect(r.status).toBe(200);
          usages.push(JSON.parse(r.headers.get('x-app-usage') ?? '{}').call_count);
        }
        expect(usages).toEqual([25, 50, 75, 100]);
        const refused = await g.get('me', token);
        expect(refused.body.error).toMatchObject({ code: 4, is_transient: true });
        // Another token has its own counter.
        expect((await g.get('me', small.issueUserToken().accessToken)).status).toBe(200);
      } finally {
        await small.close();
      }
    });

    it('fail_graph fails the next `count` calls matching `path` with code 2 (transient) by default', async () => {
      sim.faults.failGraph({ count: 2, path: '/leads' });
      expect((await graph.get('me', userToken)).status).toBe(200);
      const a = await graph.get(`${formId}/leads`, pageToken);
      expect(a.body.error).toMatchObject({ code: 2, is_transient: true });
      expect((await graph.get(`${formId}/leads`, pageToken)).status).toBe(400);
      expect((await graph.get(`${formId}/leads`, pageToken)).status).toBe(200);
      sim.faults.failGraph({ count: 1, code: 190, subcode: 460 });
      expect((await graph.get('me', userToken)).body.error).toMatchObject({ code: 190, error_subcode: 460 });
    });

    it('slow holds answers', async () => {
      sim.faults.slow({ ms: 150, count: 1 });
      const started = Date.now();
      await graph.get('me', userToken);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      const again = Date.now();
      await graph.get('me', userToken);
      expect(Date.now() - again).toBeLessThan(140);
    });

    it('unknown objects → 100/33; unknown lead fields → 100; another Page’s lead → 100/33', async () => {
      const missing = await graph.get('999999999999999', userToken);
      expect(missing.body.error).toMatchObject({ code: 100, error_subcode: 33 });
      const lead = sim.createLead({ formId, deliver: false });
      expect((await graph.get(`${lead.id}?fields=id,bogus`, pageToken)).body.error.code).toBe(100);
      const otherPage = await graph.get(lead.id, page2Token);
      expect(otherPage.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    });

    it('invalidate_page_tokens → 190/460; me/accounts then hands out a new working token', async () => {
      const scratch = sim.createPage({ name: 'Scratch' });
      const before = (await graph.get('me/accounts?limit=100', userToken)).body.data.find(
        (p: { id: string }) => p.id === scratch.id,
      ).access_token;
      expect(before).toBe(scratch.accessToken);
      sim.faults.invalidatePageTokens(scratch.id);
      expect((await graph.get(`${scratch.id}?fields=name`, before)).body.error).toMatchObject({
        code: 190,
        error_subcode: 460,
      });
      const after = (await graph.get('me/accounts?limit=100', userToken)).body.data.find(
        (p: { id: string }) => p.id === scratch.id,
      ).access_token;
      expect(after).not.toBe(before);
      expect((await graph.get(`${scratch.id}?fields=name`, after)).status).toBe(200);
    });

    it('revoke_scope: debug_token and me/permissions drop it; calls needing it fail with 200', async () => {
      const solo = await startSimulator({ ...FAKE_APP });
      try {
        const p = solo.createPage({ name: 'Solo' });
        const f = solo.createForm({ pageId: p.id, name: 'F' });
        const ad = solo.createAd({ pageId: p.id, formId: f.id, name: 'A' });
        const g = graphClient(solo);
        // ads_read was never granted (the user's earlier grants are the Lead Ads scopes).
        expect((await g.get(`${ad.id}/insights`, solo.issueUserToken().accessToken)).body.error.code).toBe(200);
        expect((await g.get(`${f.id}/leads`, p.accessToken)).status).toBe(200);
        solo.faults.revokeScope('leads_retrieval');
        const res = await g.get(`${f.id}/leads`, p.accessToken);
        expect(res.body.error.code).toBe(200);
        const perms = await g.get('me/permissions', solo.issueUserToken().accessToken);
        expect(perms.body.data).toContainEqual({ permission: 'leads_retrieval', status: 'declined' });
        const debug = await g.get(`debug_token?input_token=${p.accessToken}`, `${solo.appId}|${solo.appSecret}`);
        expect(debug.body.data.scopes).not.toContain('leads_retrieval');
      } finally {
        await solo.close();
      }
    });

    it('answers under any version, and records calls without tokens', async () => {
      sim.clearCalls();
      const res = await graph.get(`${sim.url}/v19.0/me?fields=id`, userToken);
      expect(res.body).toEqual({ id: sim.testUserId });
      const calls = sim.calls();
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ method: 'GET', path: '/v19.0/me', version: 'v19.0', query: { fields: 'id' } });
      expect(JSON.stringify(calls)).not.toContain(userToken);
    });
  });
});
